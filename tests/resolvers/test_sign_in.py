"""Two-step sign-in: password, then a code sent by SMS; the code's rules; nothing secret logged."""

from __future__ import annotations

import logging

from demo.demo_population import GUARDIAN, OPERATOR, SARA, demo_permit_id
from resolvers.global_ids import encode_global_id
from tests.support.contract_documents import contract_document
from tests.support.sign_in_flow import complete_login, latest_code, sign_in, start_login

MY_FAMILY = contract_document("frontend/MyFamily.graphql")
PASSWORD = "Bawaba-Demo-2026"


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


async def test_sign_in_end_to_end_then_my_family(fresh_gateway) -> None:
    started = await start_login(fresh_gateway, GUARDIAN.national_id, PASSWORD)
    challenge = started["challenge"]
    assert challenge["channel"] == "SMS"
    assert challenge["maskedDestination"] == "+9665******67"

    session = await sign_in(fresh_gateway, GUARDIAN.national_id)
    family = await fresh_gateway.graphql(MY_FAMILY, token=session["accessToken"])

    assert "errors" not in family
    assert family["data"]["me"]["nationalId"] == GUARDIAN.national_id


async def test_unknown_id_and_wrong_password_answer_alike(fresh_gateway) -> None:
    wrong_password = await start_login(
        fresh_gateway, GUARDIAN.national_id, "guess", headers={"Accept-Language": "ar"}
    )
    unknown = await start_login(
        fresh_gateway, "1000000016", PASSWORD, headers={"Accept-Language": "ar"}
    )
    assert wrong_password == unknown
    assert unknown["challenge"] is None
    assert unknown["errors"][0]["code"] == "INVALID_CREDENTIALS"


async def test_malformed_national_id_is_rejected_before_any_lookup(fresh_gateway) -> None:
    started = await start_login(fresh_gateway, "12345", PASSWORD)
    assert started["errors"] == [
        {"code": "INVALID_NATIONAL_ID", "message": started["errors"][0]["message"]}
    ]


async def test_five_wrong_codes_kill_the_challenge(fresh_gateway) -> None:
    started = await start_login(fresh_gateway, SARA.national_id, PASSWORD)
    challenge_id = started["challenge"]["id"]
    code = await latest_code(fresh_gateway, SARA.national_id)

    answers = [await complete_login(fresh_gateway, challenge_id, wrong(code)) for _ in range(5)]
    after = await complete_login(fresh_gateway, challenge_id, code)

    assert [a["errors"][0]["code"] for a in answers] == ["INVALID_CODE"] * 4 + ["CHALLENGE_LOCKED"]
    assert "1" in answers[3]["errors"][0]["message"]  # one attempt left
    assert after["session"] is None
    assert after["errors"][0]["code"] == "CHALLENGE_LOCKED"


async def test_a_code_works_once_and_expires(fresh_gateway) -> None:
    started = await start_login(fresh_gateway, SARA.national_id, PASSWORD)
    code = await latest_code(fresh_gateway, SARA.national_id)
    first = await complete_login(fresh_gateway, started["challenge"]["id"], code)
    again = await complete_login(fresh_gateway, started["challenge"]["id"], code)
    assert first["session"]["accessToken"]
    assert again["errors"][0]["code"] == "CHALLENGE_EXPIRED"

    late = await start_login(fresh_gateway, SARA.national_id, PASSWORD)
    late_code = await latest_code(fresh_gateway, SARA.national_id)
    fresh_gateway.clock.advance(minutes=5, seconds=1)
    expired = await complete_login(fresh_gateway, late["challenge"]["id"], late_code)
    assert expired["errors"][0]["code"] == "CHALLENGE_EXPIRED"


async def test_operator_signs_in_with_dashboard_scopes(fresh_gateway) -> None:
    session = await sign_in(fresh_gateway, OPERATOR.national_id)
    permit = encode_global_id("TravelPermit", demo_permit_id(1))
    result = await fresh_gateway.graphql(
        contract_document("frontend/PermitDetails.graphql"),
        {"id": permit},
        token=session["accessToken"],
    )
    assert result["data"]["travelPermit"]["traveller"]["nationalId"] == SARA.national_id


async def test_logs_never_show_codes_ids_or_numbers(fresh_gateway, caplog) -> None:
    caplog.set_level(logging.INFO)  # the level `gateway serve` logs at
    session = await sign_in(fresh_gateway, GUARDIAN.national_id)
    code = await latest_code(fresh_gateway, GUARDIAN.national_id)
    text = caplog.text
    for secret in (
        code,
        GUARDIAN.national_id,
        "+966501234567",
        session["accessToken"],
        session["refreshToken"],
    ):
        assert secret not in text
    assert "+9665******67" in text
