"""Two-step sign-in: a password, then a one-time code sent by SMS to the registered number.

Every answer is the same for an unknown national ID and a wrong password, and takes as
long. Codes are six random digits, valid for five minutes, single-use, stored as an HMAC
and compared in constant time; five wrong codes kill the challenge.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

import strawberry

from datasources.gateway_store.sms_outbox import SmsMessage, mask_phone_number
from resolvers.context import Context, Info
from resolvers.national_ids import is_valid_national_id
from resolvers.sessions import SessionResult, end_session, open_session, refresh_session
from resolvers.user_errors import UserError, user_error
from security.passwords import password_matches
from security.rate_limits import spend
from security.sign_in_limits import SignInLimits

CODE_DIGITS = 6


class SignInChannel(enum.StrEnum):
    """How a one-time code reaches the person."""

    SMS = "SMS"


@dataclass(frozen=True, slots=True)
class SignInChallenge:
    id: str
    channel: SignInChannel
    masked_destination: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class StartLoginResult:
    challenge: SignInChallenge | None
    errors: list[UserError]


def _code_digest(secret_key: str, challenge_id: str, code: str) -> str:
    message = f"{challenge_id}:{code}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def _limits(context: Context) -> SignInLimits:
    policy = context.policy
    return SignInLimits(
        context.store.attempts,
        context.services.secret_key,
        failures_per_id=policy.sign_in_failures_per_id,
        failures_per_address=policy.sign_in_failures_per_address,
    )


async def _locked_error(context: Context, national_id: str) -> UserError | None:
    address = context.viewer.client_address
    seconds = await _limits(context).seconds_locked(national_id, address, now=context.now())
    if seconds:
        return user_error(context, "SIGN_IN_LOCKED", seconds=seconds)
    return None


async def _spend_sign_in_budget(context: Context) -> None:
    limits = context.services.rate_limits
    await spend(limits, limits.sign_in, "sign-in", f"address:{context.viewer.client_address}")


async def start_login(context: Context, national_id: str, password: str) -> StartLoginResult:
    await _spend_sign_in_budget(context)
    if not is_valid_national_id(national_id):
        return StartLoginResult(
            None, [user_error(context, "INVALID_NATIONAL_ID", field="nationalId")]
        )
    if locked := await _locked_error(context, national_id):
        return StartLoginResult(None, [locked])
    now = context.now()
    credential = await context.store.credentials.credential(national_id)
    matched = await password_matches(credential.password_hash if credential else None, password)
    person = (await context.registries.civil.people_by_ids([national_id])).get(national_id)
    if not matched or person is None:
        await _limits(context).record_failure(national_id, context.viewer.client_address, now=now)
        return StartLoginResult(None, [user_error(context, "INVALID_CREDENTIALS")])
    challenge_id = secrets.token_hex(16)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    expires_at = now + context.policy.sign_in_code_lifetime
    await context.store.credentials.add_challenge(
        {
            "id": challenge_id,
            "national_id": national_id,
            "failed_attempts": 0,
            "code_digest": _code_digest(context.services.secret_key, challenge_id, code),
            "expires_at": expires_at,
            "consumed_at": None,
            "created_at": now,
            "client_address": context.viewer.client_address,
        }
    )
    minutes = int(context.policy.sign_in_code_lifetime.total_seconds() // 60)
    body = context.message("SIGN_IN_CODE_SMS", one_time_code=code, minutes=minutes)
    await context.store.sms.send(SmsMessage(national_id, person.mobile_number, body, now))
    return StartLoginResult(
        SignInChallenge(
            challenge_id, SignInChannel.SMS, mask_phone_number(person.mobile_number), expires_at
        ),
        [],
    )


async def complete_login(context: Context, challenge_id: str, code: str) -> SessionResult:
    await _spend_sign_in_budget(context)
    store, now, policy = context.store.credentials, context.now(), context.policy
    challenge = await store.challenge(challenge_id) if len(challenge_id) <= 64 else None
    if challenge is None or challenge.consumed_at is not None or challenge.expires_at <= now:
        return SessionResult(None, [user_error(context, "CHALLENGE_EXPIRED")])
    if challenge.failed_attempts >= policy.sign_in_code_attempts:
        return SessionResult(None, [user_error(context, "CHALLENGE_LOCKED")])
    if locked := await _locked_error(context, challenge.national_id):
        return SessionResult(None, [locked])
    expected = challenge.code_digest
    given = _code_digest(context.services.secret_key, challenge.id, code)
    if not hmac.compare_digest(expected, given):
        failures = await store.record_wrong_code(challenge.id)
        await _limits(context).record_failure(
            challenge.national_id, context.viewer.client_address, now=now
        )
        if failures >= policy.sign_in_code_attempts:
            return SessionResult(None, [user_error(context, "CHALLENGE_LOCKED")])
        remaining = policy.sign_in_code_attempts - failures
        return SessionResult(None, [user_error(context, "INVALID_CODE", attempts=remaining)])
    if not await store.consume_challenge(
        challenge.id, at=now, max_failures=policy.sign_in_code_attempts
    ):
        return SessionResult(None, [user_error(context, "CHALLENGE_EXPIRED")])
    await _limits(context).record_success(challenge.national_id)
    credential = await store.credential(challenge.national_id)
    scopes = credential.scopes if credential else frozenset()
    return SessionResult(await open_session(context, challenge.national_id, scopes), [])


async def resolve_start_login(info: Info, national_id: str, password: str) -> StartLoginResult:
    return await start_login(info.context, national_id, password)


async def resolve_complete_login(
    info: Info, challenge_id: strawberry.ID, code: str
) -> SessionResult:
    return await complete_login(info.context, str(challenge_id), code)


async def resolve_refresh_session(info: Info, refresh_token: str) -> SessionResult:
    return await refresh_session(info.context, refresh_token)


async def resolve_logout(info: Info, refresh_token: str) -> LogoutResult:
    return LogoutResult(errors=await end_session(info.context, refresh_token))


@dataclass(frozen=True, slots=True)
class LogoutResult:
    errors: list[UserError]
