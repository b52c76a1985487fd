"""The permit date rules, as a property: any dates give exactly the codes their definition says."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from datasources.records import PermitKind
from resolvers.context import Policy
from resolvers.permit_rules import PermitRequest, check_dates
from settings import Settings

TODAY = date(2026, 11, 25)
CONTEXT = SimpleNamespace(
    today=TODAY,
    policy=Policy.from_settings(Settings()),
    message=lambda code, **params: code,
)


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
