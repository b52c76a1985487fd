"""Every code the gateway can send has a message in Arabic and in English."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import errors
from datasources.records import PermitStatus
from demo.demo_population import permit_rows
from i18n.catalog import PROTOCOL_LITERALS, MessageCatalog, negotiate_locale
from resolvers.family import EligibilityCode
from resolvers.notifications import NOTIFIED

CATALOG = MessageCatalog.load()


CODE_IN_SOURCE = re.compile(
    r"(?:user_error\(\s*context,\s*|InputRejected\(|NotAuthenticated\(|NotFound\(|"
    r'NotAuthorized\(|message\(|code = )"([A-Z][A-Z_]+)"'
)
ROOT = Path(__file__).resolve().parents[2]


def codes_in_source() -> set[str]:
    """Every code the source passes to an error or a message lookup by its literal name."""
    found = set()
    for folder in (
        "cli",
        "server",
        "pipeline",
        "live",
        "execution",
        "schema",
        "resolvers",
        "security",
        "demo",
        "datasources",
        "telemetry",
    ):
        for path in (ROOT / folder).rglob("*.py"):
            found |= set(CODE_IN_SOURCE.findall(path.read_text()))
    return found


def test_the_source_scan_finds_codes() -> None:
    assert {"INVALID_CREDENTIALS", "OVERLAPPING_PERMIT", "INVALID_CODE"} <= (codes_in_source())


def gateway_codes() -> set[str]:
    from datetime import UTC, date, datetime

    codes = {code.value for code in EligibilityCode} | codes_in_source()
    codes |= {f"STATUS_{status.value}" for status in PermitStatus}
    codes |= {code for code in NOTIFIED.values()} | {f"{code}_TITLE" for code in NOTIFIED.values()}
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
    for code in CATALOG.codes("ar") - PROTOCOL_LITERALS:
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


def test_protocol_literals_are_the_same_words_in_every_language() -> None:
    for code in PROTOCOL_LITERALS:
        assert CATALOG.message(code, "ar") == CATALOG.message(code, "en"), code
