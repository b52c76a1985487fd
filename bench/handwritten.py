"""(b) The family page written by hand: Starlette, asyncpg and orjson, no GraphQL at all.

    uvicorn handwritten:create_app --factory --app-dir bench   (settings from BAWABA_*)

Answers the same request as Bawaba (``POST /graphql`` with the ``MyFamily`` document, a
bearer token and ``Accept-Language``) with the same ``data``, doing the work any endpoint
serving this page in production must do, and nothing more:

- the access token checked exactly like Bawaba (``read_access_token``: HS256, issuer,
  audience, expiry), and its session looked up in the gateway store (``refresh_tokens``),
  each answer remembered 5 seconds, as ``RevokedSessions`` does;
- the minimal SQL: one statement on the civil registry (the guardian and the dependents),
  two on the passport registry (the current passport; the newest 5 permits of each child
  that this guardian issued, with their count), all three at once;
- the access audit: one row per dependent read, buffered and written every 0.2 s;
- the JSON built directly, with the project's pure functions for Hijri dates, messages,
  country names, cursors and IDs.

It does not rate-limit or count query cost (Bawaba's limits, set high in the benchmark so
that they refuse nothing, are part of what Bawaba's figures pay for).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from datasources.country_directory import CountryDirectory
from errors import NotAuthenticated
from i18n.catalog import Locale, MessageCatalog, negotiate_locale
from resolvers.calendars import gregorian_age, hijri_age, hijri_iso
from resolvers.global_ids import encode_global_id
from resolvers.pagination import encode_cursor
from security.access_tokens import read_access_token
from settings import Settings

ROOT = Path(__file__).resolve().parent.parent
MY_FAMILY = (ROOT / "contract/frontend/MyFamily.graphql").read_text()
MY_FAMILY_HASH = hashlib.sha256(MY_FAMILY.encode()).hexdigest()
RIYADH = ZoneInfo("Asia/Riyadh")
PAGE_SIZE = 5  # travelPermits(first: 5) in the document
AGE_LIMIT_HIJRI_YEARS = 21
SESSION_MEMORY_SECONDS = 5.0
AUDIT_FLUSH_SECONDS = 0.2

ME_AND_DEPENDENTS = """
SELECT 0 AS part, NULL AS relationship, national_id, name_ar, name_en, birth_date, gender,
       marital_status
  FROM people WHERE national_id = $1
UNION ALL
SELECT 1, l.relationship, p.national_id, p.name_ar, p.name_en, p.birth_date, p.gender,
       p.marital_status
  FROM family_links l JOIN people p ON p.national_id = l.dependent_id
 WHERE l.guardian_id = $1
ORDER BY part, birth_date, national_id
"""
CURRENT_PASSPORT = """
SELECT number, expiry_date, issuing_country FROM passports
 WHERE holder_id = $1 AND status = 'VALID'
"""
PERMIT_PAGES = """
SELECT id, number, traveller_id, kind, destinations, valid_from, valid_until, status,
       created_at, total_count
  FROM (SELECT id, number, traveller_id, kind, destinations, valid_from, valid_until, status,
               created_at,
               count(*) OVER (PARTITION BY traveller_id) AS total_count,
               row_number() OVER (PARTITION BY traveller_id
                                  ORDER BY created_at DESC, id DESC) AS position
          FROM travel_permits WHERE guardian_id = $1) AS ranked
 WHERE position <= $2
 ORDER BY traveller_id, position
