"""National ID rules: 10 digits, 1 for citizens or 2 for residents, a Luhn check digit last."""

from __future__ import annotations

from errors import InputRejected


def luhn_check_digit(payload: str) -> int:
    """The digit that makes ``payload`` + digit pass the Luhn check."""
    total = 0
    for position, character in enumerate(reversed(payload)):
        digit = int(character)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10


def is_valid_national_id(value: str) -> bool:
    return (
        len(value) == 10
        and value.isascii()
        and value.isdigit()
        and value[0] in "12"
        and luhn_check_digit(value[:9]) == int(value[9])
    )


def require_national_id(value: str, *, field: str = "nationalId") -> str:
    """Return ``value`` if it is a well-formed national ID; raise a coded error otherwise."""
    if not is_valid_national_id(value):
        raise InputRejected("INVALID_NATIONAL_ID", field=field)
    return value


def is_citizen_id(national_id: str) -> bool:
    return national_id.startswith("1")
