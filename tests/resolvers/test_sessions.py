"""Sessions: refresh tokens rotate and a replayed one revokes its family; logout ends one."""

from __future__ import annotations

from demo.demo_population import GUARDIAN
from tests.support.contract_documents import contract_document
from tests.support.sign_in_flow import LOGOUT, REFRESH, sign_in

MY_FAMILY = contract_document("frontend/MyFamily.graphql")


async def test_refresh_rotates_and_reuse_revokes_the_family(fresh_gateway) -> None:
    session = await sign_in(fresh_gateway, GUARDIAN.national_id)
    rotated = (await fresh_gateway.graphql(REFRESH, {"token": session["refreshToken"]}))["data"][
        "refreshSession"
    ]
    assert rotated["errors"] == []
    assert rotated["session"]["refreshToken"] != session["refreshToken"]

    replay = (await fresh_gateway.graphql(REFRESH, {"token": session["refreshToken"]}))["data"][
        "refreshSession"
    ]
    newest = (await fresh_gateway.graphql(REFRESH, {"token": rotated["session"]["refreshToken"]}))[
        "data"
    ]["refreshSession"]

    assert replay["errors"][0]["code"] == "REFRESH_TOKEN_REUSED"
    assert newest["errors"][0]["code"] == "INVALID_REFRESH_TOKEN"
    fresh_gateway.clock.advance(seconds=6)
    refused = await fresh_gateway.post(MY_FAMILY, token=rotated["session"]["accessToken"])
    assert refused.status_code == 401
    extensions = refused.json()["errors"][0]["extensions"]
    assert (extensions["code"], extensions["reason"]) == ("UNAUTHENTICATED", "SESSION_REVOKED")


async def test_logout_revokes_the_session(fresh_gateway) -> None:
    session = await sign_in(fresh_gateway, GUARDIAN.national_id)
    assert (await fresh_gateway.post(MY_FAMILY, token=session["accessToken"])).status_code == 200

    result = await fresh_gateway.graphql(LOGOUT, {"token": session["refreshToken"]})
    refresh = await fresh_gateway.graphql(REFRESH, {"token": session["refreshToken"]})
    fresh_gateway.clock.advance(seconds=6)
    access = await fresh_gateway.post(MY_FAMILY, token=session["accessToken"])

    assert result["data"]["logout"]["errors"] == []
    assert refresh["data"]["refreshSession"]["errors"][0]["code"] == "INVALID_REFRESH_TOKEN"
    assert access.status_code == 401
