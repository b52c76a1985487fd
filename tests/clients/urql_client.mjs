// urql (@urql/core) as a citizen's app sets it up: its default exchanges, the token in
// fetchOptions, every operation from the network.
//
//   node urql_client.mjs documents OUTPUT.json   what urql sends for each of the app's
//                                                operations, as an {id: text} map (the
//                                                team registers what its client sends)
//   node urql_client.mjs run                     the citizen's journey through urql
//
// urql has no manifest tool of its own; `documents` runs each operation through urql with
// a fetch that records the request and answers nothing, like Apollo's manifest generator
// runs Apollo Client through a terminating link. Environment: see citizen_journey.mjs.
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { Client, cacheExchange, fetchExchange, gql } from "@urql/core";
import { contractOperations, operationText } from "./contract.mjs";
import { graphqlErrors, journeyEnvironment, report, runCitizenJourney } from "./citizen_journey.mjs";
import { recordingFetch } from "./wire_log.mjs";

const [mode, output] = process.argv.slice(2);
if (!(mode === "run" || (mode === "documents" && output))) {
  console.error("usage: node urql_client.mjs documents OUTPUT.json | run");
  process.exit(2);
}

function urqlClient({ url, token, fetch }) {
  return new Client({
    url,
    exchanges: [cacheExchange, fetchExchange],
    fetch,
    fetchOptions: () => ({ headers: token ? { Authorization: `Bearer ${token}` } : {} }),
    requestPolicy: "network-only",
  });
}

async function execute(client, name, variables) {
  const document = gql(operationText(name));
  const type = document.definitions[0].operation;
  const result =
    type === "mutation"
      ? await client.mutation(document, variables).toPromise()
      : await client.query(document, variables).toPromise();
  const error = result.error;
  return {
    data: result.data ?? null,
    errors: graphqlErrors(error?.graphQLErrors),
    failure: error?.networkError ? `${error.networkError.name}: ${error.networkError.message}` : null,
  };
}

if (mode === "documents") {
  const sent = [];
  const client = urqlClient({
    url: "http://urql.invalid/graphql",
    fetch: async (input, init) => {
      const request = new Request(input, init);
      const url = new URL(request.url);
      sent.push(
        request.method === "GET"
          ? url.searchParams.get("query")
          : JSON.parse(await request.text()).query,
      );
      return new Response(JSON.stringify({ data: null }), {
        headers: { "content-type": "application/json" },
      });
    },
  });
  for (const operation of contractOperations("frontend")) {
    if (operation.type === "subscription") continue; // over graphql-ws, not urql's fetch
    await execute(client, operation.name, {});
  }
  const documents = Object.fromEntries(
    sent.map((text) => [createHash("sha256").update(text).digest("hex"), text]),
  );
  writeFileSync(output, `${JSON.stringify(documents, null, 2)}\n`);
} else {
  const environment = journeyEnvironment();
  const wire = [];
  const client = urqlClient({
    url: environment.graphqlUrl,
    token: environment.token,
    fetch: recordingFetch(wire),
  });
  const steps = await runCitizenJourney((name, variables) => execute(client, name, variables), environment);
  report({ client: "@urql/core", mode, steps, wire });
}
