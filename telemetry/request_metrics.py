"""Each GraphQL request's metrics, recorded where its log line is written.

The operation name is the client's to choose, so as a label it is bounded: the names of the
trusted documents' operations are kept, ``anonymous`` (no name) and ``none`` (refused before
it was read) too; any other operation counts as ``other``. A client inventing names cannot
make the metrics grow.
"""

from __future__ import annotations

from collections.abc import Collection

from telemetry.metrics import record_request

OTHER_OPERATION = "other"


def outcome_of(status: int, error_codes: Collection[str]) -> str:
    return "ok" if status < 400 and not error_codes else "error"


def record_operation(
    *, operation: str, status: int, seconds: float, error_codes: Collection[str]
) -> None:
    """One operation's metrics; ``operation`` is a bounded label (see the docstring)."""
    codes = set(error_codes)
    record_request(
        operation=operation, outcome=outcome_of(status, codes), seconds=seconds, error_codes=codes
    )
