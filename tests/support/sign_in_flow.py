"""Signing in through the real two-step flow, with the code read from the SMS outbox."""

from __future__ import annotations

import re
from typing import Any

from gateway import gateway_of
from tests.support.contract_documents import contract_document

LOGIN = contract_document("frontend/Login.graphql")
REFRESH = """mutation ($token: String!) {
  refreshSession(refreshToken: $token) { session { accessToken refreshToken expiresAt }
                                         errors { code message } } }"""
LOGOUT = "mutation ($token: String!) { logout(refreshToken: $token) { errors { code } } }"


async def start_login(gateway: Any, national_id: str, password: str, **options: Any) -> dict:
    body = {
        "query": LOGIN,
        "operationName": "StartLogin",
        "variables": {"nationalId": national_id, "password": password},
    }
    response = await gateway.client.post("/graphql", json=body, **options)
    return response.json()["data"]["startLogin"]  # type: ignore[no-any-return]


async def complete_login(gateway: Any, challenge_id: str, code: str, **options: Any) -> dict:
    body = {
        "query": LOGIN,
        "operationName": "CompleteLogin",
        "variables": {"challengeId": challenge_id, "code": code},
    }
    response = await gateway.client.post("/graphql", json=body, **options)
    return response.json()["data"]["completeLogin"]  # type: ignore[no-any-return]


async def latest_code(gateway: Any, national_id: str) -> str:
    messages = await gateway_of(gateway.app).stores.sms.messages(national_id, limit=1)
    match = re.search(r"\b(\d{6})\b", messages[0].body)
    assert match, messages[0].body
    return match.group(1)


async def sign_in(gateway: Any, national_id: str, password: str = "Bawaba-Demo-2026") -> dict:
    """A session from the full flow: password, code from the outbox, token."""
    started = await start_login(gateway, national_id, password)
    assert started["errors"] == [], started
    completed = await complete_login(
        gateway, started["challenge"]["id"], await latest_code(gateway, national_id)
    )
    assert completed["errors"] == [], completed
    return completed["session"]  # type: ignore[no-any-return]
