"""What partners (border control, airlines) may ask."""

from datetime import date

import strawberry


@strawberry.type(description="Whether an APPROVED permit covers the trip; nothing personal.")
class TravelPermitVerification:
    allowed: bool
    permit_number: str | None
    valid_until: date | None
