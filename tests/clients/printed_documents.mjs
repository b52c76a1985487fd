// The contract's documents as graphql-js prints them (`print(parse(text))`: comments gone,
// graphql-js's own layout), sent with plain fetch: what any client that parses its
// documents sends, before a client library adds anything of its own.
//
//   node printed_documents.mjs text              POST {query: printed text}
//   node printed_documents.mjs apq-hash          POST extensions.persistedQuery.sha256Hash
//                                                of the printed text, no text
//   node printed_documents.mjs document-id       POST {documentId: "sha256:<hash>"}
//   node printed_documents.mjs get-document-id   queries by GET ?documentId=sha256:<hash>,
//                                                mutations by POST (GET may not mutate)
//
// Environment: see citizen_journey.mjs.
import { createHash } from "node:crypto";
import { parse, print } from "graphql";
import { graphqlErrors, journeyEnvironment, report, runCitizenJourney } from "./citizen_journey.mjs";
import { operationText } from "./contract.mjs";
import { recordingFetch } from "./wire_log.mjs";

const MODES = ["text", "apq-hash", "document-id", "get-document-id"];
const mode = process.argv[2];
if (!MODES.includes(mode)) {
  console.error(`usage: node printed_documents.mjs ${MODES.join(" | ")}`);
  process.exit(2);
}
const environment = journeyEnvironment();
const wire = [];
const fetchRecorded = recordingFetch(wire);

async function execute(name, variables) {
  const text = print(parse(operationText(name)));
  const hash = createHash("sha256").update(text).digest("hex");
  const isQuery = parse(text).definitions[0].operation === "query";
  const headers = {
    Accept: "application/graphql-response+json, application/json",
    Authorization: `Bearer ${environment.token}`,
  };
  let response;
  if (mode === "get-document-id" && isQuery) {
    const search = new URLSearchParams({
      documentId: `sha256:${hash}`,
      variables: JSON.stringify(variables),
    });
    response = await fetchRecorded(`${environment.graphqlUrl}?${search}`, { headers });
  } else {
    const body = { operationName: name, variables };
    if (mode === "text") body.query = text;
    else if (mode === "apq-hash") body.extensions = { persistedQuery: { version: 1, sha256Hash: hash } };
    else body.documentId = `sha256:${hash}`;
    response = await fetchRecorded(environment.graphqlUrl, {
      method: "POST",
      headers: { ...headers, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  }
  const answer = await response.text();
  try {
    const result = JSON.parse(answer);
    return { data: result.data ?? null, errors: graphqlErrors(result.errors), failure: null };
  } catch {
    return { data: null, errors: [], failure: `HTTP ${response.status}: ${answer.slice(0, 200)}` };
  }
}

const steps = await runCitizenJourney(execute, environment);
report({ client: "graphql (print) + fetch", mode, steps, wire });
