"""Adapters to the agency registries: all data access lives here.

Each registry is reached through a small typed interface (``registry_interfaces``) that
answers in batches and returns plain records (``records``), so that an SQL adapter, or one
that calls an agency over HTTP, can stand behind it without the resolvers noticing.
"""
