"""Cursors: any string either decodes or is INVALID_CURSOR, and every cursor round-trips."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from errors import InputRejected
from resolvers.pagination import (
    decode_cursor,
    decode_sequence_cursor,
    encode_cursor,
    encode_sequence_cursor,
)


@given(text=st.text(max_size=40))
def test_any_string_is_a_cursor_or_invalid_cursor(text: str) -> None:
    for decode in (decode_cursor, decode_sequence_cursor):
        try:
            decode(text)
        except InputRejected as error:
            assert error.code == "INVALID_CURSOR"


@given(moment=st.datetimes(timezones=st.just(UTC)), key=st.text(min_size=1, max_size=40))
def test_cursors_round_trip(moment: datetime, key: str) -> None:
    assert decode_cursor(encode_cursor(moment, key)) == (moment, key)


@given(sequence=st.integers(min_value=0, max_value=2**62))
def test_sequence_cursors_round_trip(sequence: int) -> None:
    assert decode_sequence_cursor(encode_sequence_cursor(sequence)) == sequence
