"""Two-step sign-in, sessions and logout."""

from datetime import datetime

import strawberry

from schema.enums import SignInChannel
from schema.errors import UserError


@strawberry.type(description="A one-time code was sent; answer it with completeLogin.")
class SignInChallenge:
    id: strawberry.ID
    channel: SignInChannel = strawberry.field(description="How the code was sent.")
    masked_destination: str = strawberry.field(description="E.g. +9665******67.")
    expires_at: datetime


@strawberry.type
class StartLoginPayload:
    challenge: SignInChallenge | None
    errors: list[UserError]


@strawberry.type(description="Credentials for the API: send accessToken as a Bearer token.")
class Session:
    access_token: str
    refresh_token: str = strawberry.field(
        description="Single use: refreshSession returns a new one."
    )
    expires_at: datetime = strawberry.field(description="When the access token expires.")


@strawberry.type
class SessionPayload:
    session: Session | None
    errors: list[UserError]


@strawberry.type
class LogoutPayload:
    errors: list[UserError]
