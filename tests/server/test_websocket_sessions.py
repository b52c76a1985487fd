"""A socket's session, checked for as long as the socket lives; and the legacy graphql-ws.

- A socket whose session is logged out is closed with 4401 "Session revoked", within the
  revocation window, on every process: two `gateway serve` processes on PostgreSQL and
  Redis, the sockets on both, the logout through one.
- A socket whose token expires is closed with 4403 "Token expired".
- The per-person cap on live subscriptions holds across the two processes (Redis leases),
  and a subscription that ends frees its slot.
- The legacy graphql-ws protocol: init timeout, authentication, and operations through the
  same admission pipeline as every other door.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
import websockets
from redis.asyncio import Redis

from cli.stores import prepare_stores
from datasources.gateway_store.subscription_leases import RedisSubscriptionLeases
from datasources.stores import open_stores
from demo.demo_population import GUARDIAN, RESIDENT_GUARDIAN, SARA
from settings import Settings
from tests.support.contract_documents import contract_document
from tests.support.gateway_processes import gateway_process
from tests.support.legacy_ws import LegacyWS
from tests.support.live_production import LiveGateway, serving_production
from tests.support.live_server import TransportWS
from tests.support.permit_helpers import ISSUE, permit_input
from tests.support.running_gateway import GENEROUS_LIMITS, TEST_SECRET, today_of
from tests.support.servers import postgres_databases
from tests.support.sign_in_flow import LOGIN
from tests.support.tokens import issue_access_token

MY_FAMILY = contract_document("frontend/MyFamily.graphql")
SESSION = contract_document("frontend/Session.graphql")
WATCH = contract_document("frontend/WatchMyPermits.graphql")
REVOCATION_WINDOW = 0.5  # seconds: revocation_cache_seconds, and the sweep's interval
SUBSCRIPTIONS_PER_PERSON = 2
CLOSE_WAIT = 30.0  # how long a test waits for a close before it fails (no timing asserted)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def closed_with(socket: TransportWS | LegacyWS, timeout: float = CLOSE_WAIT) -> Any:
    """The close frame the server sent, once the socket is closed (messages before it are
    read and dropped: keep-alives, pings)."""
    with pytest.raises(websockets.ConnectionClosed) as closed:
        while True:
            await socket.receive(timeout=timeout)
    return closed.value.rcvd


# -- two processes, one PostgreSQL, one Redis ------------------------------------------------


@dataclass
class TwoProcesses:
    a: str
    b: str
    settings: Settings  # what both run on (their stores)

    @property
    def ws_a(self) -> str:
        return self.a.replace("http://", "ws://", 1)

    @property
    def ws_b(self) -> str:
        return self.b.replace("http://", "ws://", 1)

    async def sign_in(self, national_id: str) -> dict[str, str]:
        """A session through the real two steps on process b, the code read from the SMS
        outbox in the shared gateway store."""
        async with httpx.AsyncClient(base_url=self.b, timeout=30) as http:
            started = await self._login(
                http, "StartLogin", {"nationalId": national_id, "password": "Bawaba-Demo-2026"}
            )
            challenge = started["startLogin"]["challenge"]["id"]
            code = await self._code(national_id)
            completed = await self._login(
                http, "CompleteLogin", {"challengeId": challenge, "code": code}
            )
        session: dict[str, str] = completed["completeLogin"]["session"]
        return session

    @staticmethod
    async def _login(http: httpx.AsyncClient, operation: str, variables: dict) -> dict:
        body = {"query": LOGIN, "operationName": operation, "variables": variables}
        data = (await http.post("/graphql", json=body)).json()["data"]
        assert data[next(iter(data))]["errors"] == [], data
        return data  # type: ignore[no-any-return]

    async def _code(self, national_id: str) -> str:
        stores = open_stores(self.settings)
        try:
            [message] = await stores.sms.messages(national_id, limit=1)
        finally:
            await stores.close()
        match = re.search(r"\b(\d{6})\b", message.body)
        assert match, message.body
        return match.group(1)


@pytest.fixture(scope="module")
async def two_processes(
    tmp_path_factory: pytest.TempPathFactory, redis_url: str
) -> AsyncIterator[TwoProcesses]:
    databases = await postgres_databases()
    data_dir = tmp_path_factory.mktemp("two-processes")
    settings = Settings(
        data_dir=data_dir,
        secret_key=TEST_SECRET,
        civil_registry_url=await databases.create("civil"),
        passport_registry_url=await databases.create("passport"),
        gateway_store_url=await databases.create("gateway"),
    )
    await prepare_stores(settings)  # demo mode: the demo people and their passwords
    environment = {
        "BAWABA_SECRET_KEY": TEST_SECRET,
        "BAWABA_DATA_DIR": str(data_dir),
        "BAWABA_CIVIL_REGISTRY_URL": str(settings.civil_registry_url),
        "BAWABA_PASSPORT_REGISTRY_URL": str(settings.passport_registry_url),
        "BAWABA_GATEWAY_STORE_URL": str(settings.gateway_store_url),
        "BAWABA_REDIS_URL": redis_url,
        # Other test runs share this Redis: an event stream of our own.
        "BAWABA_EVENT_STREAM": f"test:sessions:{secrets.token_hex(6)}",
        "BAWABA_AGENCY_REVIEW": "false",
        "BAWABA_REVOCATION_CACHE_SECONDS": str(REVOCATION_WINDOW),
        "BAWABA_MAX_SUBSCRIPTIONS_PER_PERSON": str(SUBSCRIPTIONS_PER_PERSON),
        **{f"BAWABA_{name.upper()}": value for name, value in GENEROUS_LIMITS.items()},
    }
    with gateway_process(environment) as a, gateway_process(environment) as b:
        yield TwoProcesses(a, b, settings)


async def test_a_logout_on_one_process_closes_the_sessions_sockets_on_both(
    two_processes: TwoProcesses,
) -> None:
    session = await two_processes.sign_in(RESIDENT_GUARDIAN.national_id)
    token = session["accessToken"]
    async with (
        TransportWS.connect(two_processes.ws_a, bearer(token)) as on_a,
        LegacyWS.connect(two_processes.ws_b, bearer(token)) as on_b,
        httpx.AsyncClient(timeout=30) as http,
    ):
        # Both sockets serve the session: a query each, and a live subscription on a.
        await on_a.subscribe(MY_FAMILY, id="family")
        [family] = await on_a.next_events(1)
        assert family["me"]["nationalId"] == RESIDENT_GUARDIAN.national_id
        await on_a.subscribe(WATCH, id="watch")
        await on_b.start({"query": MY_FAMILY}, id="family")
        assert (await on_b.receive())["payload"]["data"]["me"] is not None
        assert (await on_b.receive())["type"] == "complete"

        logout = await http.post(
            f"{two_processes.b}/graphql",
            json={
                "query": SESSION,
                "operationName": "Logout",
                "variables": {"refreshToken": session["refreshToken"]},
            },
            headers=bearer(token),
        )
        assert logout.json()["data"]["logout"]["errors"] == []
        logged_out = time.monotonic()
        closes = await asyncio.gather(closed_with(on_a), closed_with(on_b))
        waited = time.monotonic() - logged_out

    assert [(close.code, close.reason) for close in closes] == [(4401, "Session revoked")] * 2
    print(f"\nsockets on both processes closed {waited:.2f} s after the logout "
          f"(revocation window {REVOCATION_WINDOW} s)")  # fmt: skip
    # HTTP, on the other process, refuses the token too, once the window has passed: an
    # answer its revocation cache holds from before the logout lasts until then.
    await asyncio.sleep(max(0.0, logged_out + REVOCATION_WINDOW - time.monotonic()))
    async with httpx.AsyncClient(timeout=30) as http:
        refused = await http.post(
            f"{two_processes.a}/graphql", json={"query": MY_FAMILY}, headers=bearer(token)
        )
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["extensions"] == {
        "code": "UNAUTHENTICATED",
        "reason": "SESSION_REVOKED",
        "requestId": refused.headers["x-request-id"],
    }


async def held_leases(redis_url: str, holder: str, expected: int) -> int:
    """The leases ``holder`` holds in Redis, once they are ``expected`` (or after a while:
    a subscription takes and gives back its slot as its socket's messages are handled)."""
    client = Redis.from_url(redis_url)
    leases = RedisSubscriptionLeases(client)
    try:
        for _ in range(100):
            held = await leases.held_by(holder)
            if held == expected:
                break
            await asyncio.sleep(0.05)
        return held
    finally:
        await client.aclose()


async def test_the_subscription_cap_holds_across_processes(
    two_processes: TwoProcesses, redis_url: str
) -> None:
    # A person of this test alone: other runs share the Redis that counts the leases.
    person = f"19{secrets.randbelow(10**8):08d}"
    token = issue_access_token(TEST_SECRET, person)
    async with (
        TransportWS.connect(two_processes.ws_a, bearer(token)) as on_a,
        TransportWS.connect(two_processes.ws_b, bearer(token)) as on_b,
    ):
        for op_id in ("a1", "a2"):
            await on_a.subscribe(WATCH, id=op_id)
        await on_a.expect_silence()  # both running: nothing to say until a permit changes
        assert await held_leases(redis_url, person, SUBSCRIPTIONS_PER_PERSON) == 2

        await on_b.subscribe(WATCH, id="b1")
        refused = await on_b.receive()
        assert refused["type"] == "error" and refused["id"] == "b1"
        assert refused["payload"][0]["extensions"]["code"] == "SUBSCRIPTION_LIMIT_REACHED"

        await on_a.send({"id": "a1", "type": "complete"})
        assert await held_leases(redis_url, person, 1) == 1
        await on_b.subscribe(WATCH, id="b2")
        await on_b.expect_silence()
        assert await held_leases(redis_url, person, 2) == 2
        # And the cap holds again, on the first process now.
        await on_a.subscribe(WATCH, id="a3")
        refused = await on_a.receive()
        assert refused["payload"][0]["extensions"]["code"] == "SUBSCRIPTION_LIMIT_REACHED"

    assert await held_leases(redis_url, person, 0) == 0  # closing the sockets gave all back


# -- expiry, in one process ----------------------------------------------------------------


@pytest.fixture(scope="module")
async def production(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[LiveGateway]:
    async with serving_production(
        tmp_path_factory.mktemp("sockets"), connection_init_timeout_seconds=0.5
    ) as running:
        yield running


@pytest.mark.parametrize("protocol", [TransportWS, LegacyWS], ids=["transport-ws", "graphql-ws"])
async def test_a_token_that_expires_closes_its_socket(production, protocol) -> None:
    lifetime = timedelta(seconds=2)
    token = issue_access_token(TEST_SECRET, GUARDIAN.national_id, lifetime=lifetime)
    issued = time.monotonic()
    async with protocol.connect(production.ws_url, bearer(token)) as socket:
        close = await closed_with(socket)
    print(f"\n{protocol.__name__}: closed {time.monotonic() - issued:.2f} s after a "
          f"{lifetime.total_seconds():.0f} s token was issued")  # fmt: skip
    assert (close.code, close.reason) == (4403, "Token expired")


async def test_an_operation_on_an_expired_token_is_not_run(production) -> None:
    # Between the expiry and the close, an operation already sent is refused, not run.
    token = issue_access_token(TEST_SECRET, GUARDIAN.national_id, lifetime=timedelta(seconds=1))
    async with TransportWS.connect(production.ws_url, bearer(token)) as socket:
        await asyncio.sleep(1.5)
        answers = []
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await socket.subscribe(MY_FAMILY, id="late")
            while True:
                answers.append(await socket.receive(timeout=CLOSE_WAIT))
    assert not [answer for answer in answers if answer.get("type") == "next"], answers
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403


# -- the legacy graphql-ws protocol --------------------------------------------------------


async def test_a_legacy_socket_without_init_is_closed(production) -> None:
    async with LegacyWS.connect(production.ws_url, None) as socket:
        close = await closed_with(socket)
    assert (close.code, close.reason) == (4408, "Connection initialisation timeout")


@pytest.mark.parametrize(
    "payload",
    [{}, bearer("not-a-token"), bearer(issue_access_token("another-secret-" + "x" * 40, "1"))],
    ids=["no-token", "garbage", "foreign-signature"],
)
async def test_legacy_and_transport_ws_refuse_the_same_credentials(production, payload) -> None:
    async with LegacyWS.connect(production.ws_url, payload, acknowledge=False) as legacy:
        refused = await legacy.receive()
        legacy_close = await closed_with(legacy)
    async with TransportWS.connect(production.ws_url, payload, acknowledge=False) as transport:
        transport_close = await closed_with(transport)
    assert refused["type"] == "connection_error"
    assert legacy_close.code == transport_close.code == 4403


async def test_legacy_operations_pass_the_pipeline(production) -> None:
    token = issue_access_token(TEST_SECRET, GUARDIAN.national_id)
    async with (
        LegacyWS.connect(production.ws_url, bearer(token)) as socket,
        httpx.AsyncClient(base_url=production.url, timeout=30) as http,
    ):
        # An untrusted query from a person in production: refused, as over HTTP.
        await socket.start({"query": "{ me { nationalId } }"}, id="untrusted")
        refused = await socket.receive()
        assert (refused["id"], refused["type"]) == ("untrusted", "error")
        assert refused["payload"]["extensions"]["code"] == "TRUSTED_DOCUMENTS_ONLY"

        # A trusted query: data, then complete.
        await socket.start({"query": MY_FAMILY}, id="family")
        answered = await socket.receive()
        assert (answered["id"], answered["type"]) == ("family", "data")
        assert answered["payload"]["data"]["me"]["nationalId"] == GUARDIAN.national_id
        assert await socket.receive() == {"id": "family", "type": "complete"}

        # A subscription: the permit issued over HTTP arrives on the socket.
        await socket.start({"query": WATCH}, id="watch")
        await asyncio.sleep(0.3)  # the subscription is listening before the permit is issued
        issued = await http.post(
            "/graphql",
            json={
                "query": ISSUE,
                "variables": {
                    "input": permit_input(SARA.national_id, today=today_of(production.app))
                },
            },
            headers=bearer(token),
        )
        permit = issued.json()["data"]["issueTravelPermit"]["permit"]
        event = await socket.receive()
        assert (event["id"], event["type"]) == ("watch", "data")
        change = event["payload"]["data"]["travelPermitStatusChanged"]
        assert (change["permit"]["id"], change["status"]) == (permit["id"], "PENDING")

        await socket.stop("watch")
        assert await socket.receive() == {"id": "watch", "type": "complete"}
