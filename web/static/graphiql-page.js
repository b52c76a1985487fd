// GraphiQL for partners, from the gateway's own assets: queries and mutations over HTTP,
// subscriptions over graphql-transport-ws with the Headers tab sent in connection_init.
"use strict";

(function () {
  const config = JSON.parse(document.getElementById("graphiql-config").textContent);
  const httpUrl = new URL("/graphql", window.location.href).href;
  const wsUrl = httpUrl.replace(/^http/, "ws");

  // The type of the operation GraphiQL is about to run: the named one, else the first.
  function operationType(query, operationName) {
    const withoutComments = query.replace(/#[^\n]*/g, "");
    const pattern = /\b(query|mutation|subscription)\b\s*([_A-Za-z][_0-9A-Za-z]*)?/g;
    let first = null;
    for (const match of withoutComments.matchAll(pattern)) {
      first = first || match[1];
      if (operationName && match[2] === operationName) return match[1];
    }
    return first || "query";
  }

  function subscriptionOverWebSocket(params, headers) {
    return {
      subscribe(observer) {
        const client = graphqlWs.createClient({
          url: wsUrl,
          connectionParams: headers,
          retryAttempts: 0,
        });
        const dispose = client.subscribe(params, {
          next: (value) => observer.next(value),
          error: (error) => {
            const closed = error && error.code !== undefined;
            observer.error(closed ? new Error(`socket closed: ${error.code} ${error.reason}`) : error);
            client.dispose();
          },
          complete: () => {
            observer.complete();
            client.dispose();
          },
        });
        return {
          unsubscribe() {
            dispose();
            client.dispose();
          },
        };
      },
    };
  }

  async function overHttp(params, headers) {
    const response = await fetch(httpUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json", ...headers },
      body: JSON.stringify(params),
    });
    return response.json();
  }

  // The tabs' headers start as hints ("Bearer <a person's token: …>"); a hint is not sent,
  // so the schema still loads and an operation without a token runs anonymously.
  function realHeaders(headers) {
    return Object.fromEntries(
      Object.entries(headers || {}).filter(([, value]) => !/<[^>]*>/.test(String(value))),
    );
  }

  function fetcher(params, options) {
    const headers = realHeaders(options && options.headers);
    if (operationType(params.query || "", params.operationName) === "subscription") {
      return subscriptionOverWebSocket(params, headers);
    }
    return overHttp(params, headers);
  }

  const root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher,
      defaultTabs: config.tabs,
      defaultHeaders: config.tabs[0].headers,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
      defaultEditorToolsVisibility: "headers",
    }),
  );
})();
