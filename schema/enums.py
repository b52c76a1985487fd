"""The schema's enums: the registries' own values, exposed as they are."""

import strawberry

from datasources import records

Gender = strawberry.enum(records.Gender, name="Gender")
MaritalStatus = strawberry.enum(records.MaritalStatus, name="MaritalStatus")
Relationship = strawberry.enum(
    records.Relationship, name="Relationship", description="How a dependent relates to a guardian."
)
PassportStatus = strawberry.enum(records.PassportStatus, name="PassportStatus")
PermitKind = strawberry.enum(records.PermitKind, name="PermitKind")
PermitStatus = strawberry.enum(
    records.PermitStatus,
    name="PermitStatus",
    description="PENDING → APPROVED | REJECTED; PENDING | APPROVED → CANCELLED; "
    "APPROVED → EXPIRED.",
)
