"""The gateway's calendar: Riyadh's day, Umm al-Qura dates, ages in Hijri and Gregorian years.

Whatever the machine's time zone, the gateway's day is Riyadh's: a permit valid "until
today" ends at midnight in Riyadh, and ages change there.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from hijridate import Gregorian, Hijri

GATEWAY_TIMEZONE = ZoneInfo("Asia/Riyadh")


def gateway_today(now: datetime) -> date:
    """The gateway's calendar day at the instant ``now`` (an aware datetime)."""
    return now.astimezone(GATEWAY_TIMEZONE).date()


def to_hijri(day: date) -> Hijri | None:
    """The Umm al-Qura date of ``day``; ``None`` outside the calendar's range (1924-2077)."""
    try:
        return Gregorian(day.year, day.month, day.day).to_hijri()
    except OverflowError:
        return None


def hijri_iso(day: date) -> str | None:
    hijri = to_hijri(day)
    return None if hijri is None else f"{hijri.year:04d}-{hijri.month:02d}-{hijri.day:02d}"


def completed_years(born: tuple[int, int, int], today: tuple[int, int, int]) -> int:
    years = today[0] - born[0]
    return years - 1 if (today[1], today[2]) < (born[1], born[2]) else years


def gregorian_age(birth_date: date, today: date) -> int:
    return completed_years(
        (birth_date.year, birth_date.month, birth_date.day), (today.year, today.month, today.day)
    )


def hijri_age(birth_date: date, today: date) -> int | None:
    """Completed Hijri years on ``today``: the age the travel-permit rules count."""
    born, now = to_hijri(birth_date), to_hijri(today)
    if born is None or now is None:
        return None
    return completed_years(born.datetuple(), now.datetuple())
