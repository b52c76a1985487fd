"""/metrics: the right counts after a known sequence of requests, in one process and in two
worker processes. Who may scrape is tested in test_metrics_endpoint.py."""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
import websockets
from prometheus_client.mmap_dict import MmapedDict, mmap_key
from prometheus_client.parser import text_string_to_metric_families
from purgatory import AsyncCircuitBreakerFactory

from cli.stores import prepare_stores
from datasources.sql_engine import RegistryGuard
from demo.demo_population import GUARDIAN, SARA
from errors import RegistryTimeout, RegistryUnavailable
from settings import Settings
from telemetry.metrics import exposition
from tests.support.contract_documents import contract_document
from tests.support.gateway_processes import GATEWAY_PROCESSES, gateway_process
from tests.support.live_server import TransportWS, serving
from tests.support.permit_helpers import ISSUE, permit_input
from tests.support.running_gateway import (
    GENEROUS_LIMITS,
    TEST_SECRET,
    make_settings,
    serving_settings,
    today_of,
)
from tests.support.tokens import issue_access_token

MY_FAMILY = contract_document("frontend/MyFamily.graphql")
WATCH = contract_document("frontend/WatchMyPermits.graphql")
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def parse(text: str) -> Samples:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def scrape(client: httpx.AsyncClient) -> Samples:
    response = await client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return parse(response.text)


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def change(before: Samples, after: Samples, name: str, **labels: str) -> float:
    """How much one series moved: the metrics are the process's, shared by every test."""
    return value(after, name, **labels) - value(before, name, **labels)


