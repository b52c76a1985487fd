"""From document to result: the gateway schema and its builder, the admission rules as
schema extensions, error presentation, and (in ``compiled/``) compiled documents."""
