// The live board: LivePermits over graphql-transport-ws with the reference graphql-ws client.
//
// Nothing lost, nothing twice: every event carries a cursor (the registry's change log id).
// The subscription's variables hold the last cursor seen, and graphql-ws re-sends that same
// payload object whenever it reconnects, so after a network drop the server replays exactly
// what came after it. Events are also keyed by cursor, so a replay can never show a row twice.

// 4401: the session was revoked, so sign in again; 4400: connectionParams failed (the
// session could not be refreshed) or the protocol broke. 4403 (the access token expired, or
// was refused at connection_init) is retried: connectionParams then refreshes the token.
const GIVE_UP_CODES = new Set([4400, 4401]);
const MAX_RETRY_WAIT_MS = 4000;

export class LiveBoard {
  constructor({ document, onEvent, onState }) {
    this.document = document;
    this.onEvent = onEvent;
    this.onState = onState;
    this.lastCursor = null;
    this.seen = new Set();
    this.client = null;
  }

  start({ connectionParams }) {
    this.stop();
    const url = new URL("/graphql", window.location.href).href.replace(/^http/, "ws");
    const payload = {
      query: this.document,
      operationName: "LivePermits",
      variables: { after: this.lastCursor },
    };
    this.onState("connecting");
    const client = graphqlWs.createClient({
      url,
      connectionParams,
      keepAlive: 10000, // ping, so a silently dead connection is noticed
      retryAttempts: Infinity,
      shouldRetry: (closed) => !(closed && GIVE_UP_CODES.has(closed.code)),
      retryWait: (retries) =>
        new Promise((resolve) =>
          setTimeout(resolve, Math.min(250 * 2 ** retries, MAX_RETRY_WAIT_MS) + Math.random() * 250),
        ),
      on: {
        connected: () => this.onState("live"),
        closed: () => {
          if (this.client === client) this.onState("reconnecting");
        },
      },
    });
    this.client = client;
    this.disposeSubscription = client.subscribe(payload, {
      next: (result) => {
        const event = result.data && result.data.travelPermitStatusChanged;
        if (!event || this.seen.has(event.cursor)) return;
        this.seen.add(event.cursor);
        this.lastCursor = event.cursor;
        payload.variables.after = event.cursor; // what a reconnect asks for
        this.onEvent(event);
      },
      error: (error) => {
        if (this.client === client) this.onState("failed", error);
      },
      complete: () => {},
    });
  }

  stop() {
    if (!this.client) return;
    const client = this.client;
    this.client = null;
    this.disposeSubscription();
    client.dispose();
  }
}
