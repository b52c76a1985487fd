"""One structured JSON line per request, and the JSON formatter for every log line.

A line says which request (its ID), which operation, what kind of caller (a hash, never a
national ID or a key), how long it took and how it ended. Standard library logging with a
JSON formatter: nothing else to configure, and every logger of the process uses it.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Collection
from typing import Any

import orjson

from resolvers.request_metrics import outcome_of
from resolvers.viewer import CallerKind, Viewer

logger = logging.getLogger("bawaba.requests")
_OPERATION_NAME = re.compile(r"^\s*(?:#[^\n]*\n\s*)*(?:query|mutation|subscription)\s+(\w+)")


def operation_name_of(query: str | None, given: str | None) -> str:
    if given:
        return given[:100]
    match = _OPERATION_NAME.match(query or "")
    return match.group(1) if match else "anonymous"


def caller_hash(viewer: Viewer) -> str | None:
    """A stable pseudonym for the caller: lines of one caller can be grouped, not named."""
    identity = viewer.partner_id or viewer.national_id
    if identity is None:
        return None
    return hashlib.sha256(f"bawaba-log:{identity}".encode()).hexdigest()[:16]


def log_request(*, request_id: str, operation: str, viewer: Viewer | None, status: int,
                started: float, error_codes: Collection[str]) -> None:  # fmt: skip
    kind = viewer.kind if viewer is not None else CallerKind.ANONYMOUS
    logger.info("request", extra={"fields": {
        "requestId": request_id, "operation": operation, "caller": kind.value.lower(),
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


def use_json_logs(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    logging.basicConfig(level=level, handlers=[handler], force=True)
