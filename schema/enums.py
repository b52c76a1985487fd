"""The schema's enums: the registries' and the resolvers' own values, exposed as they are."""

import strawberry

from datasources import records
from resolvers.access_log import AccessorKind as AccessorKindValues
from resolvers.notifications import NotificationKind as NotificationKindValues
from resolvers.sign_in import SignInChannel as SignInChannelValues

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
AccessorKind = strawberry.enum(
    AccessorKindValues, name="AccessorKind", description="Who read a person's data."
)
NotificationKind = strawberry.enum(NotificationKindValues, name="NotificationKind")
SignInChannel = strawberry.enum(SignInChannelValues, name="SignInChannel")
