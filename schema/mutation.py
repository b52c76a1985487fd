"""The root mutation."""

import strawberry

from resolvers import sign_in
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
