"""Two gateway processes, one Redis: a subscriber on A sees what happens through B."""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime, timedelta

import httpx

from cli.stores import prepare_stores
from demo.demo_population import GUARDIAN, SARA
from resolvers.calendars import gateway_today
from settings import Settings
from tests.support.contract_documents import contract_document
from tests.support.gateway_processes import GATEWAY_PROCESSES, gateway_process
from tests.support.live_server import TransportWS
from tests.support.permit_helpers import ISSUE
from tests.support.servers import postgres_databases
from tests.support.tokens import issue_access_token

WATCH = contract_document("frontend/WatchMyPermits.graphql")


@GATEWAY_PROCESSES
async def test_a_subscriber_on_one_process_sees_a_permit_issued_on_another(
    tmp_path, redis_url
) -> None:
    databases = await postgres_databases()
    secret = secrets.token_urlsafe(40)
    urls = {
        "BAWABA_CIVIL_REGISTRY_URL": await databases.create("civil"),
        "BAWABA_PASSPORT_REGISTRY_URL": await databases.create("passport"),
        "BAWABA_GATEWAY_STORE_URL": await databases.create("gateway"),
    }
    await prepare_stores(
        Settings(
            secret_key=secret,
            data_dir=tmp_path,
            civil_registry_url=urls["BAWABA_CIVIL_REGISTRY_URL"],
            passport_registry_url=urls["BAWABA_PASSPORT_REGISTRY_URL"],
            gateway_store_url=urls["BAWABA_GATEWAY_STORE_URL"],
        )
    )
    shared = {
        **urls,
        "BAWABA_SECRET_KEY": secret,
        "BAWABA_REDIS_URL": redis_url,
        "BAWABA_DATA_DIR": str(tmp_path),
        "BAWABA_EVENT_STREAM": f"test:{secret[:12]}",
    }
    token = issue_access_token(secret, GUARDIAN.national_id)
    # `gateway serve` runs on the machine's clock; its day is Riyadh's at this instant.
    on = gateway_today(datetime.now(UTC)) + timedelta(days=30)
    request = {
        "travellerNationalId": SARA.national_id,
        "kind": "SINGLE_TRIP",
        "destinations": ["FR"],
        "validFrom": on.isoformat(),
        "validUntil": (on + timedelta(days=5)).isoformat(),
    }

    with (
        gateway_process({**shared, "BAWABA_AGENCY_REVIEW": "false"}) as a,
        gateway_process(
            {**shared, "BAWABA_AGENCY_REVIEW": "true", "BAWABA_AGENCY_REVIEW_DELAY_SECONDS": "1"}
        ) as b,
    ):
        async with TransportWS.connect(
            a.replace("http", "ws"), {"Authorization": f"Bearer {token}"}
        ) as client:
            await client.subscribe(WATCH)
            await asyncio.sleep(0.5)
            async with httpx.AsyncClient() as http:
                issued = (
                    await http.post(
                        f"{b}/graphql",
                        json={"query": ISSUE, "variables": {"input": request}},
                        headers={"Authorization": f"Bearer {token}"},
                    )
                ).json()
            permit_id = issued["data"]["issueTravelPermit"]["permit"]["id"]
            seen = []
            while len(seen) < 2:
                [event] = await client.next_events(1, timeout=10)
                change = event["travelPermitStatusChanged"]
                if change["permit"]["id"] == permit_id:
                    seen.append(
                        (change["status"], datetime.fromisoformat(change["at"]), datetime.now(UTC))
                    )
    assert [status for status, _, _ in seen] == ["PENDING", "APPROVED"]
    _, reviewed_at, received_at = seen[1]
    assert received_at - reviewed_at < timedelta(seconds=1)
