"""``gateway serve``: prepare the stores once, then uvicorn with as many workers as asked."""

from __future__ import annotations

import argparse
import asyncio
from typing import TypeAlias

import uvicorn

from cli.stores import prepare_stores
from live.direct_frames import DirectFramesWebSocketProtocol
from settings import Settings
from telemetry.metrics import metrics_shared_by
from telemetry.request_log import JSON_LOG_CONFIG

# argparse names no public type for it (tests/test_library_internals.py); a string, as
# it is generic only to type checkers.
Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def add_to(commands: Commands) -> None:
    serve = commands.add_parser("serve", help="serve GraphQL (and GraphiQL) over HTTP")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(run=run_serve)


def run_serve(arguments: argparse.Namespace) -> int:
    settings = Settings()
    # Several workers write their metrics to shared files, so /metrics shows their totals.
    with metrics_shared_by(arguments.workers):
        if settings.auto_migrate:
            asyncio.run(prepare_stores(settings))
        uvicorn.run(
            "gateway:create_app",
            factory=True,
            host=arguments.host,
            port=arguments.port,
            workers=arguments.workers,
            log_level="info",
            access_log=False,
            log_config=JSON_LOG_CONFIG,  # applied again in each worker process
            # The graphql-transport-ws handler pings and drops silent peers itself (4504); a
            # second, protocol-level ping per connection would double that traffic.
            ws_ping_interval=None,
            # Fan-out writes each subscriber's frame straight to its transport (see
            # live/direct_frames.py); per-message deflate would rule that out and cost a
            # compressor per connection, for messages of a few hundred bytes.
            # uvicorn's internal protocol class, subclassed: tests/test_library_internals.py
            ws=DirectFramesWebSocketProtocol,
            ws_per_message_deflate=False,
            # A WebSocket message is refused (1009) past the HTTP body limit, as a body is.
            ws_max_size=settings.max_body_bytes,
            # The client's address (sign-in limits, rate limits, the /metrics allowlist, the
            # access audit) is the peer's, or X-Forwarded-For's only from the proxies listed
            # in BAWABA_FORWARDED_ALLOW_IPS: uvicorn would otherwise trust loopback's header
            # (FORWARDED_ALLOW_IPS), so anyone behind a local proxy that does not set it
            # could name their own address.
            proxy_headers=bool(settings.forwarded_allow_ips),
            forwarded_allow_ips=[str(network) for network in settings.forwarded_allow_ips],
        )
    return 0
