"""A registry that keeps failing is cut off: the gateway answers at once, the others still work."""

from __future__ import annotations

import asyncpg
import httpx

from cli.stores import prepare_stores
from demo.demo_population import GUARDIAN
from gateway import create_app, gateway_of
from settings import Settings
from tests.support.contract_documents import contract_document
from tests.support.running_gateway import TEST_SECRET
from tests.support.tokens import issue_access_token

MY_FAMILY = contract_document("frontend/MyFamily.graphql")


async def test_the_breaker_opens_and_the_civil_registry_still_answers(tmp_path, monkeypatch):
    settings = Settings(data_dir=tmp_path, secret_key=TEST_SECRET, agency_review=False)
    await prepare_stores(settings)
    outage = settings.model_copy(
        update={
            "passport_registry_url": "postgresql+asyncpg://nobody@127.0.0.1:9/none",
            "breaker_threshold": 2,
            "breaker_open_seconds": 60,
        }
    )
    app = create_app(outage)
    attempts = []
    real_connect = asyncpg.connect

    async def counting_connect(*args, **kwargs):
        attempts.append(1)
        return await real_connect(*args, **kwargs)

    monkeypatch.setattr(asyncpg, "connect", counting_connect)
    token = issue_access_token(TEST_SECRET, GUARDIAN.national_id)
    answers = []
    async with app.router.lifespan_context(app):
        gateway_of(app).event_bus._stopping = True  # keep the relay's retries out of the count
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            for _ in range(4):
                attempts_before = len(attempts)
                response = await client.post(
                    "/graphql",
                    json={"query": MY_FAMILY},
                    headers={"Authorization": f"Bearer {token}"},
                )
                answers.append((response.json(), len(attempts) - attempts_before))
    for body, _ in answers:
        assert body["data"]["me"]["name"]["en"] == GUARDIAN.name_en
        assert len(body["data"]["me"]["dependents"]) == 5
        assert {e["extensions"]["code"] for e in body["errors"]} == {"REGISTRY_UNAVAILABLE"}
        assert {e["extensions"]["registry"] for e in body["errors"]} == {"passport"}
    # The first request tries the registry; once two calls failed, nobody waits on it.
    assert answers[0][1] > 0
    assert [tried for _, tried in answers[2:]] == [0, 0]
