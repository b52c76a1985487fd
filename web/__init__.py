"""Browser pages served by the gateway: GraphiQL and the operations console, with their assets."""
