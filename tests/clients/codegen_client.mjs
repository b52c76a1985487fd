// A citizen's app built on graphql-codegen's client preset (`persistedDocuments: true`),
// sending each operation by the hash codegen put in its document's `__meta__.hash`.
//
//   node codegen_client.mjs document-id GENERATED_DIR/   plain fetch of {documentId,
//                                                        variables}, as the preset's docs show
//   node codegen_client.mjs apollo GENERATED_DIR/        Apollo Client's persisted-queries
//                                                        link with generateHash reading
//                                                        __meta__.hash (the preset's
//                                                        documented Apollo set-up), sent as
//                                                        extensions.persistedQuery.sha256Hash
//
// GENERATED_DIR is what codegen_manifest.mjs wrote. The app's documents are the objects
// codegen emitted in graphql.ts (TypeScript that Node cannot import, so each
// `export const …Document = {…} as unknown as DocumentNode<…>` is read as the JSON it is).
// Environment: see citizen_journey.mjs.
import { readFileSync } from "node:fs";
import { ApolloClient, HttpLink, InMemoryCache } from "@apollo/client";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";
import { executeWithApollo } from "./apollo_answers.mjs";
import { graphqlErrors, journeyEnvironment, report, runCitizenJourney } from "./citizen_journey.mjs";
import { recordingFetch } from "./wire_log.mjs";

const [mode, generated] = process.argv.slice(2);
if (!["document-id", "apollo"].includes(mode) || !generated) {
  console.error("usage: node codegen_client.mjs document-id|apollo GENERATED_DIR/");
  process.exit(2);
}

/** Codegen's documents by operation name, each with its __meta__.hash. */
function generatedDocuments(directory) {
  const source = readFileSync(`${directory}/graphql.ts`, "utf8");
  const documents = {};
  for (const [, name, json] of source.matchAll(
    /^export const (\w+)Document = (\{.*\}) as unknown as DocumentNode</gm,
  )) {
    documents[name] = JSON.parse(json);
  }
  return documents;
}

const documents = generatedDocuments(generated);
const environment = journeyEnvironment();
const wire = [];
const fetchRecorded = recordingFetch(wire);

function documentOf(name) {
  const document = documents[name];
  if (!document) throw new Error(`codegen emitted no ${name}Document`);
  return document;
}

async function executeByDocumentId(name, variables) {
  const response = await fetchRecorded(environment.graphqlUrl, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/graphql-response+json",
      Authorization: `Bearer ${environment.token}`,
    },
    body: JSON.stringify({ documentId: documentOf(name).__meta__.hash, variables }),
  });
  const text = await response.text();
  try {
    const body = JSON.parse(text);
    return { data: body.data ?? null, errors: graphqlErrors(body.errors), failure: null };
  } catch {
    return { data: null, errors: [], failure: `HTTP ${response.status}: ${text.slice(0, 200)}` };
  }
}

const apollo =
  mode === "apollo"
    ? new ApolloClient({
        cache: new InMemoryCache(),
        link: new PersistedQueryLink({
          generateHash: (document) => document.__meta__.hash,
        }).concat(
          new HttpLink({
            uri: environment.graphqlUrl,
            headers: { Authorization: `Bearer ${environment.token}` },
            fetch: fetchRecorded,
          }),
        ),
      })
    : null;

const steps = await runCitizenJourney(
  mode === "apollo"
    ? (name, variables) => executeWithApollo(apollo, documentOf(name), variables)
    : executeByDocumentId,
  environment,
);
report({ client: "@graphql-codegen/client-preset", mode, steps, wire });
