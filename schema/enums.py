"""The schema's enums: the registries' and the resolvers' own values, exposed as they are.

``strawberry.enum`` marks the registry's enum class itself as a GraphQL enum and returns it, so
each name here is the records' class: a resolver returns a ``records.PermitStatus`` and the
schema reads it as its own.
"""

import strawberry

from datasources.records import (
    Gender,
    MaritalStatus,
    PassportStatus,
    PermitKind,
    PermitStatus,
    Relationship,
)
from resolvers.access_log import AccessorKind
from resolvers.notifications import NotificationKind
from resolvers.sign_in import SignInChannel

strawberry.enum(Gender, name="Gender")
strawberry.enum(MaritalStatus, name="MaritalStatus")
strawberry.enum(
    Relationship, name="Relationship", description="How a dependent relates to a guardian."
)
strawberry.enum(PassportStatus, name="PassportStatus")
strawberry.enum(PermitKind, name="PermitKind")
strawberry.enum(
    PermitStatus,
    name="PermitStatus",
    description="PENDING → APPROVED | REJECTED; PENDING | APPROVED → CANCELLED; "
    "APPROVED → EXPIRED.",
)
strawberry.enum(AccessorKind, name="AccessorKind", description="Who read a person's data.")
strawberry.enum(NotificationKind, name="NotificationKind")
strawberry.enum(SignInChannel, name="SignInChannel")

__all__ = [
    "AccessorKind",
    "Gender",
    "MaritalStatus",
    "NotificationKind",
    "PassportStatus",
    "PermitKind",
    "PermitStatus",
    "Relationship",
    "SignInChannel",
]
