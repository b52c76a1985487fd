"""The client contract: every document in contract/ validates and behaves as its comment says.

Documents whose capability a later issue builds are expected to fail (strictly: the test
turns red the day one starts to pass, so the mark must then be removed).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import parse, validate

from demo.demo_population import GUARDIAN, demo_permit_id
from gateway import build_gateway_schema, gateway_of
from i18n.catalog import MessageCatalog
from resolvers.global_ids import encode_global_id
from settings import Settings
from tests.support.contract_documents import CONTRACT_DIR, contract_document

CONTRACT = CONTRACT_DIR
SHARED_CONTRACT = CONTRACT_DIR.parent.parent / "shared" / "contract"

NOT_YET_BUILT: dict[str, str] = {}  # document → the capability that will make it work


def contract_documents() -> list[pytest.ParameterSet]:
    documents = sorted(CONTRACT.glob("*/*.graphql"))
    assert documents, "contract/ holds no documents"
    cases = []
    for path in documents:
        name = path.relative_to(CONTRACT).as_posix()
        marks = []
        if name in NOT_YET_BUILT:
            marks.append(pytest.mark.xfail(reason=f"built by {NOT_YET_BUILT[name]}", strict=True))
        cases.append(pytest.param(path, id=name, marks=marks))
    return cases


@pytest.mark.parametrize("path", contract_documents())
def test_contract_document_validates_against_the_schema(path: Path) -> None:
    schema = build_gateway_schema(Settings(), MessageCatalog.load(), None)
    errors = validate(schema.graphql_schema, parse(path.read_text()))
    assert errors == []


def test_contract_copy_is_identical_to_the_shared_contract() -> None:
    if not SHARED_CONTRACT.is_dir():
        pytest.skip("../shared/contract is not beside this checkout")
    shared = {
        p.relative_to(SHARED_CONTRACT): p.read_bytes()
        for p in SHARED_CONTRACT.rglob("*")
        if p.is_file()
    }
    ours = {p.relative_to(CONTRACT): p.read_bytes() for p in CONTRACT.rglob("*") if p.is_file()}
    assert ours == shared


async def test_my_family_runs_against_demo_data(gateway) -> None:
    result = await gateway.graphql(
        (CONTRACT / "frontend/MyFamily.graphql").read_text(),
        token=gateway.token(GUARDIAN.national_id),
    )
    assert "errors" not in result
    me = result["data"]["me"]
    assert me["nationalId"] == GUARDIAN.national_id
    assert me["name"] == {"ar": GUARDIAN.name_ar, "en": GUARDIAN.name_en}
    assert len(me["dependents"]) == 5


async def test_permit_details_runs_against_demo_data(gateway) -> None:
    permit_id = encode_global_id("TravelPermit", demo_permit_id(1))
    result = await gateway.graphql(
        (CONTRACT / "frontend/PermitDetails.graphql").read_text(),
        {"id": permit_id},
        token=gateway.token(GUARDIAN.national_id),
    )
    assert "errors" not in result
    permit = result["data"]["travelPermit"]
    assert permit["id"] == permit_id
    assert permit["status"] == "APPROVED"
    assert [step["status"] for step in permit["history"]] == ["PENDING", "APPROVED"]


async def test_login_runs_against_demo_data(fresh_gateway) -> None:
    from tests.support.sign_in_flow import sign_in

    session = await sign_in(fresh_gateway, GUARDIAN.national_id)
    assert session["accessToken"] and session["refreshToken"] and session["expiresAt"]


async def test_verify_travel_permit_runs_against_demo_data(fresh_gateway) -> None:
    from demo.demo_population import SARA

    store = gateway_of(fresh_gateway.app).stores.partner_keys
    _, key = await store.create("Border control", ["permits:verify"], at=fresh_gateway.clock())
    on = fresh_gateway.day(3)
    result = await fresh_gateway.graphql(
        contract_document("partner/VerifyTravelPermit.graphql"),
        {"nationalId": SARA.national_id, "destination": "AE", "on": on},
        headers={"X-API-Key": key},
    )
    assert "errors" not in result
    assert result["data"]["verifyTravelPermit"]["allowed"] is True
