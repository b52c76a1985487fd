"""Properties of the input rules: any input is either accepted or a coded error, never a crash."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from datasources.records import PermitKind
from errors import InputRejected
from resolvers.context import Policy
from resolvers.pagination import (
    decode_cursor,
    decode_sequence_cursor,
    encode_cursor,
    encode_sequence_cursor,
)
from resolvers.passport_renewal import PASSPORT_NUMBER
from resolvers.permit_rules import PermitRequest, check_dates
from settings import Settings

TODAY = date(2026, 11, 25)
CONTEXT = SimpleNamespace(
    today=TODAY,
    policy=Policy.from_settings(Settings()),
    message=lambda code, **params: code,
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


@given(number=st.text(max_size=12))
def test_passport_numbers_are_six_to_nine_capitals_and_digits(number: str) -> None:
    accepted = bool(PASSPORT_NUMBER.fullmatch(number))
    expected = 6 <= len(number) <= 9 and all(
        c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" for c in number
    )
    assert accepted == expected


@given(start=st.integers(-400, 800), length=st.integers(-30, 800))
def test_date_rules_match_their_definition(start: int, length: int) -> None:
    valid_from = TODAY + timedelta(days=start)
    valid_until = valid_from + timedelta(days=length)
    request = PermitRequest(
        "1112045875", PermitKind.SINGLE_TRIP, ("FR",), valid_from, valid_until, None
    )
    codes = {error.code for error in check_dates(CONTEXT, request)}  # type: ignore[arg-type]
    expected = set()
    if valid_from < TODAY:
        expected.add("VALID_FROM_IN_PAST")
    elif valid_from > TODAY + timedelta(days=365):
        expected.add("VALID_FROM_TOO_FAR")
    if valid_until <= valid_from:
        expected.add("VALID_UNTIL_NOT_AFTER_START")
    elif length + 1 > 365:
        expected.add("VALIDITY_TOO_LONG")
    assert codes == expected
