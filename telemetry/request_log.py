"""One structured JSON line per request, and the JSON formatter for every log line.

A line says which request (its ID), which operation, what kind of caller (a hash, never a
national ID or a key), how long it took and how it ended. Standard library logging with a
JSON formatter: nothing else to configure, and every logger of the process uses it.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import queue
import re
import sys
import time
from collections.abc import Collection
from logging.handlers import QueueHandler, QueueListener
from typing import Any, Protocol, TextIO

import orjson

from telemetry.request_metrics import outcome_of

logger = logging.getLogger("bawaba.requests")
_OPERATION_NAME = re.compile(r"^\s*(?:#[^\n]*\n\s*)*(?:query|mutation|subscription)\s+(\w+)")


def operation_name_of(query: str | None, given: str | None) -> str:
    if given:
        return given[:100]
    match = _OPERATION_NAME.match(query or "")
    return match.group(1) if match else "anonymous"


class LoggedCaller(Protocol):
    """What a log line says of a caller (``security.viewer.Viewer`` is one)."""

    @property
    def kind(self) -> str: ...  # ANONYMOUS, PERSON or PARTNER

    @property
    def national_id(self) -> str | None: ...

    @property
    def partner_id(self) -> str | None: ...

    @property
    def is_operator(self) -> bool: ...


def caller_hash(viewer: LoggedCaller) -> str | None:
    """A stable pseudonym for the caller: lines of one caller can be grouped, not named."""
    identity = viewer.partner_id or viewer.national_id
    if identity is None:
        return None
    return hashlib.sha256(f"bawaba-log:{identity}".encode()).hexdigest()[:16]


def log_request(
    *,
    request_id: str,
    door: str,
    operation: str,
    viewer: LoggedCaller | None,
    status: int,
    started: float,
    error_codes: Collection[str],
) -> None:
    kind = viewer.kind if viewer is not None else "ANONYMOUS"
    logger.info("request", extra={"fields": {
        "requestId": request_id, "door": door, "operation": operation,
        "caller": str(kind).lower(),
        "callerHash": caller_hash(viewer) if viewer is not None else None,
        "operator": bool(viewer and viewer.is_operator), "status": status,
        "durationMs": round((time.perf_counter() - started) * 1000, 2),
        "outcome": outcome_of(status, error_codes),
        "errors": sorted(set(error_codes)),
    }})  # fmt: skip


class JsonFormatter(logging.Formatter):
    """Every record as one JSON object: time, level, logger, message, and its fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(getattr(record, "fields", {}))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


def queued_json_handler() -> QueueHandler:
    """A handler of JSON lines on stderr, written by a thread of their own.

    A request formats its line (orjson: microseconds) and queues it; it never waits for
    the write, so a slow or full log pipe cannot stall the event loop.
    """
    global _listener
    _stop_listener()
    records: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    writer = _StandardErrorWriter()
    writer.setFormatter(logging.Formatter("%(message)s"))  # the line is already JSON
    _listener = QueueListener(records, writer)
    _listener.start()
    handler = QueueHandler(records)
    handler.setFormatter(JsonFormatter())
    return handler


_listener: QueueListener | None = None


class _StandardErrorWriter(logging.StreamHandler[TextIO]):
    """Writes to ``sys.stderr`` as it is when a line is written, as logging's last-resort
    handler does: the writer thread outlives whatever stream was current when it started
    (a test's captured output, closed once that test ends)."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _: TextIO) -> None:
        pass


@atexit.register
def _stop_listener() -> None:
    """Write what is still queued and stop the writer thread."""
    global _listener
    if _listener is not None:
        _listener.stop()
        _listener = None


def use_json_logs(level: int = logging.INFO) -> None:
    logging.basicConfig(level=level, handlers=[queued_json_handler()], force=True)


# The same set-up as a logging configuration, for uvicorn to apply in each worker process
# it starts (a worker begins with Python's default logging, which drops INFO lines).
JSON_LOG_CONFIG: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"json": {"()": f"{__name__}.queued_json_handler"}},
    "root": {"level": "INFO", "handlers": ["json"]},
    "loggers": {name: {"handlers": [], "propagate": True} for name in ("uvicorn", "uvicorn.error")},
}
