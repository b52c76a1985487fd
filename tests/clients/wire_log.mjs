// What a client put on the wire and what the gateway answered, request by request.
//
// Each client is given this fetch in place of the global one, so the report shows the
// requests the client library itself built (its document text, hash or id), not what the
// script meant to send.

/** A fetch that records every request and its answer in `log`. */
export function recordingFetch(log, baseFetch = globalThis.fetch) {
  return async (input, init = {}) => {
    const request = new Request(input, init);
    const sent = await describeRequest(request.clone());
    const response = await baseFetch(request);
    const answer = await describeResponse(response.clone());
    log.push({ ...sent, ...answer });
    return response;
  };
}

async function describeRequest(request) {
  const url = new URL(request.url);
  let body = null;
  if (request.method === "GET") {
    body = Object.fromEntries(url.searchParams);
    for (const key of ["variables", "extensions"]) {
      if (typeof body[key] === "string") body[key] = parseOrKeep(body[key]);
    }
  } else {
    body = parseOrKeep(await request.text());
  }
  return {
    method: request.method,
    path: url.pathname,
    headers: Object.fromEntries(
      [...request.headers].filter(([name]) => !["authorization", "x-api-key"].includes(name)),
    ),
    sent: summarizeBody(body),
  };
}

/** Which of the ways to name a document the request used, and the document itself. */
export function summarizeBody(body) {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return { raw: body };
  const persisted = body.extensions?.persistedQuery;
  return {
    operationName: body.operationName ?? null,
    query: typeof body.query === "string" ? body.query : null,
    documentId: body.documentId ?? null,
    persistedQuery: persisted ?? null,
    variables: body.variables ?? null,
    keys: Object.keys(body).sort(),
  };
}

async function describeResponse(response) {
  const text = await response.text();
  const body = parseOrKeep(text);
  const errors = Array.isArray(body?.errors) ? body.errors : [];
  return {
    status: response.status,
    contentType: response.headers.get("content-type"),
    answered: {
      hasData: body?.data !== undefined && body?.data !== null,
      errors: errors.map((error) => ({
        code: error?.extensions?.code ?? null,
        message: error?.message ?? null,
        path: error?.path ?? null,
      })),
      ...(typeof body === "string" ? { text: body.slice(0, 500) } : {}),
    },
  };
}

function parseOrKeep(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
