"""The gateway's Prometheus metrics: their definitions, one recording function each, and
the text served at ``/metrics``.

With ``gateway serve --workers N`` every worker writes its values to memory-mapped files in
``PROMETHEUS_MULTIPROC_DIR`` (prometheus-client's multiprocess mode) and a scrape, whichever
worker answers it, adds up the files of all workers: totals, never one worker's fragment.
The library chooses its mode when it is first imported, so ``shared_metrics_directory`` must
set the variable before the workers start. Without it (one process, the tests) the values
live in this process's memory.

Labels hold only bounded, non-personal values: operation names the caller of
``record_request`` has already bounded, error codes, registry, loader and limit names.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess as prometheus_multiprocess

MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
# Decided once, as prometheus-client decides it when it is imported.
MULTIPROCESS = MULTIPROCESS_VARIABLE in os.environ
CONTENT_TYPE = CONTENT_TYPE_LATEST

REGISTRY = CollectorRegistry(auto_describe=True)

REQUESTS = Counter(
    "bawaba_requests",
    "GraphQL operations (HTTP and WebSocket), by operation name and outcome (ok or error).",
    ["operation", "outcome"],
    registry=REGISTRY,
)
REQUEST_DURATION = Histogram(
    "bawaba_request_duration_seconds",
    "Time from receiving a GraphQL request to its response, by operation name.",
    ["operation"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
ERRORS = Counter(
    "bawaba_errors",
    "Error codes sent to clients (one per code and request or refused WebSocket).",
    ["code"],
    registry=REGISTRY,
)
REGISTRY_CALLS = Counter(
    "bawaba_registry_calls",
    "Calls to an agency registry, by registry and result "
    "(ok, timeout, unavailable, circuit_open, constraint, cancelled, error).",
    ["registry", "result"],
    registry=REGISTRY,
)
REGISTRY_CALL_DURATION = Histogram(
    "bawaba_registry_call_duration_seconds",
    "Time of one registry call, by registry.",
    ["registry"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 3),
    registry=REGISTRY,
)
DATALOADER_BATCH_SIZE = Histogram(
    "bawaba_dataloader_batch_size",
    "Keys per batched registry call, by DataLoader.",
    ["loader"],
    buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500),
    registry=REGISTRY,
)
OPEN_SUBSCRIPTIONS = Gauge(
    "bawaba_open_subscriptions",
    "GraphQL subscriptions open now, by subscription field.",
    ["subscription"],
    multiprocess_mode="livesum",
    registry=REGISTRY,
)
RELAY_LAG = Histogram(
    "bawaba_event_relay_lag_seconds",
    "Time from a change log record to its delivery to this process's subscribers.",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
    registry=REGISTRY,
)
RATE_LIMIT_REJECTIONS = Counter(
    "bawaba_rate_limit_rejections",
    "Operations refused with RATE_LIMITED, by limit (request, sign-in, issue-permit, cost).",
    ["limit"],
    registry=REGISTRY,
)


# A child for each metric's labels, found once: ``labels()`` takes a lock and checks its
# arguments on every call, a dozen times per request on the hot path. Label values are bounded
# (operation names, codes, registries, loaders), the caches more so. One cache per kind of
# metric, so that each returns its own kind.
@lru_cache(maxsize=4096)
def _counter(metric: Counter, *labels: str) -> Counter:
    return metric.labels(*labels)


@lru_cache(maxsize=4096)
def _histogram(metric: Histogram, *labels: str) -> Histogram:
    return metric.labels(*labels)


def record_request(
    *, operation: str, outcome: str, seconds: float, error_codes: Iterable[str]
) -> None:
    _counter(REQUESTS, operation, outcome).inc()
    _histogram(REQUEST_DURATION, operation).observe(seconds)
    record_errors(error_codes)


def record_errors(codes: Iterable[str]) -> None:
    """Codes sent to a client: in a request's errors, or closing a WebSocket."""
    for code in codes:
        _counter(ERRORS, code).inc()


def record_registry_call(registry: str, result: str, seconds: float) -> None:
    _counter(REGISTRY_CALLS, registry, result).inc()
    _histogram(REGISTRY_CALL_DURATION, registry).observe(seconds)


def record_batch(loader: str, size: int) -> None:
    _histogram(DATALOADER_BATCH_SIZE, loader).observe(size)


@contextmanager
def open_subscription(name: str) -> Iterator[None]:
    """Count a subscription as open for as long as the block runs."""
    gauge = OPEN_SUBSCRIPTIONS.labels(name)
    gauge.inc()
    try:
        yield
    finally:
        gauge.dec()


def count_subscription_opened(name: str) -> None:
    """For subscriptions whose lifetime is not one block (a shared group's member)."""
    OPEN_SUBSCRIPTIONS.labels(name).inc()


def count_subscription_closed(name: str) -> None:
    OPEN_SUBSCRIPTIONS.labels(name).dec()


def record_relay_lag(seconds: float) -> None:
    # Clocks of two hosts may disagree by a little: never a negative lag.
    RELAY_LAG.observe(max(seconds, 0.0))


def record_rate_limit_rejection(limit: str) -> None:
    RATE_LIMIT_REJECTIONS.labels(limit).inc()


def exposition() -> bytes:
    """Every metric in Prometheus's text format: all workers' together in multiprocess mode."""
    if not MULTIPROCESS:
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    prometheus_multiprocess.MultiProcessCollector(registry)
    return generate_latest(registry)


def mark_process_dead() -> None:
    """A worker stops: its open-subscription gauge no longer counts (its counters still do)."""
    if MULTIPROCESS:
        prometheus_multiprocess.mark_process_dead(os.getpid())


@contextmanager
def metrics_shared_by(workers: int) -> Iterator[Path | None]:
    """Multiprocess mode for the worker processes started inside the block, when needed.

    Uses ``PROMETHEUS_MULTIPROC_DIR`` when it is set (emptied of an earlier run's files,
    which would otherwise be added to this run's); else, for more than one worker, a new
    temporary folder removed afterwards. One worker without the variable keeps its metrics
    in memory.
    """
    given = os.environ.get(MULTIPROCESS_VARIABLE)
    if given:
        folder = Path(given)
        folder.mkdir(parents=True, exist_ok=True)
        mine = f"_{os.getpid()}.db"  # this process's own files, opened at import: live
        for stale in folder.glob("*.db"):
            if not stale.name.endswith(mine):
                stale.unlink()
        yield folder
        return
    if workers <= 1:
        yield None
        return
    folder = Path(tempfile.mkdtemp(prefix="bawaba-metrics-"))
    os.environ[MULTIPROCESS_VARIABLE] = str(folder)
    try:
        yield folder
    finally:
        del os.environ[MULTIPROCESS_VARIABLE]
        shutil.rmtree(folder, ignore_errors=True)
