"""Opaque Relay IDs: ``base64url("<Type>:<registry key>")``; keys are random, not sequential."""

from __future__ import annotations

import base64
import binascii

from errors import NotFound


def encode_global_id(type_name: str, key: str) -> str:
    raw = f"{type_name}:{key}".encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_global_id(global_id: str) -> tuple[str, str]:
    """The type name and key inside an ID; NOT_FOUND for anything that is not one of ours."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        raw = base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8")
    except (UnicodeError, binascii.Error, ValueError) as error:
        raise NotFound() from error
    type_name, separator, key = raw.partition(":")
    if not separator or not type_name or not key:
        raise NotFound()
    return type_name, key
