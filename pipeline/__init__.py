"""One admission pipeline for every operation, whatever door it came through.

HTTP POST, HTTP GET, graphql-transport-ws and legacy graphql-ws are thin adapters in
``server/``: each turns what it received into a ``GraphQLRequest`` and an ``Arrival`` and
hands them to ``AdmissionPipeline.run``, which takes every operation through the same
ordered steps, one module each:

    1. envelope   every field of the request type-checked before use      (envelope.py)
    2. identity   persisted ids, APQ hashes and trusted documents          (documents.py)
    3. parse      the text parsed once, cached by text (bounded)            (documents.py)
    4. limits     depth, aliases, directives, root fields; validation      (limits.py)
    5. cost       variables coerced, the operation's cost against ceiling  (cost.py)
    6. caller     credentials and session; trusted-document and
                  introspection policy                                     (caller.py)
    7. budget     rate limit, cost budget, subscription slot                (budget.py)
    8. execution  compiled plan or Strawberry's standard execution         (execute.py)
    9. log        one request-log line and the request metrics             (log.py)

Every refusal is a ``BawabaError`` with a code; ``outcome.py`` says what the pipeline
answers, and the transports only frame it (status codes, WebSocket messages).
"""
