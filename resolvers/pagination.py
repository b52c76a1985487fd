"""Relay-style connections: opaque cursors, page sizes, and the shapes the schema exposes."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from errors import InputRejected

Node = TypeVar("Node")
_CURSOR_PREFIX = "v1|"


@dataclass(frozen=True, slots=True)
class Edge(Generic[Node]):
    cursor: str
    node: Node


@dataclass(frozen=True, slots=True)
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@dataclass(frozen=True, slots=True)
class Connection(Generic[Node]):
    total_count: int
    edges: list[Edge[Node]]
    page_info: PageInfo


def encode_cursor(created_at: datetime, key: str) -> str:
    raw = f"{_CURSOR_PREFIX}{created_at.isoformat()}|{key}".encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_cursor(cursor: str, *, field: str = "after") -> tuple[datetime, str]:
    """The position a cursor names; a coded INVALID_CURSOR error for anything else."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        raw = base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8")
        if not raw.startswith(_CURSOR_PREFIX):
            raise ValueError("unknown cursor version")
        created_at, separator, key = raw[len(_CURSOR_PREFIX) :].partition("|")
        moment = datetime.fromisoformat(created_at)
        if not separator or not key or moment.tzinfo is None:
            raise ValueError("incomplete cursor")
    except (UnicodeError, binascii.Error, ValueError) as error:
        raise InputRejected("INVALID_CURSOR", field=field) from error
    return moment, key


def require_page_size(first: int, *, limit: int, field: str = "first") -> int:
    if not 0 <= first <= limit:
        raise InputRejected("INVALID_PAGE_SIZE", field=field, limit=limit)
    return first


def build_connection(
    nodes: list[Node], *, cursors: list[str], total_count: int, has_next_page: bool, after: bool
) -> Connection[Node]:
    edges = [Edge(cursor=cursor, node=node) for cursor, node in zip(cursors, nodes, strict=True)]
    return Connection(
        total_count=total_count,
        edges=edges,
        page_info=PageInfo(
            has_next_page=has_next_page,
            has_previous_page=after,
            start_cursor=cursors[0] if cursors else None,
            end_cursor=cursors[-1] if cursors else None,
        ),
    )


def encode_sequence_cursor(sequence: int) -> str:
    raw = f"{_CURSOR_PREFIX}seq|{sequence}".encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_sequence_cursor(cursor: str, *, field: str = "after") -> int:
    """The sequence number a cursor names; INVALID_CURSOR for anything else."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        raw = base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8")
        prefix = f"{_CURSOR_PREFIX}seq|"
        if not raw.startswith(prefix):
            raise ValueError("not a sequence cursor")
        sequence = int(raw[len(prefix) :])
        if sequence < 0:
            raise ValueError("negative sequence")
    except (UnicodeError, binascii.Error, ValueError) as error:
        raise InputRejected("INVALID_CURSOR", field=field) from error
    return sequence


def sequence_page(first: int, after: str | None, *, limit: int) -> tuple[int, int | None]:
    """The page size and the id to read before, from a connection's ``first`` and ``after``."""
    size = require_page_size(first, limit=limit)
    return size, decode_sequence_cursor(after) if after is not None else None


def sequence_connection(
    nodes: list[Node], ids: list[int], *, total_count: int, has_next_page: bool, after: bool
) -> Connection[Node]:
    """A connection over rows ordered by descending id, each id its cursor."""
    return build_connection(
        nodes,
        cursors=[encode_sequence_cursor(row_id) for row_id in ids],
        total_count=total_count,
        has_next_page=has_next_page,
        after=after,
    )
