"""The permit state machine in the registry, and its all-or-nothing writes."""

from __future__ import annotations

import pytest

import datasources.passports.permit_transitions as transitions
from datasources.passports.permit_transitions import StatusChange, apply_transition
from datasources.records import PermitStatus
from demo.demo_population import GUARDIAN, demo_permit_id
from gateway import gateway_of
from resolvers.global_ids import encode_global_id
from tests.support.permit_helpers import PERMIT_DETAILS, cancel, count_rows, issue

# Demo permits: 1 APPROVED, 2 PENDING, 3 CANCELLED, 4 EXPIRED, 5 REJECTED.
ALLOWED = {
    (1, PermitStatus.CANCELLED),
    (1, PermitStatus.EXPIRED),
    (2, PermitStatus.APPROVED),
    (2, PermitStatus.REJECTED),
    (2, PermitStatus.CANCELLED),
}


@pytest.mark.parametrize("sequence", [1, 2, 3, 4, 5])
@pytest.mark.parametrize(
    "target",
    [PermitStatus.APPROVED, PermitStatus.REJECTED, PermitStatus.CANCELLED, PermitStatus.EXPIRED],
)
async def test_only_the_allowed_transitions_apply(fresh_gateway, sequence, target) -> None:
    engine = gateway_of(fresh_gateway.app).stores.passports.engine
    change = StatusChange(demo_permit_id(sequence), target, None, "test", fresh_gateway.clock())
    before = await count_rows(fresh_gateway)
    async with engine.begin() as connection:
        previous = await apply_transition(connection, change)
    after = await count_rows(fresh_gateway)
    if (sequence, target) in ALLOWED:
        assert previous is not None
        assert after["history"] == before["history"] + 1
    else:
        assert previous is None
        assert after == before


async def test_a_failure_between_the_writes_of_a_transition_applies_nothing(
    fresh_gateway, monkeypatch
) -> None:
    permit_id = encode_global_id("TravelPermit", demo_permit_id(1))
    before = await count_rows(fresh_gateway)

    async def fail(*_args, **_kwargs):
        raise OSError("the disk went away after the status was updated")

    monkeypatch.setattr(transitions, "record_change_log", fail)
    response = await fresh_gateway.post(
        "mutation ($id: ID!) { cancelTravelPermit(input: {permitId: $id}) { permit { id } } }",
        {"id": permit_id},
        token=fresh_gateway.token(GUARDIAN.national_id),
    )
    monkeypatch.undo()

    assert response.status_code == 200
    assert response.json()["errors"][0]["extensions"]["code"] == "REGISTRY_UNAVAILABLE"
    assert await count_rows(fresh_gateway) == before
    details = await fresh_gateway.graphql(
        PERMIT_DETAILS, {"id": permit_id}, token=fresh_gateway.token(GUARDIAN.national_id)
    )
    assert details["data"]["travelPermit"]["status"] == "APPROVED"
    # And once the failure is gone, the same cancellation goes through.
    assert (await cancel(fresh_gateway, GUARDIAN.national_id, permit_id))["errors"] == []


async def test_a_failure_while_submitting_creates_nothing(fresh_gateway, monkeypatch) -> None:
    import datasources.passports.permit_office as office

    before = await count_rows(fresh_gateway)

    async def fail(*_args, **_kwargs):
        raise OSError("lost connection")

    monkeypatch.setattr(office, "record_change_log", fail)
    response = await fresh_gateway.post(
        "mutation ($i: IssueTravelPermitInput!) { issueTravelPermit(input: $i) { permit { id } } }",
        {
            "i": {
                "travellerNationalId": "1112045875",
                "kind": "SINGLE_TRIP",
                "destinations": ["FR"],
                "validFrom": "2099-01-01",
                "validUntil": "2099-01-05",
            }
        },
        token=fresh_gateway.token(GUARDIAN.national_id),
    )
    monkeypatch.undo()
    assert response.status_code == 200
    assert await count_rows(fresh_gateway) == before
    assert (await issue(fresh_gateway, GUARDIAN.national_id, "1112045875"))["errors"] == []


async def test_the_database_itself_refuses_overlapping_active_destinations(fresh_gateway) -> None:
    """On PostgreSQL the exclusion constraint holds whatever the code does."""
    from datetime import timedelta

    from sqlalchemy import insert
    from sqlalchemy.exc import IntegrityError

    from datasources.passports.permit_transitions import destination_rows
    from datasources.passports.tables import permit_destinations

    if fresh_gateway.backend != "postgres":
        pytest.skip("SQLite has no exclusion constraints; its writers are serialized instead")
    engine = gateway_of(fresh_gateway.app).stores.passports.engine
    start = fresh_gateway.today() + timedelta(days=200)

    def rows(destinations: str) -> list[dict]:
        return destination_rows(
            {
                "id": demo_permit_id(3),
                "traveller_id": "1112045875",
                "destinations": destinations,
                "valid_from": start,
                "valid_until": start + timedelta(days=3),
            }
        )

    async with engine.begin() as connection:
        await connection.execute(insert(permit_destinations), rows("FR"))
    for conflicting in ("", "FR IT"):
        with pytest.raises(IntegrityError):
            async with engine.begin() as connection:
                await connection.execute(insert(permit_destinations), rows(conflicting))
    async with engine.begin() as connection:  # another country on the same days is fine
        await connection.execute(insert(permit_destinations), rows("IT"))
