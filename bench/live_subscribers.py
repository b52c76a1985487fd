"""Benchmark: event-to-delivery latency with many live subscribers on one gateway process.

    python bench/live_subscribers.py --subscribers 1000 --rate 10 --seconds 20

Starts `gateway serve` (one process, embedded default, fresh data folder, no review worker),
opens N graphql-transport-ws connections each subscribed to the dashboard's LivePermits
(a watch-all token), then issues permits at a steady rate over HTTP. Every subscriber must
receive every event exactly once; latency is receipt time minus the event's `at` (when the
registry wrote it). Prints p50/p99 latency, deliveries per second, and the server's memory.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import httpx
import websockets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from resolvers.national_ids import luhn_check_digit  # noqa: E402
from resolvers.pagination import decode_sequence_cursor  # noqa: E402
from security.access_tokens import issue_access_token  # noqa: E402
from tests.support.gateway_processes import free_port  # noqa: E402

LIVE = (ROOT / "contract/dashboard/LivePermits.graphql").read_text()
ISSUE = (ROOT / "contract/frontend/IssueTravelPermit.graphql").read_text()
SECRET = "bench-secret-" + "b" * 40
GUARDIAN, SARA = "1084592631", "1112045875"
COUNTRIES = ["FR", "IT", "DE", "ES", "NL", "TR", "JO", "EG", "MA", "MY", "ID", "TH", "JP", "US"]


def operator_id(number: int) -> str:
    payload = f"18{number:07d}"
    return payload + str(luhn_check_digit(payload))


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


Log = list[tuple[str, float]]


async def subscriber(
    url: str, token: str, ready: asyncio.Event, seen: Log, stop: asyncio.Event
) -> None:
    async with websockets.connect(
        f"{url}/graphql", subprotocols=["graphql-transport-ws"], max_queue=None
    ) as socket:
        await socket.send(
            json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
        )
        assert json.loads(await socket.recv())["type"] == "connection_ack"
        await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": LIVE}}))
        ready.set()
        while not stop.is_set():
            try:
                raw = await asyncio.wait_for(socket.recv(), 0.5)
            except TimeoutError:
                continue
            received = time.time()
            message = json.loads(raw)
            if message["type"] == "ping":
                await socket.send(json.dumps({"type": "pong"}))
            elif message["type"] == "next" and message["payload"].get("errors"):
                raise RuntimeError(message["payload"]["errors"])
            elif message["type"] == "next":
                event = message["payload"]["data"]["travelPermitStatusChanged"]
                sent = datetime.fromisoformat(event["at"]).timestamp()
                seen.append((event["cursor"], received - sent))


async def run(subscribers: int, rate: float, seconds: float) -> None:
    data_dir = tempfile.mkdtemp(prefix="bawaba-bench-")
    port = free_port()
    env = {
        **os.environ,
        "BAWABA_DATA_DIR": data_dir,
        "BAWABA_SECRET_KEY": SECRET,
        "BAWABA_AGENCY_REVIEW": "false",
        "BAWABA_SUBSCRIBER_BUFFER_SIZE": "1000",
        "BAWABA_RATE_LIMIT_ISSUE_PERMIT": "100000/hour",
    }
    server = subprocess.Popen(  # noqa: ASYNC220 (started once, before any load)
        [sys.executable, "-m", "cli.main", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(timeout=30) as http:
            for _ in range(200):
                try:
                    if (await http.get(f"{base}/readyz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.1)
            rss_idle = rss_kib(server.pid)
            # One dashboard operator per connection: a person may hold only 10 subscriptions.
            operators = [
                issue_access_token(
                    SECRET,
                    operator_id(n),
                    scopes=["permits:watch-all"],
                    lifetime=timedelta(hours=1),
                )
                for n in range(subscribers)
            ]
            guardian = issue_access_token(SECRET, GUARDIAN, lifetime=timedelta(hours=1))
            stop = asyncio.Event()
            logs: list[Log] = [[] for _ in range(subscribers)]
            readies = [asyncio.Event() for _ in range(subscribers)]
            tasks = []
            for index in range(subscribers):
                tasks.append(
                    asyncio.create_task(
                        subscriber(
                            base.replace("http", "ws"),
                            operators[index],
                            readies[index],
                            logs[index],
                            stop,
                        )
                    )
                )
                if index % 50 == 49:
                    await asyncio.sleep(0.05)
            await asyncio.gather(*(ready.wait() for ready in readies))
            await asyncio.sleep(1)
            rss_connected = rss_kib(server.pid)
            sent = 0
            started = time.monotonic()
            total = int(rate * seconds)
            while sent < total:
                due = started + sent / rate
                await asyncio.sleep(max(0, due - time.monotonic()))
                start = date.today() + timedelta(days=1 + 2 * (sent // len(COUNTRIES)))
                request = {
                    "travellerNationalId": SARA,
                    "kind": "SINGLE_TRIP",
                    "destinations": [COUNTRIES[sent % len(COUNTRIES)]],
                    "validFrom": start.isoformat(),
                    "validUntil": start.isoformat(),
                }
                response = await http.post(
                    f"{base}/graphql",
                    json={
                        "query": ISSUE,
                        "variables": {
                            "input": {
                                **request,
                                "validUntil": (start + timedelta(days=1)).isoformat(),
                            }
                        },
                    },
                    headers={"Authorization": f"Bearer {guardian}"},
                )
                errors = response.json()["data"]["issueTravelPermit"]["errors"]
                assert not errors, errors
                sent += 1
            elapsed = time.monotonic() - started
            await asyncio.sleep(3)
            stop.set()
            await asyncio.gather(*tasks)
            rss_after = rss_kib(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=10)
    report(subscribers, sent, elapsed, logs, rss_idle, rss_connected, rss_after)


def report(
    subscribers: int,
    sent: int,
    elapsed: float,
    logs: list[Log],
    rss_idle: int,
    rss_connected: int,
    rss_after: int,
) -> None:
    latencies = sorted(latency for log in logs for _, latency in log)
    complete = sum(1 for log in logs if len(log) == sent)
    duplicates = sum(len(log) - len({cursor for cursor, _ in log}) for log in logs)
    cursors = [[cursor for cursor, _ in log] for log in logs]
    in_order = all(c == sorted(c, key=decode_sequence_cursor) for c in cursors)
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    print(f"subscribers            {subscribers}")
    print(f"events                 {sent} in {elapsed:.1f} s ({sent / elapsed:.1f}/s)")
    print(f"deliveries             {len(latencies)} ({len(latencies) / elapsed:.0f}/s)")
    print(
        f"complete subscribers   {complete}/{subscribers}, duplicates {duplicates}, "
        f"in order {in_order}"
    )
    print(f"latency p50 / p99      {p50:.1f} ms / {p99:.1f} ms")
    per_subscriber = (rss_connected - rss_idle) / subscribers
    print(
        f"server RSS             idle {rss_idle // 1024} MiB, connected "
        f"{rss_connected // 1024} MiB, after {rss_after // 1024} MiB "
        f"(~{per_subscriber:.0f} KiB per subscriber)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=10, help="events per second")
    parser.add_argument("--seconds", type=float, default=20)
    arguments = parser.parse_args()
    asyncio.run(run(arguments.subscribers, arguments.rate, arguments.seconds))


if __name__ == "__main__":
    main()
