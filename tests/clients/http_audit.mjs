// The GraphQL-over-HTTP spec authors' audit suite (`graphql-http`'s serverAudits) against
// the gateway's /graphql.
//
//   node http_audit.mjs
//
// Environment: BAWABA_URL; BAWABA_API_KEY, when set, is sent as X-API-Key with every audit
// request (the audits send their own ad-hoc documents, which production mode runs only for
// callers allowed arbitrary documents, such as partners). Prints every audit's id, name and
// status, and for the others than ok the reason and the gateway's answer.
import { serverAudits } from "graphql-http";
import { report } from "./citizen_journey.mjs";

const url = process.env.BAWABA_URL;
if (!url) throw new Error("BAWABA_URL is not set");
const apiKey = process.env.BAWABA_API_KEY;

function fetchFn(input, init = {}) {
  const headers = new Headers(init.headers);
  if (apiKey) headers.set("X-API-Key", apiKey);
  return fetch(input, { ...init, headers });
}

const audits = [];
for (const audit of serverAudits({ url: `${url}/graphql`, fetchFn })) {
  const result = await audit.fn();
  const entry = { id: result.id, name: result.name, status: result.status };
  if (result.status !== "ok") {
    entry.reason = result.reason;
    entry.response = {
      status: result.response.status,
      contentType: result.response.headers.get("content-type"),
      body: (await result.response.text()).slice(0, 600),
    };
  }
  audits.push(entry);
}
const counts = { total: audits.length, ok: 0, notice: 0, warn: 0, error: 0 };
for (const audit of audits) counts[audit.status] += 1;
report({ client: "graphql-http", apiKey: Boolean(apiKey), counts, audits });
