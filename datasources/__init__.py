"""Every byte that leaves the process: the registries and stores, their records and typed
interfaces, per-request loaders, SQL plumbing and the event bus.

Each registry is reached through a small typed interface (``registry_interfaces``) that
answers in batches and returns plain records (``records``), so that an SQL adapter, or one
that calls an agency over HTTP, can stand behind it without the resolvers noticing.
"""
