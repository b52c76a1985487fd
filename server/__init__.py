"""The HTTP and WebSocket transport: the /graphql view and the graphql-transport-ws handler.

It turns requests and frames into operations and answers into bytes; what an operation is
allowed and what it does are decided below it (``security/``, ``execution/``).
"""
