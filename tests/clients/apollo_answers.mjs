// What Apollo Client handed the app for one operation, in citizen_journey.mjs's terms.
import { CombinedGraphQLErrors, ServerError } from "@apollo/client/errors";
import { graphqlErrors } from "./citizen_journey.mjs";

/** Run one document through `client` (errorPolicy "all": data and errors both kept). */
export async function executeWithApollo(client, document, variables) {
  const type = document.definitions.find((d) => d.kind === "OperationDefinition").operation;
  try {
    const result =
      type === "mutation"
        ? await client.mutate({ mutation: document, variables, errorPolicy: "all" })
        : await client.query({
            query: document,
            variables,
            errorPolicy: "all",
            fetchPolicy: "no-cache",
          });
    return describe(result.data, result.error);
  } catch (error) {
    return describe(undefined, error);
  }
}

function describe(data, error) {
  if (!error) return { data: data ?? null, errors: [], failure: null };
  if (CombinedGraphQLErrors.is(error)) {
    return { data: data ?? null, errors: graphqlErrors(error.errors), failure: null };
  }
  return {
    data: data ?? null,
    errors: ServerError.is(error) ? graphqlErrorsIn(error.bodyText) : [],
    failure: `${error.name}: ${error.message}`,
  };
}

// A refusal with a non-2xx status reaches the app as a ServerError; its body still holds
// the GraphQL errors (Apollo's own persisted-queries link reads them the same way).
function graphqlErrorsIn(bodyText) {
  try {
    return graphqlErrors(JSON.parse(bodyText).errors);
  } catch {
    return [];
  }
}
