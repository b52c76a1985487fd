"""Every code the gateway can send has a message in Arabic and in English."""

from __future__ import annotations

import pytest

import errors
from datasources.demo_population import permit_rows
from i18n.catalog import MessageCatalog, negotiate_locale
from resolvers.family import EligibilityCode

CATALOG = MessageCatalog.load()


def gateway_codes() -> set[str]:
    from datetime import UTC, date, datetime

    codes = {code.value for code in EligibilityCode}
    codes |= {
        cls.code
        for cls in vars(errors).values()
        if isinstance(cls, type) and issubclass(cls, errors.BawabaError)
    }
    _, changes = permit_rows(date(2026, 1, 1), datetime(2026, 1, 1, tzinfo=UTC))
    codes |= {change["reason"] for change in changes if change["reason"]}
    codes |= {
        "INVALID_NATIONAL_ID",
        "INVALID_CURSOR",
        "INVALID_PAGE_SIZE",
        "INVALID_TOKEN",
        "TOKEN_EXPIRED",
        "GRAPHQL_PARSE_FAILED",
        "GRAPHQL_VALIDATION_FAILED",
        "INVALID_JSON_BODY",
        "MISSING_QUERY",
        "UNSUPPORTED_MEDIA_TYPE",
        "METHOD_NOT_ALLOWED",
        "BAD_REQUEST",
    }
    return codes


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_every_code_has_a_message(locale) -> None:
    missing = gateway_codes() - CATALOG.codes(locale)
    assert missing == set()


def test_both_catalogs_hold_the_same_codes() -> None:
    assert CATALOG.codes("ar") == CATALOG.codes("en")


def test_arabic_messages_are_arabic() -> None:
    for code in CATALOG.codes("ar"):
        message = CATALOG.message(code, "ar", registry="x", limit=1)
        assert any("\u0600" <= character <= "\u06ff" for character in message), code


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "en"),
        ("", "en"),
        ("ar", "ar"),
        ("ar-SA,ar;q=0.9", "ar"),
        ("fr, en;q=0.5", "en"),
        ("en;q=0.4, ar;q=0.8", "ar"),
        ("fr", "en"),
        ("ar;q=0", "en"),
        ("ar;q=abc, en", "en"),
    ],
)
def test_accept_language_negotiation(header, expected) -> None:
    assert negotiate_locale(header) == expected
