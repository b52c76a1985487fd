"""MyFamily served three ways, measured in alternating rounds (run it through ``bench/run.sh``).

(a) Bawaba (``gateway serve``), (b) the hand-written endpoint (``handwritten.py``) and
(c) Bawaba's schema on Strawberry's standard view (``standard_strawberry.py``), each on
uvicorn with the same worker count, on the same fresh PostgreSQL databases. Before each
round every guardian's page is fetched from all three and must be identical; then each
server gets a warm-up and a measured wrk run, in the order a, b, c. The medians over the
rounds are printed as a table, and last the line the issue asks for. Raw results go to
``bench/results/<UTC time>/``.

Settings (environment): BENCH_QUICK=1 (5 s runs), BENCH_SECONDS, BENCH_ROUNDS (3),
BENCH_WORKERS (1), BENCH_GUARDIANS (200), BENCH_POPULATION (100000), BENCH_THREADS (2),
BENCH_CONNECTIONS (32), BENCH_PROFILE_SECONDS (20; 0 skips the profile), BENCH_POOL_SIZE
(8 / BENCH_WORKERS: database connections per registry and process),
BENCH_PORT (8400:
the three servers take it and the next two), BENCH_POSTGRES_URL, BENCH_DB_PREFIX,
BENCH_KEEP_DATABASES=1 (keep them after the run; they are dropped otherwise).
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import orjson

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))

from answers_match import AnswersDiffer, check_answers_match  # noqa: E402
from bench_databases import (  # noqa: E402
    count_population,
    create_fresh_databases,
    drop_databases,
    open_sessions,
    seed,
)
from load_rounds import RunResult, measure, run_wrk  # noqa: E402
from profile_summary import summarize  # noqa: E402

from settings import Settings  # noqa: E402

SERVERS = ("bawaba", "hand-written", "standard-strawberry")
MY_FAMILY = (ROOT / "contract/frontend/MyFamily.graphql").read_text()


def setting(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


@dataclass(frozen=True)
class Plan:
    quick: bool
    seconds: float
    warmup_seconds: float
    rounds: int
    workers: int
    guardians: int
    population: int
    threads: int
    connections: int
    profile_seconds: float
    pool_size: int
    port: int
    postgres: str
    prefix: str
    keep_databases: bool

    @classmethod
    def from_environment(cls) -> Plan:
        quick = os.environ.get("BENCH_QUICK", "") not in ("", "0")
        workers = int(setting("BENCH_WORKERS", 1))
        return cls(
            quick=quick,
            seconds=setting("BENCH_SECONDS", 5 if quick else 30),
            warmup_seconds=setting("BENCH_WARMUP_SECONDS", 2 if quick else 5),
            rounds=int(setting("BENCH_ROUNDS", 3)),
            workers=workers,
            guardians=int(setting("BENCH_GUARDIANS", 200)),
            population=int(setting("BENCH_POPULATION", 100_000)),
            threads=int(setting("BENCH_THREADS", 2)),
            connections=int(setting("BENCH_CONNECTIONS", 32)),
            profile_seconds=setting("BENCH_PROFILE_SECONDS", 5 if quick else 20),
            # The same connections per server whatever the number of its processes.
            pool_size=int(setting("BENCH_POOL_SIZE", max(1, 8 // workers))),
            port=int(setting("BENCH_PORT", 8400)),
            postgres=os.environ.get("BENCH_POSTGRES_URL", "postgresql://root@127.0.0.1:5432/test"),
            prefix=os.environ.get("BENCH_DB_PREFIX", "bawaba_bench"),
            keep_databases=os.environ.get("BENCH_KEEP_DATABASES", "") not in ("", "0"),
        )


def server_environment(
    database_environment: dict[str, str], secret: str, *, pool_size: int
) -> dict[str, str]:
    """Production mode; limits high enough that they refuse none of the load (see README).

    The registry time limit is raised too: at saturation a closed-loop load generator keeps
    every connection waiting about connections / throughput seconds, and on a busy machine
    that passed the default 3 s, so the circuit breaker opened and the run measured refusals.
    Each process may open ``pool_size`` connections per database (Bawaba's pool, which has
    no overflow; the hand-written endpoint's pool the same): three servers at Bawaba's default
    of 20 would pass PostgreSQL's 100 connections.
    """
    return {
        **os.environ,
        **database_environment,
        "BAWABA_MODE": "production",
        "BAWABA_SECRET_KEY": secret,
        "BAWABA_AUTO_MIGRATE": "false",
        "BAWABA_AGENCY_REVIEW": "false",
        "BAWABA_RATE_LIMIT_PER_CALLER": "1000000/minute",
        "BAWABA_COST_BUDGET_PER_CALLER": "1000000000/minute",
        "BAWABA_REGISTRY_TIMEOUT_SECONDS": "30",
        "BAWABA_REGISTRY_POOL_SIZE": str(pool_size),
    }


def server_commands(plan: Plan) -> dict[str, list[str]]:
    python, workers = sys.executable, str(plan.workers)

    def uvicorn(factory: str, port: int) -> list[str]:
        return [python, "-m", "uvicorn", factory, "--factory", "--app-dir", str(BENCH),
                "--port", str(port), "--workers", workers, "--no-access-log",
                "--log-level", "warning"]  # fmt: skip

    gateway = [python, "-m", "cli.main", "serve", "--port", str(plan.port), "--workers", workers]
    return {
        "bawaba": gateway,
        "hand-written": uvicorn("handwritten:create_app", plan.port + 1),
        "standard-strawberry": uvicorn("standard_strawberry:create_app", plan.port + 2),
    }


async def wait_until_answering(url: str, token: str, body: bytes, *, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    async with httpx.AsyncClient(timeout=10) as client:
        while True:
            try:
                if (await client.post(url, content=body, headers=headers)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not answer within {seconds:.0f} s")
            await asyncio.sleep(0.3)


def median_row(server: str, runs: list[RunResult]) -> dict[str, float]:
    mine = [run for run in runs if run.server == server]
    return {
        "requests_per_second": statistics.median(run.requests_per_second for run in mine),
        "p50_ms": statistics.median(run.p50_ms for run in mine),
        "p99_ms": statistics.median(run.p99_ms for run in mine),
        "cpu_ms_per_request": statistics.median(run.cpu_ms_per_request for run in mine),
        "failures": sum(run.failures for run in mine),
    }


def render_table(runs: list[RunResult], medians: dict[str, dict[str, float]]) -> str:
    lines = [f"{'server':<20} {'round':>5} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
             f"{'CPU ms/req':>10} {'failed':>6}"]  # fmt: skip
    for run in runs:
        lines.append(
            f"{run.server:<20} {run.round:>5} {run.requests_per_second:>9.1f} {run.p50_ms:>8.2f} "
            f"{run.p99_ms:>8.2f} {run.cpu_ms_per_request:>10.3f} {run.failures:>6}"
        )
    lines.append("medians:")
    for server, row in medians.items():
        lines.append(
            f"{server:<20} {'':>5} {row['requests_per_second']:>9.1f} {row['p50_ms']:>8.2f} "
            f"{row['p99_ms']:>8.2f} {row['cpu_ms_per_request']:>10.3f} {row['failures']:>6}"
        )
    return "\n".join(lines)


def record_profile(plan: Plan, pid: int, url: str, results: Path, load: dict[str, Path]) -> str:
    """py-spy on Bawaba's process(es) under the same load; returns the summary.

    ``--nonblocking``: py-spy reads the stacks without pausing the process. Pausing it 100
    times a second slowed it enough for registry calls to time out and the circuit breaker
    to open, and the profile then showed fast refusals instead of the family page.
    """
    raw = results / "profile-bawaba.txt"
    wrk = subprocess.Popen(  # the load, a little longer than the recording
        ["wrk", f"-t{plan.threads}", f"-c{plan.connections}",
         f"-d{round(plan.profile_seconds) + 4}s", "--timeout", "10s",
         "-s", str(BENCH / "myfamily.lua"), url],
        env={**os.environ, "BENCH_TOKENS": str(load["tokens"]), "BENCH_BODY": str(load["body"])},
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        time.sleep(2)
        subprocess.run(
            [str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(pid),
             "--duration", str(round(plan.profile_seconds)), "--format", "raw",
             "--full-filenames", "--subprocesses", "--nonblocking", "-o", str(raw)],
            check=True, capture_output=True,
        )  # fmt: skip
    finally:
        output, _ = wrk.communicate()
    counts = json.loads(output.strip().splitlines()[-1])
    failed = counts["non_2xx"] + counts["graphql_errors"] + counts["timeouts"]
    load_line = f"load while recording: {counts['requests']} requests, {failed} failed"
    summary = f"{load_line}\n{summarize(raw.read_text())}"
    (results / "profile-bawaba-summary.txt").write_text(summary)
    return summary


async def prepare(plan: Plan, results: Path, secret: str) -> tuple[dict[str, str], list[str]]:
    started = time.monotonic()
    databases = await create_fresh_databases(plan.postgres, plan.prefix)
    settings = Settings(
        secret_key=secret,
        civil_registry_url=databases.urls["civil"],
        passport_registry_url=databases.urls["passport"],
        gateway_store_url=databases.urls["gateway"],
        registry_timeout_seconds=600,  # seeding writes chunks of thousands of rows
    )
    guardian_ids = await seed(settings, population=plan.population, guardians=plan.guardians)
    tokens = await open_sessions(settings, guardian_ids, lifetime=timedelta(hours=6))
    people = await count_population(databases.urls["civil"])
    print(f"seeded {people} people, {len(guardian_ids)} measured guardians with 5 dependents and "
          f"15 permits each, in {time.monotonic() - started:.0f} s", flush=True)  # fmt: skip
    (results / "tokens.txt").write_text("\n".join(tokens) + "\n")
    return databases.environment(), tokens


def start_servers(
    plan: Plan,
    environment: dict[str, str],
    results: Path,
    processes: dict[str, subprocess.Popen[bytes]],
) -> None:
    """Start the three servers into ``processes``, each logging to ``results/<server>.log``."""
    for server, command in server_commands(plan).items():
        with (results / f"{server}.log").open("wb") as log:
            processes[server] = subprocess.Popen(
                command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT
            )


def stop_servers(processes: dict[str, subprocess.Popen[bytes]]) -> None:
    for process in processes.values():
        process.terminate()
    for process in processes.values():
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


async def run(plan: Plan) -> int:
    results = BENCH / "results" / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    results.mkdir(parents=True)
    secret = secrets.token_urlsafe(48)
    database_environment, tokens = await prepare(plan, results, secret)
    body = orjson.dumps({"query": MY_FAMILY, "operationName": "MyFamily"})
    load = {"tokens": results / "tokens.txt", "body": results / "body.json"}
    load["body"].write_bytes(body)
    environment = server_environment(database_environment, secret, pool_size=plan.pool_size)
    urls = {
        server: f"http://127.0.0.1:{plan.port + index}/graphql"
        for index, server in enumerate(SERVERS)
    }
    processes: dict[str, subprocess.Popen[bytes]] = {}
    try:
        start_servers(plan, environment, results, processes)
        for server in SERVERS:
            await wait_until_answering(urls[server], tokens[0], body)
        runs = await measured_rounds(plan, urls, processes, tokens, body, load, results)
        medians = {server: median_row(server, runs) for server in SERVERS}
        (results / "runs.json").write_text(json.dumps(
            {"plan": plan.__dict__, "runs": [run.as_dict() for run in runs],
             "medians": medians}, indent=2))  # fmt: skip
        if plan.profile_seconds > 0:
            print("\nWhere Bawaba's time goes (py-spy, top of the summary):")
            summary = record_profile(plan, processes["bawaba"].pid, urls["bawaba"], results, load)
            print("\n".join(summary.splitlines()[:22]))
        print(f"\nraw results in {results.relative_to(ROOT)}\n")
        print(render_table(runs, medians))
    finally:
        stop_servers(processes)
        if not plan.keep_databases:
            await drop_databases(plan.postgres, plan.prefix)
    bawaba, hand, standard = (medians[server]["requests_per_second"] for server in SERVERS)
    failures = sum(row["failures"] for row in medians.values())
    if failures:
        print(f"\n{failures} requests failed during the measured runs: figures are not valid")
    print(
        f"MyFamily: bawaba {bawaba:.0f} req/s, hand-written {hand:.0f} req/s, "
        f"ratio {bawaba / hand:.2f}, standard-strawberry {standard:.0f} req/s"
    )
    return 1 if failures else 0


async def measured_rounds(
    plan: Plan,
    urls: dict[str, str],
    processes: dict[str, subprocess.Popen[bytes]],
    tokens: list[str],
    body: bytes,
    load: dict[str, Path],
    results: Path,
) -> list[RunResult]:
    runs: list[RunResult] = []
    wrk = {"threads": plan.threads, "connections": plan.connections, **load}
    for round_number in range(1, plan.rounds + 1):
        compared = await check_answers_match(
            urls, tokens, body, report=results / f"diff-round-{round_number}.txt"
        )
        print(f"round {round_number}: the three answers are identical for all {compared} "
              "guardians", flush=True)  # fmt: skip
        for server in SERVERS:
            run_wrk(urls[server], seconds=plan.warmup_seconds, **wrk)  # type: ignore[arg-type]
            result = measure(
                server, processes[server].pid, urls[server], round_number=round_number,
                seconds=plan.seconds, **wrk,  # type: ignore[arg-type]
            )  # fmt: skip
            runs.append(result)
            print(f"  {server:<20} {result.requests_per_second:>8.1f} req/s  "
                  f"p50 {result.p50_ms:.1f} ms  p99 {result.p99_ms:.1f} ms  "
                  f"CPU {result.cpu_ms_per_request:.2f} ms/req  failed {result.failures}",
                  flush=True)  # fmt: skip
    return runs


def main() -> int:
    plan = Plan.from_environment()
    try:
        return asyncio.run(run(plan))
    except AnswersDiffer as error:
        print(f"stopped: the servers' answers differ, so nothing was measured\n{error}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
