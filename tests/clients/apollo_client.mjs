// Apollo Client (web) with its persisted-queries link, as a citizen's app sets it up.
//
//   node apollo_client.mjs apq                      automatic persisted queries: the
//                                                   SHA-256 of the printed document first,
//                                                   its text on PERSISTED_QUERY_NOT_FOUND
//   node apollo_client.mjs manifest MANIFEST.json   ids from Apollo's manifest
//                                                   (generatePersistedQueryIdsFromManifest)
//
// Environment: see citizen_journey.mjs. Prints one JSON document: each step's answer and
// every request Apollo Client sent, with the gateway's answer to it.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";
import { generatePersistedQueryIdsFromManifest } from "@apollo/persisted-query-lists";
import { operationText } from "./contract.mjs";
import { executeWithApollo } from "./apollo_answers.mjs";
import { journeyEnvironment, report, runCitizenJourney } from "./citizen_journey.mjs";
import { recordingFetch } from "./wire_log.mjs";

const [mode, manifestFile] = process.argv.slice(2);
if (!["apq", "manifest"].includes(mode) || (mode === "manifest" && !manifestFile)) {
  console.error("usage: node apollo_client.mjs apq | manifest MANIFEST.json");
  process.exit(2);
}
const environment = journeyEnvironment();
const wire = [];

const persisted =
  mode === "apq"
    ? new PersistedQueryLink({ sha256: (text) => createHash("sha256").update(text).digest("hex") })
    : new PersistedQueryLink(
        generatePersistedQueryIdsFromManifest({
          loadManifest: () => JSON.parse(readFileSync(manifestFile, "utf8")),
        }),
      );
const client = new ApolloClient({
  cache: new InMemoryCache(),
  link: persisted.concat(
    new HttpLink({
      uri: environment.graphqlUrl,
      headers: { Authorization: `Bearer ${environment.token}` },
      fetch: recordingFetch(wire),
    }),
  ),
});

function execute(name, variables) {
  return executeWithApollo(client, gql(operationText(name)), variables);
}

const steps = await runCitizenJourney(execute, environment);
report({ client: "@apollo/client", mode, steps, wire });
