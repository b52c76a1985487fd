// The reference graphql-transport-ws client (`graphql-ws`), as a citizen's app uses it.
//
//   node graphql_ws_client.mjs watch       WatchMyPermits, then a permit issued and
//                                          cancelled and MyFamily read over the same socket;
//                                          the events the subscription delivered
//   node graphql_ws_client.mjs untrusted   a query that is not a contract document
//
// Documents are sent printed (graphql-js `print`), as a client that parses its documents
// sends them. The token travels in connection_init. Environment: see citizen_journey.mjs,
// plus BAWABA_RESUME_CURSOR: the subscription's `after`, so that an event raised before the
// server has started the subscription is replayed rather than missed.
import { createClient } from "graphql-ws";
import { parse, print } from "graphql";
import WebSocket from "ws";
import { graphqlErrors, journeyEnvironment, report } from "./citizen_journey.mjs";
import { operationText } from "./contract.mjs";

const mode = process.argv[2];
if (!["watch", "untrusted"].includes(mode)) {
  console.error("usage: node graphql_ws_client.mjs watch | untrusted");
  process.exit(2);
}
const EVENT_TIMEOUT_MS = 15000;
const environment = journeyEnvironment();
const frames = [];
const closes = [];

// Every frame both ways, for the report (the token in connection_init is left out).
class RecordingWebSocket extends WebSocket {
  constructor(...args) {
    super(...args);
    this.on("message", (data) => frames.push({ received: parseFrame(String(data)) }));
  }
  send(data, ...rest) {
    const frame = parseFrame(String(data));
    frames.push({ sent: frame.type === "connection_init" ? { type: frame.type } : frame });
    return super.send(data, ...rest);
  }
}

function parseFrame(text) {
  try {
    return JSON.parse(text);
  } catch {
    return { unparsed: text.slice(0, 200) };
  }
}

const client = createClient({
  url: `${environment.url.replace(/^http/, "ws")}/graphql`,
  webSocketImpl: RecordingWebSocket,
  connectionParams: { Authorization: `Bearer ${environment.token}` },
  retryAttempts: 0,
  on: { closed: (event) => closes.push({ code: event.code, reason: event.reason }) },
});

const printed = (name) => print(parse(operationText(name)));

/** The first result of one operation over the socket, or its errors. */
async function once(query, variables) {
  try {
    for await (const result of client.iterate({ query, variables })) {
      return { data: result.data ?? null, errors: graphqlErrors(result.errors), failure: null };
    }
    return { data: null, errors: [], failure: "completed without a result" };
  } catch (error) {
    return refusal(error);
  }
}

// graphql-ws rejects with the `error` message's GraphQL errors, or with the close event.
function refusal(error) {
  if (Array.isArray(error)) return { data: null, errors: graphqlErrors(error), failure: null };
  if (error && typeof error.code === "number") {
    return { data: null, errors: [], failure: `socket closed ${error.code} ${error.reason}` };
  }
  return { data: null, errors: [], failure: String(error?.message ?? error) };
}

function day(offset) {
  const date = new Date();
  date.setUTCDate(date.getUTCDate() + offset);
  return date.toISOString().slice(0, 10);
}

async function watch() {
  const events = [];
  let watchFailure = null;
  const subscription = client.iterate({
    query: printed("WatchMyPermits"),
    variables: { after: process.env.BAWABA_RESUME_CURSOR ?? null },
  });
  let cancelledSeen;
  const cancelled = new Promise((resolve) => {
    cancelledSeen = resolve;
  });
  let wanted = null;
  const collecting = (async () => {
    try {
      for await (const result of subscription) {
        if (result.errors) watchFailure = { errors: graphqlErrors(result.errors) };
        const event = result.data?.travelPermitStatusChanged;
        if (event) events.push(event);
        if (wanted && events.some((e) => e.permit.id === wanted && e.status === "CANCELLED")) {
          cancelledSeen();
        }
      }
    } catch (error) {
      watchFailure = refusal(error);
      cancelledSeen();
    }
  })();

  const steps = [];
  const issued = await once(printed("IssueTravelPermit"), {
    input: {
      travellerNationalId: environment.travellerId,
      kind: "SINGLE_TRIP",
      destinations: ["FR"],
      validFrom: day(10),
      validUntil: day(20),
      idempotencyKey: environment.idempotencyKey,
    },
  });
  steps.push({ operation: "IssueTravelPermit", ...issued });
  wanted = issued.data?.issueTravelPermit?.permit?.id ?? null;
  if (wanted) {
    const cancel = await once(printed("CancelTravelPermit"), { id: wanted, reason: "plans changed" });
    steps.push({ operation: "CancelTravelPermit", ...cancel });
    if (events.some((e) => e.permit.id === wanted && e.status === "CANCELLED")) cancelledSeen();
    await Promise.race([cancelled, new Promise((r) => setTimeout(r, EVENT_TIMEOUT_MS))]);
  }
  steps.push({ operation: "MyFamily", ...(await once(printed("MyFamily"), {})) });
  await subscription.return();
  await Promise.race([collecting, new Promise((r) => setTimeout(r, 1000))]);
  return { steps, issuedPermit: wanted, events, watchFailure };
}

async function untrusted() {
  const query = "query NotInTheContract { me { nationalId } }";
  return { steps: [{ operation: "NotInTheContract", query, ...(await once(query, {})) }] };
}

const result = mode === "watch" ? await watch() : await untrusted();
await client.dispose();
report({ client: "graphql-ws", mode, ...result, frames, closes });
