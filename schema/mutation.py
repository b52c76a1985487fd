"""The root mutation. Each field hands its arguments to the resolver that does the work."""

import strawberry

from resolvers import passport_renewal, permit_requests, sign_in
from resolvers.context import Info
from resolvers.passport_renewal import PassportResult
from resolvers.permit_requests import PermitResult
from schema.permit_requests import (
    CancelTravelPermitInput,
    IssueTravelPermitInput,
    TravelPermitPayload,
    UpdatePassportInput,
    UpdatePassportPayload,
)
from schema.sign_in import LogoutPayload, SessionPayload, StartLoginPayload


async def _issue_travel_permit(info: Info, input: IssueTravelPermitInput) -> PermitResult:
    request = permit_requests.permit_request(
        traveller_national_id=input.traveller_national_id,
        kind=input.kind,
        destinations=input.destinations,
        valid_from=input.valid_from,
        valid_until=input.valid_until,
        idempotency_key=input.idempotency_key,
    )
    return await permit_requests.issue_travel_permit(info, request)


async def _cancel_travel_permit(info: Info, input: CancelTravelPermitInput) -> PermitResult:
    return await permit_requests.cancel_travel_permit(info, str(input.permit_id), input.reason)


async def _update_passport(info: Info, input: UpdatePassportInput) -> PassportResult:
    return await passport_renewal.update_passport(
        info,
        number=input.number,
        issuing_country=input.issuing_country,
        issue_date=input.issue_date,
        expiry_date=input.expiry_date,
    )


@strawberry.type
class Mutation:
    start_login = strawberry.mutation(
        resolver=sign_in.resolve_start_login,
        graphql_type=StartLoginPayload,
        description="Step one: check the password and send a one-time code by SMS.",
    )
    complete_login = strawberry.mutation(
        resolver=sign_in.resolve_complete_login,
        graphql_type=SessionPayload,
        description="Step two: exchange the one-time code for a session.",
    )
    refresh_session = strawberry.mutation(
        resolver=sign_in.resolve_refresh_session,
        graphql_type=SessionPayload,
        description="Spend a refresh token for a new session; a token used twice ends them all.",
    )
    logout = strawberry.mutation(
        resolver=sign_in.resolve_logout,
        graphql_type=LogoutPayload,
        description="End the session the refresh token belongs to.",
    )
    issue_travel_permit = strawberry.mutation(
        resolver=_issue_travel_permit,
        graphql_type=TravelPermitPayload,
        description="Ask for a dependent's travel permit; it starts PENDING.",
    )
    cancel_travel_permit = strawberry.mutation(
        resolver=_cancel_travel_permit,
        graphql_type=TravelPermitPayload,
        description="Cancel a PENDING or APPROVED permit you issued.",
    )
    update_passport = strawberry.mutation(
        resolver=_update_passport,
        graphql_type=UpdatePassportPayload,
        description="Record your renewed passport (residents); current at once.",
    )
