"""National IDs: 10 digits, 1 or 2 first, Luhn check digit last."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from demo.demo_population import DEMO_PEOPLE
from errors import InputRejected
from resolvers.national_ids import is_valid_national_id, luhn_check_digit, require_national_id


def test_luhn_check_digit_of_the_textbook_example() -> None:
    assert luhn_check_digit("7992739871") == 3


def test_every_demo_person_has_a_valid_id() -> None:
    assert all(is_valid_national_id(person.national_id) for person in DEMO_PEOPLE)


@given(payload=st.from_regex(r"[12][0-9]{8}", fullmatch=True))
def test_exactly_one_check_digit_is_valid(payload: str) -> None:
    valid = [digit for digit in "0123456789" if is_valid_national_id(payload + digit)]
    assert valid == [str(luhn_check_digit(payload))]


@given(payload=st.from_regex(r"[12][0-9]{8}", fullmatch=True), position=st.integers(0, 8))
def test_a_single_changed_digit_is_caught(payload: str, position: int) -> None:
    national_id = payload + str(luhn_check_digit(payload))
    changed = str((int(national_id[position]) + 1) % 10)
    mutated = national_id[:position] + changed + national_id[position + 1 :]
    assert not is_valid_national_id(mutated) or mutated[0] not in "12"


@given(value=st.text(max_size=12))
def test_any_string_is_either_valid_or_a_coded_error(value: str) -> None:
    try:
        assert require_national_id(value) == value
    except InputRejected as error:
        assert error.code == "INVALID_NATIONAL_ID"


@pytest.mark.parametrize("value", ["", "123", "3084592631", "108459263X", "١٠٨٤٥٩٢٦٣١"])
def test_malformed_ids_are_rejected(value: str) -> None:
    assert not is_valid_national_id(value)
