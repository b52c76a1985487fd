"""Benchmark: 10,000 graphql-transport-ws subscribers on one gateway process.

    python bench/fanout_subscribers.py --subscribers 10000 --rate 1 --seconds 60 --mix dashboards

One server process: `uvicorn gateway:create_app` (embedded default: SQLite, in-process event
bus, no review worker, fresh data folder), with the WebSocket implementation of ``--ws``.
Load clients in ``--clients`` other processes open the subscriptions (each its own
connection); this process issues permits over HTTP at a steady rate, one status-change event
each. Latency is receipt time minus the event's ``at`` (written by the registry; same
machine, same clock). Every subscriber that may see an event must receive it exactly once
and in order; subscribers that may not see it must receive nothing.

Mixes: ``dashboards`` — every subscriber a different operator (``permits:watch-all``) on
``LivePermits``, half in English and half in Arabic (2 groups). ``mixed`` — 30% guardians of
other families on ``WatchMyPermits`` (one group each, they see none of the events), 10
subscriptions of the guardian whose permits change, the rest operators spread over both
documents and both languages.

``FANOUT_PROFILE=1`` runs the server under cProfile (written to /tmp/fanout.prof at the end).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import uvloop

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fanout_report import NEVER_OPENED, Received, report  # noqa: E402
from lean_ws_client import LeanTransportWS, ProtocolViolation  # noqa: E402

from resolvers.national_ids import luhn_check_digit  # noqa: E402
from resolvers.pagination import decode_sequence_cursor  # noqa: E402
from security.access_tokens import issue_access_token  # noqa: E402

LIVE = (ROOT / "contract/dashboard/LivePermits.graphql").read_text()
WATCH = (ROOT / "contract/frontend/WatchMyPermits.graphql").read_text()
ISSUE = (ROOT / "contract/frontend/IssueTravelPermit.graphql").read_text()
SECRET = "bench-secret-" + "b" * 40
GUARDIAN, SARA = "1084592631", "1112045875"
PROFILE = ["-m", "cProfile", "-o", "/tmp/fanout.prof"] if os.environ.get("FANOUT_PROFILE") else []
COUNTRIES = ["FR", "IT", "DE", "ES", "NL", "TR", "JO", "EG", "MA", "MY", "ID", "TH", "JP", "US"]


@dataclass(frozen=True)
class Plan:
    """One subscription: who, which document, which language, and whether it sees events."""

    token: str
    document: str
    language: str
    sees_events: bool


def person_id(prefix: str, number: int) -> str:
    payload = f"{prefix}{number:07d}"
    return payload + str(luhn_check_digit(payload))


def operator_plan(number: int, document: str, language: str) -> Plan:
    token = issue_access_token(
        SECRET,
        person_id("18", number),
        scopes=["permits:watch-all"],
        lifetime=timedelta(hours=2),
    )
    return Plan(token, document, language, True)


def plans_for(mix: str, subscribers: int) -> list[Plan]:
    if mix == "dashboards":
        return [operator_plan(n, LIVE, ("en", "ar")[n % 2]) for n in range(subscribers)]
    others = int(subscribers * 0.3)
    plans = [
        Plan(
            issue_access_token(SECRET, person_id("10", n), lifetime=timedelta(hours=2)),
            WATCH,
            ("en", "ar")[n % 2],
            False,
        )
        for n in range(others)
    ]
    guardian = issue_access_token(SECRET, GUARDIAN, lifetime=timedelta(hours=2))
    plans += [Plan(guardian, WATCH, ("en", "ar")[n % 2], True) for n in range(10)]
    rest = subscribers - len(plans)
    plans += [operator_plan(n, (LIVE, WATCH)[n % 2], ("en", "ar")[n // 2 % 2]) for n in range(rest)]
    return plans


# The load client (runs in its own processes) ----------------------------------------------


async def hold_subscription(
    url: str, plan: Plan, log: Received, stop: asyncio.Event, subscribed: list[int]
) -> None:
    try:
        await _hold(url, plan, log, stop, subscribed)
    except (OSError, ProtocolViolation, TimeoutError):
        if not log:
            log.extend(NEVER_OPENED)
        raise


async def _hold(
    url: str, plan: Plan, log: Received, stop: asyncio.Event, subscribed: list[int]
) -> None:
    host = url.removeprefix("ws://")
    acknowledged: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def on_message(message: dict[str, Any], arrived: float, read: float) -> None:
        kind = message["type"]
        if kind == "ping":
            client.send({"type": "pong"})
        elif kind == "next" and acknowledged.done():
            payload = message["payload"]
            if payload.get("errors"):
                raise RuntimeError(payload["errors"])
            event = payload["data"]["travelPermitStatusChanged"]
            at = datetime.fromisoformat(event["at"]).timestamp()
            log.append((decode_sequence_cursor(event["cursor"]), arrived - at, read - at))
        elif kind == "connection_ack" and not acknowledged.done():
            acknowledged.set_result(None)
        else:
            raise RuntimeError(message)

    hostname, port = host.rsplit(":", 1)
    client = LeanTransportWS(host, "/graphql", on_message)
    try:
        await asyncio.wait_for(client.connect(hostname, int(port)), 120)
        await asyncio.wait_for(client.opened, 120)
        init = {"Authorization": f"Bearer {plan.token}", "Accept-Language": plan.language}
        client.send({"type": "connection_init", "payload": init})
        await asyncio.wait_for(asyncio.shield(acknowledged), 120)
        client.send({"id": "1", "type": "subscribe", "payload": {"query": plan.document}})
        subscribed[0] += 1
        stopping = asyncio.ensure_future(stop.wait())
        await asyncio.wait({client.ended, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if client.ended.done():
            client.ended.result()  # raises why this subscription ended early
    finally:
        client.close()
        if client.ended.done():
            client.ended.exception()  # retrieved: a failure was raised above, if any


def run_client(
    url: str, plans: list[Plan], ready: Any, stop: Any, results: Any, niceness: int
) -> None:
    async def main() -> None:
        stopping = asyncio.Event()
        logs: list[Received] = [[] for _ in plans]
        subscribed = [0]
        tasks = []
        for index, plan in enumerate(plans):
            tasks.append(
                asyncio.create_task(hold_subscription(url, plan, logs[index], stopping, subscribed))
            )
            if index % 100 == 99:
                await asyncio.sleep(0.2)  # do not flood the server's accept backlog
        failed: list[asyncio.Task[None]] = []
        while subscribed[0] + len(failed) < len(plans):
            await asyncio.sleep(0.5)
            failed = [t for t in tasks if t.done() and t.exception() is not None]
        ready.put(len(failed))
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, stop.wait)
        stopping.set()
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        ended = collections.Counter(repr(o)[:120] for o in outcomes if o is not None)
        results.put(([p.sees_events for p in plans], logs, ended))

    # Subscribers would have their own machines: here the clients yield the shared cores to
    # the server, and latency is measured to their sockets' kernel receive timestamps (the
    # time they read each message is reported beside it).
    os.nice(niceness)
    # uvloop (installed with uvicorn[standard], and what the server runs on) reads the
    # polls the sockets in C: the clients take less of the cores they share with the server.
    uvloop.run(main())


# The server and the event source ---------------------------------------------------------


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def start_server(port: int, ws: str, shared: bool) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "BAWABA_DATA_DIR": tempfile.mkdtemp(prefix="bawaba-fanout-"),
        "BAWABA_SECRET_KEY": SECRET,
        "BAWABA_AGENCY_REVIEW": "false",
        "BAWABA_RATE_LIMIT_ISSUE_PERMIT": "100000/hour",
        "BAWABA_RATE_LIMIT_PER_CALLER": "100000/minute",
        "BAWABA_SHARED_SUBSCRIPTIONS": "true" if shared else "false",
    }
    print(f"server log: {env['BAWABA_DATA_DIR']}/server.log")
    subprocess.run([sys.executable, "-m", "cli.main", "migrate"], cwd=ROOT, env=env, check=True)
    return subprocess.Popen(
        [
            *(sys.executable, *PROFILE, "-m", "uvicorn", "gateway:create_app", "--factory"),
            *("--port", str(port), "--ws", ws, "--ws-per-message-deflate", "false"),
            *("--log-level", "warning", "--backlog", "4096"),
            # The handler pings by itself (as `gateway serve` sets up); the legacy
            # implementation would read 0 as "ping all the time".
            *(("--ws-ping-interval", "0") if ws != "websockets" else ()),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=Path(env["BAWABA_DATA_DIR"], "server.log").open("wb"),
    )


async def issue_events(base: str, rate: float, seconds: float) -> tuple[int, float, int]:
    guardian = issue_access_token(SECRET, GUARDIAN, lifetime=timedelta(hours=2))
    sent, retried, total = 0, 0, int(rate * seconds)
    async with httpx.AsyncClient(timeout=30) as http:
        started = time.monotonic()
        while sent < total:
            await asyncio.sleep(max(0, started + sent / rate - time.monotonic()))
            start = date.today() + timedelta(days=1 + 2 * (sent // len(COUNTRIES)))
            variables = {
                "input": {
                    "travellerNationalId": SARA,
                    "kind": "SINGLE_TRIP",
                    "destinations": [COUNTRIES[sent % len(COUNTRIES)]],
                    "validFrom": start.isoformat(),
                    "validUntil": (start + timedelta(days=1)).isoformat(),
                }
            }
            response = await http.post(
                f"{base}/graphql",
                json={"query": ISSUE, "variables": variables},
                headers={"Authorization": f"Bearer {guardian}"},
            )
            body = response.json()
            codes = [e["extensions"]["code"] for e in body.get("errors") or ()]
            if codes == ["REGISTRY_TIMEOUT"]:  # nothing was written: send it again
                retried += 1
                continue
            assert body.get("data") and not body["data"]["issueTravelPermit"]["errors"], body
            sent += 1
        return sent, time.monotonic() - started, retried


async def wait_ready(base: str) -> None:
    async with httpx.AsyncClient(timeout=5) as http:
        for _ in range(300):
            try:
                if (await http.get(f"{base}/readyz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError("the gateway did not start")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_quiet(pid: int) -> None:
    """Until the server uses under a fifth of a core for two seconds in a row."""
    quiet = 0
    for _ in range(300):
        before = cpu_seconds(pid)
        time.sleep(1)
        quiet = quiet + 1 if cpu_seconds(pid) - before < 0.2 else 0
        if quiet == 2:
            return


def run(arguments: argparse.Namespace) -> None:
    port = arguments.port
    base = f"http://127.0.0.1:{port}"
    server = start_server(port, arguments.ws, not arguments.per_subscriber)
    context = multiprocessing.get_context("spawn")
    clients: list[Any] = []
    try:
        asyncio.run(wait_ready(base))
        time.sleep(1)
        rss_idle = rss_kib(server.pid)
        plans = plans_for(arguments.mix, arguments.subscribers)
        ready, results, stop = context.Queue(), context.Queue(), context.Event()
        shares = [plans[i :: arguments.clients] for i in range(arguments.clients)]
        for share in shares:
            process = context.Process(
                target=run_client,
                args=(base.replace("http", "ws"), share, ready, stop, results, arguments.nice),
            )
            process.start()
            clients.append(process)
        failed = sum(ready.get(timeout=900) for _ in clients)
        wait_quiet(server.pid)  # the server has handled every subscribe
        rss_connected = rss_kib(server.pid)
        cpu_before = cpu_seconds(server.pid)
        client_cpu_before = sum(cpu_seconds(p.pid) for p in clients)
        sent, elapsed, retried = asyncio.run(issue_events(base, arguments.rate, arguments.seconds))
        time.sleep(2)
        for process in (server, *clients):  # until the last deliveries are in
            wait_quiet(process.pid)
        server_cpu = cpu_seconds(server.pid) - cpu_before
        client_cpu = sum(cpu_seconds(p.pid) for p in clients) - client_cpu_before
        rss_after = rss_kib(server.pid)
        stop.set()
        collected = [results.get(timeout=300) for _ in clients]
    finally:
        for process in clients:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
        server.send_signal(signal.SIGINT)  # a graceful stop (and a profile written)
        server.wait(timeout=30)
    sees = [flag for flags, _, _ in collected for flag in flags]
    logs = [log for _, share_logs, _ in collected for log in share_logs]
    ended = sum((counts for _, _, counts in collected), collections.Counter())
    print(
        f"mix {arguments.mix}, --ws {arguments.ws}, {arguments.clients} client processes "
        f"at niceness {arguments.nice}"
    )
    print(f"connections failed     {failed}; ended early: {dict(ended) or 'none'}")
    print(f"issue requests retried {retried} (REGISTRY_TIMEOUT: the server had no time)")
    report(sees, logs, sent, elapsed, server_cpu, client_cpu)
    per = (rss_connected - rss_idle) / len(plans)
    print(
        f"server RSS             idle {rss_idle // 1024} MiB, {len(plans)} subscribed "
        f"{rss_connected // 1024} MiB, after {rss_after // 1024} MiB "
        f"({per:.1f} KiB per subscriber)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=1, help="events per second")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--mix", choices=["dashboards", "mixed"], default="dashboards")
    parser.add_argument("--clients", type=int, default=4, help="load client processes")
    parser.add_argument(
        "--ws",
        default="live.direct_frames:DirectFramesWebSocketProtocol",
        help="uvicorn's --ws choice (the default is what `gateway serve` runs)",
    )
    parser.add_argument("--port", type=int, default=8600)
    parser.add_argument(
        "--nice", type=int, default=10, help="niceness of the load clients (0: same as server)"
    )
    parser.add_argument(
        "--per-subscriber",
        action="store_true",
        help="BAWABA_SHARED_SUBSCRIPTIONS=false: one execution per subscriber, for comparison",
    )
    main_arguments = parser.parse_args()
    run(main_arguments)


if __name__ == "__main__":
    main()
