"""Step 9, the record: one request-log line and the request metrics, once per operation,
whatever door it came through and however it ended.

The operation's name as a metric label is bounded (``telemetry.request_metrics``): a
trusted document's operation keeps its name, an ad hoc one counts as ``other``, one refused
before it was read as ``none``; the log line keeps the name the client gave.
"""

from __future__ import annotations

import time

from pipeline.request import Arrival
from security.viewer import Viewer
from telemetry.request_log import log_request
from telemetry.request_metrics import OTHER_OPERATION, record_operation


def operation_label(name: str | None, *, trusted: bool, read: bool) -> str:
    if not read:
        return "none"
    if not trusted:
        return OTHER_OPERATION
    return name or "anonymous"


def record_operation_outcome(
    arrival: Arrival,
    *,
    viewer: Viewer | None,
    operation: str,
    label: str,
    status: int,
    started: float,
    codes: list[str],
) -> None:
    log_request(
        request_id=arrival.request_id,
        operation=operation,
        viewer=viewer,
        status=status,
        started=started,
        error_codes=codes,
        door=arrival.door.value,
    )
    record_operation(
        operation=label, status=status, seconds=time.perf_counter() - started, error_codes=codes
    )
