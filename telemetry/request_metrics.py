"""Each GraphQL request's metrics, recorded where its log line is written.

The operation name is the client's to choose, so as a label it is bounded: the names of the
trusted documents (the contract's operations) are kept, ``anonymous`` (no name) and ``none``
(refused before it was read) too; any other name counts as ``other``. A client inventing
names cannot make the metrics grow.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable

from telemetry.metrics import record_request

OTHER_OPERATION = "other"


def outcome_of(status: int, error_codes: Collection[str]) -> str:
    return "ok" if status < 400 and not error_codes else "error"


class RequestMetrics:
    def __init__(self, known_operations: Iterable[str]) -> None:
        self.know(known_operations)

    def know(self, operations: Iterable[str]) -> None:
        """Label requests with these operation names (the trusted documents' ones)."""
        self.labels = frozenset(operations) | {"anonymous", "none"}

    def operation_label(self, operation: str) -> str:
        return operation if operation in self.labels else OTHER_OPERATION

    def record(
        self, *, operation: str, status: int, started: float, error_codes: list[str]
    ) -> None:
        codes = set(error_codes)
        record_request(
            operation=self.operation_label(operation),
            outcome=outcome_of(status, codes),
            seconds=time.perf_counter() - started,
            error_codes=codes,
        )
