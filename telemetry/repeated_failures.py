"""Unexpected failures in the log: in full the first time, then counted.

The full error (its traceback) is logged once per kind of failure (its type and where it
was raised); repeats are counted and summarised in one line at most once a minute, so a
failure that every request meets cannot flood the log.
"""

from __future__ import annotations

import logging
import time
import traceback

logger = logging.getLogger("bawaba.errors")
SUMMARY_INTERVAL = 60.0


class RepeatedFailures:
    """Which failures were logged in full, and how often each came back since."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], tuple[float, int]] = {}

    def log(self, error: BaseException, request_id: str) -> None:
        frames = traceback.extract_tb(error.__traceback__)
        where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"
        key = (type(error).__name__, where)
        now = time.monotonic()
        known = self._seen.get(key)
        if known is None:
            self._seen[key] = (now, 0)
            logger.error("unexpected error (request %s)", request_id, exc_info=error)
            return
        last_summary, repeats = known
        if now - last_summary >= SUMMARY_INTERVAL:
            logger.error(
                "unexpected %s at %s again (request %s; %d more since the last line)",
                key[0], where, request_id, repeats + 1,
            )  # fmt: skip
            self._seen[key] = (now, 0)
        else:
            self._seen[key] = (last_summary, repeats + 1)
