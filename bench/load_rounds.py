"""One measured run: wrk against one server, and the CPU that server's processes spent.

Server CPU is read from ``/proc/<pid>/stat`` (user + system time) for the server process
and every process below it (uvicorn's workers), before and after the run; divided by the
requests wrk completed, it is the server's CPU per request. PostgreSQL's own CPU is not in it.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (from the kernel's children lists)."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                pending.extend(int(child) for child in task.read_text().split())
            except OSError:
                continue
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU of ``pid`` and its descendants, in seconds."""
    ticks = 0
    for each in process_tree(pid):
        try:
            stat = Path(f"/proc/{each}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return ticks / CLOCK_TICKS


@dataclass(frozen=True)
class RunResult:
    server: str
    round: int
    requests: int
    seconds: float
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    mean_ms: float
    cpu_ms_per_request: float
    failures: int  # non-2xx answers, answers with GraphQL errors, socket errors, timeouts

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def run_wrk(
    url: str,
    *,
    seconds: float,
    threads: int,
    connections: int,
    tokens: Path,
    body: Path,
) -> dict[str, float]:
    """Run wrk with ``myfamily.lua``; return the JSON line its ``done`` hook prints."""
    completed = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
         "--timeout", "10s", "--latency", "-s", str(BENCH / "myfamily.lua"), url],
        env={**os.environ, "BENCH_TOKENS": str(tokens), "BENCH_BODY": str(body)},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    for line in reversed(completed.stdout.splitlines()):
        if line.startswith("{"):
            return dict(json.loads(line))
    raise RuntimeError(f"wrk printed no summary:\n{completed.stdout}\n{completed.stderr}")


def measure(
    server: str,
    pid: int,
    url: str,
    *,
    round_number: int,
    seconds: float,
    threads: int,
    connections: int,
    tokens: Path,
    body: Path,
) -> RunResult:
    before = cpu_seconds(pid)
    summary = run_wrk(
        url, seconds=seconds, threads=threads, connections=connections, tokens=tokens, body=body
    )
    spent = cpu_seconds(pid) - before
    requests = int(summary["requests"])
    elapsed = summary["duration_us"] / 1e6
    failures = sum(
        int(summary[key])
        for key in (
            "non_2xx",
            "connect_errors",
            "read_errors",
            "write_errors",
            "timeouts",
            "graphql_errors",
        )
    )
    return RunResult(
        server=server,
        round=round_number,
        requests=requests,
        seconds=round(elapsed, 2),
        requests_per_second=round(requests / elapsed, 1),
        p50_ms=round(summary["p50_us"] / 1000, 2),
        p99_ms=round(summary["p99_us"] / 1000, 2),
        mean_ms=round(summary["mean_us"] / 1000, 2),
        cpu_ms_per_request=round(spent * 1000 / max(requests, 1), 3),
        failures=failures,
    )
