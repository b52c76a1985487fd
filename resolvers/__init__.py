"""What each field does: rules, authorization and orchestration over the registries."""
