"""From an admitted operation to its result: the gateway schema and its builder, error
presentation, and (in ``compiled/``) compiled plans of trusted documents."""