async def post(client: httpx.AsyncClient, query: str, token: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await client.post("/graphql", json={"query": query}, headers=headers)


@asynccontextmanager
async def gateway_client(tmp_path: Path, **overrides: object) -> AsyncIterator[httpx.AsyncClient]:
    settings = (await make_settings("sqlite", tmp_path)).model_copy(update=overrides)
    async with serving_settings(settings) as (_, client):
        yield client


async def test_a_known_sequence_of_requests_is_counted_exactly(tmp_path) -> None:
    async with gateway_client(tmp_path, rate_limit_per_caller="3/minute") as client:
        token = issue_access_token(TEST_SECRET, GUARDIAN.national_id)
        before = await scrape(client)

        family = [await post(client, MY_FAMILY, token) for _ in range(3)]
        over_budget = await post(client, MY_FAMILY, token)
        bad_token = await post(client, MY_FAMILY, "not-a-token")
        invented = await post(client, "query InventedName { me { nationalId } }")

        after = await scrape(client)

    assert [r.status_code for r in family] == [200, 200, 200]
    assert [over_budget.status_code, bad_token.status_code, invented.status_code] == [429, 401, 200]
    requests = "bawaba_requests_total"
    assert change(before, after, requests, operation="MyFamily", outcome="ok") == 3
    # The document is read before the caller (admission's order): the rate limit and the
    # bad token refuse a MyFamily.
    assert change(before, after, requests, operation="MyFamily", outcome="error") == 2
    assert change(before, after, requests, operation="none", outcome="error") == 0
    # A name no trusted document has is not a label of its own.
    assert change(before, after, requests, operation="other", outcome="error") == 1
    assert value(after, requests, operation="InventedName", outcome="error") == 0
    duration = "bawaba_request_duration_seconds"
    assert change(before, after, f"{duration}_count", operation="MyFamily") == 5
    assert change(before, after, f"{duration}_bucket", operation="MyFamily", le="+Inf") == 5
    assert change(before, after, f"{duration}_sum", operation="MyFamily") > 0
    errors = "bawaba_errors_total"
    assert change(before, after, errors, code="RATE_LIMITED") == 1
    # The bad token, and the invented query's `me` without one.
    assert change(before, after, errors, code="UNAUTHENTICATED") == 2
    assert change(before, after, "bawaba_rate_limit_rejections_total", limit="request") == 1
    # The family page is one statement per relation: me and dependents from the civil
    # registry, my passport and the children's permits from the passport registry.
    for registry in ("civil", "passport"):
        calls = change(before, after, "bawaba_registry_calls_total", registry=registry, result="ok")
        assert calls == 3 * 2, registry
        assert (
            change(before, after, "bawaba_registry_call_duration_seconds_count", registry=registry)
            == 3 * 2
        )
    # The five children's permit pages are one batch per request.
    batches = "bawaba_dataloader_batch_size"
    loader = "PermitPageByTravellerLoader"
    assert change(before, after, f"{batches}_count", loader=loader) == 3
    assert change(before, after, f"{batches}_sum", loader=loader) == 3 * 5
    assert change(before, after, f"{batches}_bucket", loader=loader, le="5.0") == 3
    assert change(before, after, f"{batches}_bucket", loader=loader, le="2.0") == 0


async def test_nothing_personal_is_exported(tmp_path) -> None:
    async with gateway_client(tmp_path) as client:
        token = issue_access_token(TEST_SECRET, GUARDIAN.national_id)
        await post(client, MY_FAMILY, token)
        text = (await client.get("/metrics")).text
    for secret in (GUARDIAN.national_id, SARA.national_id, token):
        assert secret not in text


async def test_a_registry_call_is_counted_by_its_result() -> None:
    breakers = AsyncCircuitBreakerFactory(default_threshold=1, default_ttl=60)
    guard = RegistryGuard("metrics-test", timeout=0.01, breakers=breakers)
    before = parse(exposition().decode())
    with pytest.raises(RegistryTimeout):
        async with guard.call():
            await asyncio.Event().wait()  # never set: the time limit ends it
    with pytest.raises(RegistryUnavailable):
        async with guard.call():
            pass  # the breaker opened after one failure: not even tried
    after = parse(exposition().decode())

    calls = "bawaba_registry_calls_total"
    assert change(before, after, calls, registry="metrics-test", result="timeout") == 1
    assert change(before, after, calls, registry="metrics-test", result="circuit_open") == 1
    assert change(before, after, calls, registry="metrics-test", result="ok") == 0


async def test_a_permit_event_is_measured_from_the_change_log_to_delivery(tmp_path) -> None:
    settings = await make_settings("sqlite", tmp_path)
    async with serving_settings(settings) as (app, client):
        token = issue_access_token(TEST_SECRET, GUARDIAN.national_id)
        before = await scrape(client)
        permit = permit_input(SARA.national_id, today=today_of(app))
        response = await client.post(
            "/graphql",
            json={"query": ISSUE, "variables": {"input": permit}},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert "errors" not in response.json(), response.text
        lag = "bawaba_event_relay_lag_seconds_count"
        for _ in range(100):  # the relay polls the change log every 0.1 s
            after = await scrape(client)
            if change(before, after, lag) > 0:
                break
            await asyncio.sleep(0.05)
    assert change(before, after, lag) == 1  # one event: the permit requested (PENDING)
    assert change(before, after, "bawaba_event_relay_lag_seconds_sum") >= 0


async def test_open_subscriptions_are_counted_while_they_run(tmp_path) -> None:
    settings = await make_settings("sqlite", tmp_path)
    token = issue_access_token(TEST_SECRET, GUARDIAN.national_id)
    gauge = "bawaba_open_subscriptions"
    async with serving_settings(settings) as (app, client), serving(app) as url:
        before = await scrape(client)
        async with TransportWS.connect(url, {"Authorization": f"Bearer {token}"}) as socket:
            await socket.subscribe(WATCH)
            during = before
            for _ in range(100):
                during = await scrape(client)
                if change(before, during, gauge, subscription="travelPermitStatusChanged"):
                    break
                await asyncio.sleep(0.02)
        for _ in range(100):
            ended = await scrape(client)
            if not change(before, ended, gauge, subscription="travelPermitStatusChanged"):
                break
            await asyncio.sleep(0.02)
    assert change(before, during, gauge, subscription="travelPermitStatusChanged") == 1
    assert change(before, ended, gauge, subscription="travelPermitStatusChanged") == 0


async def test_a_refused_websocket_counts_its_code(tmp_path) -> None:
    settings = await make_settings("sqlite", tmp_path)
    async with serving_settings(settings) as (app, client), serving(app) as url:
        before = await scrape(client)
        async with TransportWS.connect(
            url, {"Authorization": "Bearer not-a-token"}, acknowledge=False
        ) as socket:
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await socket.receive()
        after = await scrape(client)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403
    assert change(before, after, "bawaba_errors_total", code="UNAUTHENTICATED") == 1


# Two worker processes ---------------------------------------------------------------------


def requests_by_worker(folder: Path) -> dict[str, float]:
    """MyFamily requests counted in each worker's own file (named after its process ID)."""
    counted: dict[str, float] = {}
    for path in folder.glob("counter_*.db"):
        for key, count, _, _ in MmapedDict.read_all_values_from_file(str(path)):
            _, name, labels, _ = json.loads(key)
            if name == "bawaba_requests_total" and labels.get("operation") == "MyFamily":
                counted[path.stem] = counted.get(path.stem, 0) + count
    return counted


def stale_file_of_an_earlier_run(folder: Path) -> None:
    """1,000 MyFamily requests left by an earlier run in the shared folder."""
    folder.mkdir()
    stale = MmapedDict(str(folder / "counter_999999.db"))
    key = mmap_key(
        "bawaba_requests", "bawaba_requests_total", ["operation", "outcome"], ["MyFamily", "ok"],
        "GraphQL requests over HTTP, by operation name and outcome (ok or error).",
    )  # fmt: skip
    stale.write_value(key, 1000.0, 0.0)
    stale.close()


@GATEWAY_PROCESSES
@pytest.mark.parametrize("workers", [2, 1])
async def test_every_worker_s_requests_are_in_every_scrape(tmp_path, workers) -> None:
    secret = secrets.token_urlsafe(40)
    data = tmp_path / "data"
    await prepare_stores(
        Settings(data_dir=data, secret_key=secret, agency_review=False, **GENEROUS_LIMITS)
    )
    shared = tmp_path / "metrics"
    stale_file_of_an_earlier_run(shared)
    environment = {
        "BAWABA_DATA_DIR": str(data),
        "BAWABA_SECRET_KEY": secret,
        "BAWABA_AGENCY_REVIEW": "false",
        "BAWABA_RATE_LIMIT_PER_CALLER": "100000/minute",
        "PROMETHEUS_MULTIPROC_DIR": str(shared),
    }
    token = issue_access_token(secret, GUARDIAN.national_id)
    log = tmp_path / "gateway.log"
    with gateway_process(environment, workers=workers, log_path=log) as url:
        # A new connection per request, several at once, until every worker has answered some
        # (the kernel decides which worker accepts; on a busy machine one may take 40 in a row).
        async def family_page() -> int:
            async with httpx.AsyncClient(base_url=url) as client:
                return (await post(client, MY_FAMILY, token)).status_code

        statuses: list[int] = []
        while len(statuses) < 40 or (
            len(requests_by_worker(shared)) < workers and len(statuses) < 800
        ):
            statuses += await asyncio.gather(*(family_page() for _ in range(8)))
        sent = len(statuses)
        scrapes = []
        for _ in range(6):  # whichever worker answers the scrape
            async with httpx.AsyncClient(base_url=url) as client:
                scrapes.append(await scrape(client))
        by_worker = requests_by_worker(shared)

    assert statuses == [200] * sent
    for samples in scrapes:
        assert value(samples, "bawaba_requests_total", operation="MyFamily", outcome="ok") == sent
        count = value(samples, "bawaba_request_duration_seconds_count", operation="MyFamily")
        assert count == sent
    assert "counter_999999" not in by_worker  # the earlier run's file was removed at start
    assert len(by_worker) == workers and sum(by_worker.values()) == sent, by_worker
    # Every worker writes the request log too, not only the metrics.
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    logged = [line for line in lines if line.get("operation") == "MyFamily"]
    assert len(logged) == sent
