"""``/metrics``: the Prometheus text, for the scrapers that configuration lets in.

A scrape must come from an allowed network (``BAWABA_METRICS_ALLOWED_NETWORKS``, loopback by
default) and, when ``BAWABA_METRICS_TOKEN`` is set, carry it as a bearer token. The address
is the client's as the server reports it: an ``X-Forwarded-For`` header is never read here,
so a client cannot claim to be local. (uvicorn replaces the peer with the forwarded address
only for the proxies listed in ``BAWABA_FORWARDED_ALLOW_IPS``, none by default.)
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network, ip_address

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from errors import BawabaError, MetricsAddressRefused, MetricsTokenRefused
from i18n.catalog import MessageCatalog, negotiate_locale
from telemetry.metrics import CONTENT_TYPE, exposition
from telemetry.request_ids import request_id_of

Network = IPv4Network | IPv6Network


@dataclass(frozen=True)
class MetricsAccess:
    networks: Sequence[Network]
    token: str | None = None

    def check(self, peer: str | None, authorization: str | None) -> None:
        """Return when the scrape may be served; raise which rule refused it otherwise."""
        if not self._allowed_address(peer):
            raise MetricsAddressRefused()
        if self.token is None:
            return
        scheme, _, given = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode(), self.token.encode()
        ):
            raise MetricsTokenRefused()

    def _allowed_address(self, peer: str | None) -> bool:
        try:
            address = ip_address(peer or "")
        except ValueError:
            return False  # no peer (a Unix socket) or not an address: never let in
        if address.version == 6 and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return any(address in network for network in self.networks)


class MetricsEndpoint:
    """The Starlette endpoint serving ``/metrics``."""

    def __init__(self, access: MetricsAccess, messages: MessageCatalog) -> None:
        self.access = access
        self.messages = messages

    async def serve(self, request: Request) -> Response:
        peer = request.client.host if request.client else None
        try:
            self.access.check(peer, request.headers.get("authorization"))
        except (MetricsAddressRefused, MetricsTokenRefused) as refused:
            return self._refusal(request, refused)
        return Response(exposition(), media_type=CONTENT_TYPE)

    def _refusal(self, request: Request, refused: BawabaError) -> Response:
        locale = negotiate_locale(request.headers.get("accept-language"))
        status = 403 if isinstance(refused, MetricsAddressRefused) else 401
        headers = {"WWW-Authenticate": 'Bearer realm="bawaba-metrics"'} if status == 401 else None
        error = {
            "message": self.messages.message(refused.code, locale),
            "extensions": {"code": refused.code, "requestId": request_id_of(request.scope)},
        }
        return JSONResponse({"errors": [error]}, status_code=status, headers=headers)
