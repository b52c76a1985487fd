"""What fields and mutations do, per domain: rules, authorization, pagination, IDs and the
calendar, over the registries' typed interfaces. No transport, policy engine or worker."""
