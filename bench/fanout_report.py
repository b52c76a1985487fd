"""What the fan-out benchmark prints: losses, repeats, order, latency, CPU."""

from __future__ import annotations

import collections
import statistics

# Per subscriber: (event id, latency to the client's socket, latency to the client's read).
Received = list[tuple[int, float, float]]
NEVER_OPENED: Received = [(-1, 0.0, 0.0)]


def percentiles(latencies: list[float]) -> str:
    ordered = sorted(latencies)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000
    return f"{p50:.0f} ms / {p99:.0f} ms / {ordered[-1] * 1000:.0f} ms"


def report(
    sees: list[bool],
    logs: list[Received],
    sent: int,
    elapsed: float,
    server_cpu: float,
    client_cpu: float,
) -> None:
    # A connection that never opened is reported as failed, not as losing events.
    watching = [log for log, flag in zip(logs, sees, strict=True) if flag and log != NEVER_OPENED]
    silent = [log for log, flag in zip(logs, sees, strict=True) if not flag]
    events = [[event for event, _, _ in log] for log in watching]
    lost = sum(max(0, sent - len(set(ids))) for ids in events)
    duplicated = sum(len(ids) - len(set(ids)) for ids in events)
    out_of_order = sum(1 for ids in events if ids != sorted(ids))
    leaked = sum(len(log) for log in silent)
    deliveries = sum(len(ids) for ids in events)
    print(f"subscribers            {len(watching)} seeing the events, {len(silent)} not")
    print(f"events                 {sent} in {elapsed:.1f} s ({sent / elapsed:.2f}/s)")
    print(f"deliveries             {deliveries} ({deliveries / elapsed:.0f}/s)")
    print(
        f"lost {lost}, duplicated {duplicated}, out of order {out_of_order}, "
        f"delivered to the wrong audience {leaked}"
    )
    if deliveries:
        arrived = [latency for log in watching for _, latency, _ in log]
        read = [latency for log in watching for _, _, latency in log]
        print(f"latency p50 / p99 / max  to the socket {percentiles(arrived)}")
        print(f"                         read by client {percentiles(read)}")
        print(f"server CPU / delivery  {server_cpu / deliveries * 1e6:.0f} µs (all its work)")
        print_spreads(watching)
    print(f"CPU while issuing      server {server_cpu:.1f} s, load clients {client_cpu:.1f} s")


def print_spreads(watching: list[Received]) -> None:
    """First / median / last arrival of each event: relay and execution, then the spread."""
    by_event: dict[int, list[float]] = collections.defaultdict(list)
    for log in watching:
        for event, latency, _ in log:
            by_event[event].append(latency)
    spreads = (
        f"{min(ls) * 1000:.0f}/{statistics.median(ls) * 1000:.0f}/{max(ls) * 1000:.0f}"
        for _, ls in sorted(by_event.items())
    )
    print(f"per event, ms to the socket (first/median/last)  {' '.join(spreads)}")
