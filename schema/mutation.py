"""The root mutation. Each field hands its arguments to the resolver that does the work."""

import strawberry

from resolvers import passport_renewal, permit_requests, sign_in
from resolvers.context import Info
from schema.permit_requests import (
    CancelTravelPermitInput,
    IssueTravelPermitInput,
    TravelPermitPayload,
    UpdatePassportInput,
    UpdatePassportPayload,
)
from schema.sign_in import LogoutPayload, SessionPayload, StartLoginPayload


@strawberry.type
class Mutation:
    start_login: StartLoginPayload = strawberry.mutation(
        resolver=sign_in.resolve_start_login,
        description="Step one: check the password and send a one-time code by SMS.",
    )
    complete_login: SessionPayload = strawberry.mutation(
        resolver=sign_in.resolve_complete_login,
        description="Step two: exchange the one-time code for a session.",
    )
    refresh_session: SessionPayload = strawberry.mutation(
        resolver=sign_in.resolve_refresh_session,
        description="Spend a refresh token for a new session; a token used twice ends them all.",
    )
    logout: LogoutPayload = strawberry.mutation(
        resolver=sign_in.resolve_logout, description="End the session the refresh token belongs to."
    )

    @strawberry.mutation(description="Ask for a dependent's travel permit; it starts PENDING.")
    async def issue_travel_permit(
        self, info: Info, input: IssueTravelPermitInput
    ) -> TravelPermitPayload:
        request = permit_requests.permit_request(
            traveller_national_id=input.traveller_national_id,
            kind=input.kind,
            destinations=input.destinations,
            valid_from=input.valid_from,
            valid_until=input.valid_until,
            idempotency_key=input.idempotency_key,
        )
        return await permit_requests.issue_travel_permit(info, request)  # type: ignore[return-value]

    @strawberry.mutation(description="Cancel a PENDING or APPROVED permit you issued.")
    async def cancel_travel_permit(
        self, info: Info, input: CancelTravelPermitInput
    ) -> TravelPermitPayload:
        return await permit_requests.cancel_travel_permit(  # type: ignore[return-value]
            info, str(input.permit_id), input.reason
        )

    @strawberry.mutation(description="Record your renewed passport (residents); current at once.")
    async def update_passport(
        self, info: Info, input: UpdatePassportInput
    ) -> UpdatePassportPayload:
        return await passport_renewal.update_passport(  # type: ignore[return-value]
            info,
            number=input.number,
            issuing_country=input.issuing_country,
            issue_date=input.issue_date,
            expiry_date=input.expiry_date,
        )
