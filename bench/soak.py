"""Soak: a steady mix of contract operations against `gateway serve` on PostgreSQL and Redis.

    python bench/soak.py --rate 50 --seconds 600 --workers 2

Creates throw-away PostgreSQL databases (BENCH_POSTGRES_URL, default the local `test`
server) with the demo population, starts `gateway serve --workers N` with Redis
(BENCH_REDIS_URL), and sends MyFamily, PermitDetails, VerifyTravelPermit and PermitBoard at
a fixed rate. Reports throughput, p50/p99 latency, errors (any non-200 or GraphQL error
other than an expected one), and the server's resident memory at start and end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cli.stores import prepare_stores  # noqa: E402
from datasources.stores import open_stores  # noqa: E402
from demo.demo_population import GUARDIAN, SARA, demo_permit_id  # noqa: E402
from resolvers.global_ids import encode_global_id  # noqa: E402
from security.access_tokens import issue_access_token  # noqa: E402
from settings import Settings  # noqa: E402
from tests.support.gateway_processes import free_port  # noqa: E402

POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgresql://root@127.0.0.1:5432/test")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
CONTRACT = ROOT / "contract"


def tree_rss_mib(pid: int) -> float:
    """Resident memory of a process and its children (the uvicorn workers)."""
    pids = [pid] + [
        int(p)
        for p in subprocess.run(
            ["pgrep", "-P", str(pid)], capture_output=True, text=True
        ).stdout.split()
    ]
    total = 0
    for each in pids:
        for line in Path(f"/proc/{each}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


async def create_databases() -> tuple[dict[str, str], list[str]]:
    names = {
        kind: f"bawaba_soak_{kind}_{uuid.uuid4().hex[:8]}"
        for kind in ("civil", "passport", "gateway")
    }
    connection = await asyncpg.connect(POSTGRES)
    for name in names.values():
        await connection.execute(f'CREATE DATABASE "{name}"')
    await connection.close()
    base = POSTGRES.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    return {kind: f"{base}/{name}" for kind, name in names.items()}, list(names.values())


async def drop_databases(names: list[str]) -> None:
    connection = await asyncpg.connect(POSTGRES)
    for name in names:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await connection.close()


def mix(secret: str, partner_key: str) -> list[tuple[float, str, dict, dict]]:
    guardian = {
        "Authorization": "Bearer "
        + issue_access_token(secret, GUARDIAN.national_id, lifetime=timedelta(hours=2))
    }
    operator = {
        "Authorization": "Bearer "
        + issue_access_token(
            secret,
            "1048273617",
            scopes=["stats:read", "permits:watch-all"],
            lifetime=timedelta(hours=2),
        )
    }
    today = date.today()
    return [
        (0.6, (CONTRACT / "frontend/MyFamily.graphql").read_text(), {}, guardian),
        (
            0.2,
            (CONTRACT / "frontend/PermitDetails.graphql").read_text(),
            {"id": encode_global_id("TravelPermit", demo_permit_id(1))},
            guardian,
        ),
        (
            0.15,
            (CONTRACT / "partner/VerifyTravelPermit.graphql").read_text(),
            {
                "nationalId": SARA.national_id,
                "destination": "AE",
                "on": (today + timedelta(days=3)).isoformat(),
            },
            {"X-API-Key": partner_key},
        ),
        (
            0.05,
            (CONTRACT / "dashboard/PermitBoard.graphql").read_text(),
            {"from": (today - timedelta(days=30)).isoformat(), "to": today.isoformat()},
            operator,
        ),
    ]


async def run(rate: float, seconds: float, workers: int) -> None:
    urls, names = await create_databases()
    secret = secrets.token_urlsafe(40)
    settings = Settings(
        secret_key=secret,
        civil_registry_url=urls["civil"],
        passport_registry_url=urls["passport"],
        gateway_store_url=urls["gateway"],
    )
    await prepare_stores(settings)
    stores = open_stores(settings)
    _, partner_key = await stores.partner_keys.create(
        "Soak", ["permits:verify"], at=datetime.now(UTC)
    )
    await stores.close()
    port = free_port()
    env = {
        **os.environ,
        "BAWABA_SECRET_KEY": secret,
        "BAWABA_REDIS_URL": REDIS,
        "BAWABA_CIVIL_REGISTRY_URL": urls["civil"],
        "BAWABA_PASSPORT_REGISTRY_URL": urls["passport"],
        "BAWABA_GATEWAY_STORE_URL": urls["gateway"],
        "BAWABA_AUTO_MIGRATE": "false",
        "BAWABA_AGENCY_REVIEW": "false",
        "BAWABA_RATE_LIMIT_PER_CALLER": "1000000/minute",
        "BAWABA_COST_BUDGET_PER_CALLER": "1000000000/minute",
        "BAWABA_EVENT_STREAM": f"soak:{secret[:8]}",
    }
    server = subprocess.Popen(  # noqa: ASYNC220 (started once, before any load)
        [sys.executable, "-m", "cli.main", "serve", "--port", str(port), "--workers", str(workers)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    latencies: list[float] = []
    errors: dict[str, int] = {}
    try:
        async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=200)) as http:
            for _ in range(300):
                try:
                    if (await http.get(f"{base}/readyz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.1)
            operations = mix(secret, partner_key)
            weights = [weight for weight, *_ in operations]
            for _ in range(20):  # warm every worker
                for _, query, variables, headers in operations:
                    await http.post(
                        f"{base}/graphql",
                        json={"query": query, "variables": variables},
                        headers=headers,
                    )
            rss_start = tree_rss_mib(server.pid)

            async def one(query: str, variables: dict, headers: dict) -> None:
                started = time.perf_counter()
                try:
                    response = await http.post(
                        f"{base}/graphql",
                        json={"query": query, "variables": variables},
                        headers=headers,
                    )
                    latencies.append(time.perf_counter() - started)
                    body = response.json()
                    if response.status_code != 200 or body.get("errors"):
                        first = (body.get("errors") or [{}])[0]
                        code = (first.get("extensions") or {}).get("code")
                        key = f"{response.status_code}:{code}"
                        errors[key] = errors.get(key, 0) + 1
                except httpx.HTTPError as error:
                    errors[type(error).__name__] = errors.get(type(error).__name__, 0) + 1

            pending: set[asyncio.Task] = set()
            generator = random.Random(7)
            began = time.monotonic()
            sent = 0
            while time.monotonic() - began < seconds:
                due = began + sent / rate
                await asyncio.sleep(max(0, due - time.monotonic()))
                _, query, variables, headers = generator.choices(operations, weights)[0]
                task = asyncio.create_task(one(query, variables, headers))
                pending.add(task)
                task.add_done_callback(pending.discard)
                sent += 1
            await asyncio.gather(*pending)
            elapsed = time.monotonic() - began
            rss_end = tree_rss_mib(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=20)
        await drop_databases(names)
    ordered = sorted(latencies)
    print(f"workers {workers}, offered {rate}/s for {seconds:.0f} s")
    print(
        f"requests   {len(ordered)} ({len(ordered) / elapsed:.1f}/s), "
        f"errors {sum(errors.values())} {errors}"
    )
    print(
        f"latency    p50 {statistics.median(ordered) * 1000:.1f} ms, "
        f"p99 {ordered[int(len(ordered) * 0.99) - 1] * 1000:.1f} ms"
    )
    print(f"server RSS start {rss_start:.0f} MiB, end {rss_end:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--workers", type=int, default=2)
    arguments = parser.parse_args()
    asyncio.run(run(arguments.rate, arguments.seconds, arguments.workers))


if __name__ == "__main__":
    main()
