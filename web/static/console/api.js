// GraphQL over HTTP for the console: one POST per operation, the session's token and language.

export async function graphqlRequest(document, operationName, variables, { token, language }) {
  const headers = {
    "Content-Type": "application/json",
    Accept: "application/json",
    "Accept-Language": language,
  };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch("/graphql", {
    method: "POST",
    headers,
    body: JSON.stringify({ query: document, operationName, variables }),
  });
  const body = await response.json();
  if (body.errors && body.errors.length && !body.data) {
    const [first] = body.errors;
    const error = new Error(first.message);
    error.code = first.extensions && first.extensions.code;
    throw error;
  }
  return body.data;
}
