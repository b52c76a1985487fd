"""The ``gateway`` command line: a thin layer over the wiring in ``gateway.py``.

One module per command group: ``serve``, ``stores`` (migrate, seed, outbox), ``tokens``,
``partners``, ``documents`` (trusted documents and the exported schema); ``main`` parses.
"""
