"""The HTTP and WebSocket transport: the /graphql endpoint (POST, GET, GraphiQL for a
browser), the WebSocket endpoint and its two protocols, each socket's session, and the error
boundary around the whole request path.

It turns requests and frames into operations and answers into bytes; what an operation is
allowed and what it does are decided below it, in the admission pipeline (``pipeline/``).
"""