"""
SESSION_REVOKED = """
SELECT 1 FROM refresh_tokens WHERE family_id = $1 AND revoked_at IS NOT NULL LIMIT 1
"""
AUDIT_COLUMNS = ("subject_id", "accessor_kind", "accessor_id", "accessor_name", "operation",
                 "client_address", "at")  # fmt: skip


def asyncpg_url(sqlalchemy_url: str) -> str:
    return sqlalchemy_url.replace("postgresql+asyncpg://", "postgresql://", 1)


def error_response(code: str, status: int, messages: MessageCatalog, locale: Locale) -> Response:
    body = {"data": None, "errors": [{"message": messages.message(code, locale),
                                      "extensions": {"code": code}}]}  # fmt: skip
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


class FamilyPage:
    """The endpoint, its connection pools, its session memory and its audit buffer."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.messages = MessageCatalog.load()
        self.countries = CountryDirectory.load()
        self.sessions: dict[str, tuple[float, bool]] = {}
        self.audit: list[tuple[Any, ...]] = []
        self.pools: dict[str, asyncpg.Pool] = {}

    @asynccontextmanager
    async def lifespan(self, _: Starlette) -> AsyncIterator[None]:
        # As many connections as Bawaba may open: its pool (which has no overflow).
        size = self.settings.registry_pool_size
        for store in ("civil", "passport", "gateway"):
            self.pools[store] = await asyncpg.create_pool(
                asyncpg_url(self.settings.registry_url(store)), min_size=1, max_size=size
            )
        flusher = asyncio.create_task(self._flush_audit_forever())
        yield
        flusher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await flusher
        await self._flush_audit()
        for pool in self.pools.values():
            await pool.close()

    async def endpoint(self, request: Request) -> Response:
        locale = negotiate_locale(request.headers.get("accept-language"))
        payload = orjson.loads(await request.body())
        query = payload.get("query") if isinstance(payload, dict) else None
        if not isinstance(query, str) or hashlib.sha256(query.encode()).hexdigest() != (
            MY_FAMILY_HASH
        ):
            return error_response("TRUSTED_DOCUMENTS_ONLY", 403, self.messages, locale)
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        try:
            if scheme.lower() != "bearer":
                raise NotAuthenticated("UNAUTHENTICATED")
            viewer = read_access_token(self.settings.secret_key, token.strip())
            if viewer.session_id is not None and await self._is_revoked(viewer.session_id):
                raise NotAuthenticated("SESSION_REVOKED")
        except NotAuthenticated as error:
            return error_response(error.code, 401, self.messages, locale)
        assert viewer.national_id is not None
        client_address = request.client.host if request.client else "unknown"
        me = await self.family_page(viewer.national_id, locale, client_address)
        return Response(orjson.dumps({"data": {"me": me}}), media_type="application/json")

    async def family_page(
        self, guardian_id: str, locale: Locale, client_address: str
    ) -> dict[str, Any] | None:
        civil, passport, permits = await asyncio.gather(
            self._fetch("civil", ME_AND_DEPENDENTS, guardian_id),
            self._fetch("passport", CURRENT_PASSPORT, guardian_id),
            self._fetch("passport", PERMIT_PAGES, guardian_id, PAGE_SIZE + 1),
        )
        if not civil or civil[0]["part"] != 0:
            return None
        today = datetime.now(UTC).astimezone(RIYADH).date()
        pages: defaultdict[str, list[asyncpg.Record]] = defaultdict(list)
        for row in permits:
            pages[row["traveller_id"]].append(row)
        me, children = civil[0], civil[1:]
        now = datetime.now(UTC)
        for child in children:
            self.audit.append((child["national_id"], "PERSON", guardian_id, "", "MyFamily",
                               client_address[:64], now))  # fmt: skip
        current = passport[0] if passport else None
        return {
            "__typename": "Citizen" if guardian_id.startswith("1") else "Resident",
            "nationalId": me["national_id"],
            "name": {"ar": me["name_ar"], "en": me["name_en"]},
            "birthDate": me["birth_date"],
            "birthDateHijri": hijri_iso(me["birth_date"]),
            "currentPassport": None if current is None else {
                "number": current["number"],
                "expiryDate": current["expiry_date"],
                "issuingCountry": self._country_code(current["issuing_country"]),
            },
            "dependents": [
                self._dependent(child, pages[child["national_id"]], today, locale)
                for child in children
            ],
        }  # fmt: skip

    def _dependent(
        self, child: asyncpg.Record, page: list[asyncpg.Record], today: date, locale: Locale
    ) -> dict[str, Any]:
        birth = child["birth_date"]
        reasons = []
        years = hijri_age(birth, today)
        if years is None:
            reasons.append("BIRTH_DATE_OUT_OF_RANGE")
        elif years >= AGE_LIMIT_HIJRI_YEARS:
            reasons.append("TRAVELLER_OVER_AGE_LIMIT")
        if child["marital_status"] != "SINGLE":
            reasons.append("TRAVELLER_MARRIED")
        shown = page[:PAGE_SIZE]
        cursors = [encode_cursor(row["created_at"], row["id"]) for row in shown]
        return {
            "relationship": child["relationship"],
            "age": gregorian_age(birth, today),
            "person": {
                "nationalId": child["national_id"],
                "name": {"ar": child["name_ar"], "en": child["name_en"]},
                "birthDate": birth,
                "gender": child["gender"],
                "maritalStatus": child["marital_status"],
            },
            "travelPermitEligibility": {
                "eligible": not reasons,
                "reasons": [
                    {"code": code, "message": self.messages.message(
                        code, locale, limit=AGE_LIMIT_HIJRI_YEARS)}
                    for code in reasons
                ],
            },
            "travelPermits": {
                "totalCount": page[0]["total_count"] if page else 0,
                "edges": [
                    {"cursor": cursor, "node": self._permit(row)}
                    for cursor, row in zip(cursors, shown, strict=True)
                ],
                "pageInfo": {
                    "hasNextPage": len(page) > PAGE_SIZE,
                    "endCursor": cursors[-1] if cursors else None,
                },
            },
        }  # fmt: skip

    def _permit(self, row: asyncpg.Record) -> dict[str, Any]:
        destinations = []
        for code in row["destinations"].split():
            country = self.countries.get(code)
            if country is not None:
                destinations.append(
                    {"code": country.code, "name": {"ar": country.name.ar, "en": country.name.en}}
                )
        return {
            "id": encode_global_id("TravelPermit", row["id"]),
            "number": row["number"],
            "kind": row["kind"],
            "status": row["status"],
            "validFrom": row["valid_from"],
            "validUntil": row["valid_until"],
            "destinations": destinations,
        }

    def _country_code(self, code: str) -> dict[str, str] | None:
        country = self.countries.get(code)
        return None if country is None else {"code": country.code}

    async def _fetch(self, store: str, statement: str, *arguments: Any) -> list[asyncpg.Record]:
        async with self.pools[store].acquire() as connection:
            return list(await connection.fetch(statement, *arguments))

    async def _is_revoked(self, session_id: str) -> bool:
        now = time.monotonic()
        known = self.sessions.get(session_id)
        if known is not None and known[0] > now:
            return known[1]
        async with self.pools["gateway"].acquire() as connection:
            revoked = await connection.fetchval(SESSION_REVOKED, session_id) is not None
        self.sessions[session_id] = (now + SESSION_MEMORY_SECONDS, revoked)
        return revoked

    async def _flush_audit_forever(self) -> None:
        while True:
            await asyncio.sleep(AUDIT_FLUSH_SECONDS)
            await self._flush_audit()

    async def _flush_audit(self) -> None:
        batch, self.audit = self.audit, []
        if batch:
            async with self.pools["gateway"].acquire() as connection:
                await connection.copy_records_to_table(
                    "access_audit", records=batch, columns=AUDIT_COLUMNS
                )


def create_app() -> Starlette:
    page = FamilyPage(Settings())
    return Starlette(
        routes=[Route("/graphql", page.endpoint, methods=["POST"])], lifespan=page.lifespan
    )
