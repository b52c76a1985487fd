"""Issuing and cancelling travel permits: the guardian's side of the agency's process.

The gateway checks the request (``permit_rules``), hands it to the passports agency, and
reports what the agency's registry recorded. Approval or rejection is the agency's review;
the gateway never decides it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

import orjson

from datasources.records import (
    PermitApplication,
    PermitKind,
    SubmissionOutcome,
    TransitionOutcome,
    TravelPermit,
)
from errors import NotFound
from resolvers.access_log import record_access
from resolvers.context import Context, Info
from resolvers.global_ids import decode_global_id
from resolvers.permit_rules import PermitRequest, check_permit_request, normalized_destinations
from resolvers.permits import PERMIT_TYPE
from resolvers.user_errors import UserError, user_error
from security.rate_limits import spend

MAX_CANCEL_REASON_LENGTH = 200


@dataclass(frozen=True, slots=True)
class PermitResult:
    permit: TravelPermit | None
    errors: list[UserError]


def request_fingerprint(guardian_id: str, request: PermitRequest) -> str:
    """What makes two requests "the same" for an idempotency key."""
    canonical = orjson.dumps(
        [
            guardian_id,
            request.traveller_national_id,
            request.kind.value,
            sorted(request.destinations),
            request.valid_from.isoformat(),
            request.valid_until.isoformat(),
        ]
    )
    return hashlib.sha256(canonical).hexdigest()


async def issue_travel_permit(info: Info, request: PermitRequest) -> PermitResult:
    context = info.context
    guardian_id = context.viewer.require_person()
    limits = context.services.rate_limits
    await spend(limits, limits.issue_permit, "issue-permit", f"person:{guardian_id}")
    errors, link = await check_permit_request(context, guardian_id, request)
    if errors or link is None:
        return PermitResult(None, errors)
    application = PermitApplication(
        traveller_id=link.person.national_id,
        guardian_id=guardian_id,
        kind=request.kind,
        destinations=request.destinations,
        valid_from=request.valid_from,
        valid_until=request.valid_until,
        idempotency_key=request.idempotency_key,
        fingerprint=request_fingerprint(guardian_id, request),
    )
    submission = await context.registries.permit_office.submit(application, at=context.now())
    if submission.outcome is SubmissionOutcome.OVERLAPS:
        return PermitResult(None, [user_error(context, "OVERLAPPING_PERMIT", field="validFrom")])
    if submission.outcome is SubmissionOutcome.KEY_REUSED:
        return PermitResult(
            None, [user_error(context, "IDEMPOTENCY_KEY_REUSED", field="idempotencyKey")]
        )
    record_access(info, application.traveller_id)
    return PermitResult(submission.permit, [])


async def cancel_travel_permit(info: Info, permit_id: str, reason: str | None) -> PermitResult:
    context = info.context
    guardian_id = context.viewer.require_person()
    note = reason.strip() if reason and reason.strip() else None
    if note is not None and len(note) > MAX_CANCEL_REASON_LENGTH:
        return PermitResult(
            None,
            [
                user_error(
                    context, "REASON_TOO_LONG", field="reason", limit=MAX_CANCEL_REASON_LENGTH
                )
            ],
        )
    key = _permit_key(context, permit_id)
    if key is None:
        return PermitResult(None, [user_error(context, "NOT_FOUND", field="permitId")])
    office = context.registries.permit_office
    outcome = await office.cancel(key, guardian_id=guardian_id, note=note, at=context.now())
    if outcome.outcome is TransitionOutcome.NOT_FOUND or outcome.permit is None:
        return PermitResult(None, [user_error(context, "NOT_FOUND", field="permitId")])
    if outcome.outcome is TransitionOutcome.NOT_ALLOWED:
        status = context.message(f"STATUS_{outcome.permit.status.value}")
        return PermitResult(
            None, [user_error(context, "PERMIT_NOT_CANCELLABLE", field="permitId", status=status)]
        )
    record_access(info, outcome.permit.traveller_id)
    return PermitResult(outcome.permit, [])


def _permit_key(context: Context, permit_id: str) -> str | None:
    try:
        type_name, key = decode_global_id(permit_id)
    except NotFound:
        return None
    return key if type_name == PERMIT_TYPE and len(key) <= 32 else None


def permit_request(
    *,
    traveller_national_id: str,
    kind: PermitKind,
    destinations: list[str],
    valid_from: date,
    valid_until: date,
    idempotency_key: str | None,
) -> PermitRequest:
    return PermitRequest(
        traveller_national_id=traveller_national_id.strip(),
        kind=kind,
        destinations=normalized_destinations(destinations),
        valid_from=valid_from,
        valid_until=valid_until,
        idempotency_key=idempotency_key,
    )
