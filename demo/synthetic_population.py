"""A large synthetic population for benchmarks: families, passports and travel permits.

``gateway seed --population N`` adds N people. Most live in families: a married guardian
with about five sons and daughters aged 1 to 25, each with a valid passport; unmarried
dependents under 21 hold a few travel permits in every status, with their full history.

Each person gets a serial number, counted on from the people already in the civil registry,
so that a second run adds more people instead of colliding with the first. National IDs are
``<1|2>9<serial:07d><Luhn>``: the 9 keeps them apart from the demo people's IDs. The serial
also makes passport and permit numbers unique. Names, dates and statuses come from one
``random.Random`` seeded with ``seed`` (and the serial the run starts at): the same seed, day
and starting registry give the same rows.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple

from datasources.civil_registry import SqlCivilRegistry
from datasources.passports.passport_registry import SqlPassportRegistry, permit_status_changes
from datasources.passports.passport_registry import passports as passport_table
from resolvers.calendars import gateway_today, gregorian_age, hijri_age
from resolvers.family import PERMIT_AGE_LIMIT_HIJRI_YEARS
from resolvers.national_ids import luhn_check_digit

Pair = tuple[str, str]  # (Arabic, English)
Row = dict[str, Any]


def _pairs(text: str) -> tuple[Pair, ...]:
    """``"محمد/Mohammed, أحمد/Ahmed"`` → ``(("محمد", "Mohammed"), ("أحمد", "Ahmed"))``."""
    pairs = (item.split("/") for item in text.split(",") if item.strip())
    return tuple((arabic.strip(), english.strip()) for arabic, english in pairs)


_ARAB_MALE = _pairs(
    "محمد/Mohammed, أحمد/Ahmed, عبدالله/Abdullah, عبدالرحمن/Abdulrahman, عبدالعزيز/Abdulaziz,"
    "فهد/Fahad, سعد/Saad, خالد/Khalid, فيصل/Faisal, سلطان/Sultan, تركي/Turki, ناصر/Nasser,"
    "سعود/Saud, بندر/Bandar, نايف/Naif, ماجد/Majed, عمر/Omar, علي/Ali, يوسف/Yousef, حمد/Hamad,"
    "إبراهيم/Ibrahim, منصور/Mansour, مشعل/Mishal, راشد/Rashid, سلمان/Salman, طلال/Talal,"
    "وليد/Waleed, ياسر/Yasser, حسن/Hassan, زياد/Ziyad, بدر/Badr, مازن/Mazen, عادل/Adel,"
    "هشام/Hisham, طارق/Tariq, مصطفى/Mustafa, صالح/Saleh, حمزة/Hamza, أنس/Anas, ريان/Rayan"
)
_ARAB_FEMALE = _pairs(
    "نورة/Noura, سارة/Sara, فاطمة/Fatimah, مريم/Maryam, هند/Hind, ريم/Reem, لمى/Lama, منى/Mona,"
    "عبير/Abeer, هيفاء/Haifa, العنود/Alanoud, الجوهرة/Aljawhara, شهد/Shahad, رغد/Raghad,"
    "جود/Joud, لينا/Lina, دانة/Dana, أمل/Amal, ندى/Nada, هيا/Haya, أسماء/Asma, خديجة/Khadija,"
    "عائشة/Aisha, رهف/Rahaf, غادة/Ghada, بشرى/Bushra, ليلى/Layla, سلمى/Salma, ملاك/Malak,"
    "وعد/Waad, رنا/Rana, دلال/Dalal, جنى/Jana, لجين/Lujain, حصة/Hessa, مها/Maha"
)
_SAUDI_FAMILIES = _pairs(
    "الحربي/Al-Harbi, العتيبي/Al-Otaibi, القحطاني/Al-Qahtani, الغامدي/Al-Ghamdi,"
    "الزهراني/Al-Zahrani, الشهري/Al-Shehri, الدوسري/Al-Dosari, المطيري/Al-Mutairi,"
    "الشمري/Al-Shammari, العنزي/Al-Anazi, السبيعي/Al-Subaie, الشهراني/Al-Shahrani,"
    "المالكي/Al-Malki, الرشيد/Al-Rasheed, السديري/Al-Sudairi, العمري/Al-Omari,"
    "الجهني/Al-Juhani, البلوي/Al-Balawi, الخالدي/Al-Khalidi, السهلي/Al-Sahli,"
    "الأحمدي/Al-Ahmadi, التميمي/Al-Tamimi, العسيري/Al-Asiri, اليامي/Al-Yami, الحازمي/Al-Hazmi"
)
_ARAB_FAMILIES = {
    "EG": _pairs(
        "المصري/El-Masry, عبد الفتاح/Abdelfattah, الشريف/El-Sherif, فرج/Farag,"
        "شحاتة/Shehata, النجار/El-Naggar, سالم/Salem, عبد الرحمن/Abdelrahman"
    ),
    "JO": _pairs(
        "الخطيب/Al-Khatib, العبادي/Al-Abbadi, المجالي/Al-Majali, الزعبي/Al-Zoubi,"
        "الحديد/Al-Hadid, النسور/Al-Nsour, الطراونة/Al-Tarawneh, الخوالدة/Al-Khawaldeh"
    ),
    "YE": _pairs(
        "الحضرمي/Al-Hadrami, الأهدل/Al-Ahdal, باوزير/Bawazir, بن محفوظ/Bin Mahfouz,"
        "السقاف/Al-Saqqaf, العمودي/Al-Amoudi, الصبري/Al-Sabri, باعشن/Baashen"
    ),
    "SD": _pairs(
        "عثمان/Osman, الطيب/Eltayeb, محجوب/Mahjoub, الأمين/Elamin, ميرغني/Mirghani,"
        "البشير/Elbashir, النور/Elnour, عبد الماجد/Abdelmagid"
    ),
}


class _NamePool(NamedTuple):
    male: tuple[Pair, ...]
    female: tuple[Pair, ...]
    families: tuple[Pair, ...]


# Arab names carry the father's first name between the person's own and the family name.
_PATRONYMIC = frozenset({"SA", *_ARAB_FAMILIES})
_NAME_POOLS: dict[str, _NamePool] = {
    "SA": _NamePool(_ARAB_MALE, _ARAB_FEMALE, _SAUDI_FAMILIES),
    **{
        country: _NamePool(_ARAB_MALE, _ARAB_FEMALE, families)
        for country, families in _ARAB_FAMILIES.items()
    },
    "IN": _NamePool(
        _pairs("راهول/Rahul, أميت/Amit, فيجاي/Vijay, سانجاي/Sanjay, أرجون/Arjun, راجيش/Rajesh"),
        _pairs("بريا/Priya, أنجالي/Anjali, بوجا/Pooja, نيها/Neha, ديفيا/Divya, لاكشمي/Lakshmi"),
        _pairs("شارما/Sharma, باتيل/Patel, كومار/Kumar, سينغ/Singh, ناير/Nair, ريدي/Reddy"),
    ),
    "PK": _NamePool(
        _pairs("محمد/Muhammad, عمران/Imran, عثمان/Usman, بلال/Bilal, عاصف/Asif, وقاص/Waqas"),
        _pairs("عائشة/Ayesha, صبا/Saba, حنا/Hina, ثناء/Sana, زينب/Zainab, مهوش/Mehwish"),
        _pairs("خان/Khan, ملك/Malik, قريشي/Qureshi, شودري/Chaudhry, شيخ/Sheikh, أعوان/Awan"),
    ),
    "BD": _NamePool(
        _pairs("رحيم/Rahim, كريم/Karim, جمال/Jamal, شفيق/Shafiq, رفيق/Rafiq, أنور/Anwar"),
        _pairs("نسرين/Nasrin, روكسانا/Roksana, شيرين/Shirin, تسليمة/Taslima, فريدة/Farida"),
        _pairs("رحمن/Rahman, إسلام/Islam, حسين/Hossain, شودري/Chowdhury, الدين/Uddin, ميا/Miah"),
    ),
    "PH": _NamePool(
        _pairs("خوسيه/Jose, خوان/Juan, مارك/Mark, رامون/Ramon, كارلو/Carlo, ميغيل/Miguel"),
        _pairs("ماريا/Maria, آنا/Ana, روزا/Rosa, كريستين/Kristine, جوي/Joy, لورينا/Lorena"),
        _pairs("سانتوس/Santos, رييس/Reyes, كروز/Cruz, غارسيا/Garcia, مندوزا/Mendoza, راموس/Ramos"),
    ),
}
_RESIDENT_NATIONALITIES = ("EG", "IN", "PK", "BD", "YE", "PH", "SD", "JO")
_RESIDENT_WEIGHTS = (24, 22, 16, 10, 9, 8, 6, 5)
_DESTINATION_CODES = "AE BH KW OM QA EG JO TR GB FR DE MY ID TH US IT ES MA GE AZ"
_DESTINATIONS = tuple(_DESTINATION_CODES.split())
# Passport letters skip E, G, I, O and Q: no clash with the demo's "EG…" numbers, and no
# letter that reads like a digit.
_PASSPORT_LETTERS = "ABCDFHJKLMNPRSTUVWXYZ"
# Weights of the statuses of a traveller's newest permit and of the older ones: a traveller
# has at most one active (PENDING or APPROVED) permit.
_NEWEST_STATUSES = {"PENDING": 20, "APPROVED": 30, "REJECTED": 15, "CANCELLED": 15, "EXPIRED": 20}
_OLDER_STATUSES = {"REJECTED": 25, "CANCELLED": 25, "EXPIRED": 50}
# How many days before today a permit in each status was requested (others: 2 to 400).
_REQUESTED_DAYS_AGO = {"PENDING": (0, 5), "APPROVED": (1, 30), "EXPIRED": (90, 700)}
_REJECTION_REASONS = ("DESTINATION_UNDER_ADVISORY", "PASSPORT_EXPIRES_BEFORE_PERMIT_ENDS")

# The benchmark's families (``seed_measured_families``): a child aged in each range, youngest
# first (the eldest over the Hijri age limit), each with this many permits.
MEASURED_AGE_RANGES = ((1, 6), (7, 11), (12, 16), (17, 20), (21, 24))
MEASURED_PERMITS = 3

CHUNK_PEOPLE = 5_000
MAX_SERIAL = 10**7
_LONE_ADULT_SHARE = 0.2  # households of one adult, without dependents
_CITIZEN_SHARE = {"family": 0.75, "lone": 0.45}
_MARRIED_ADULT_CHILD_SHARE = 0.3
_SELF_MOBILE_AGE = 15  # younger children are reached on their guardian's mobile number


def synthetic_national_id(serial: int, *, citizen: bool) -> str:
    """The national ID of the synthetic person numbered ``serial``."""
    payload = f"{1 if citizen else 2}9{serial:07d}"
    return f"{payload}{luhn_check_digit(payload)}"


@dataclass(slots=True)
class _Rows:
    """One chunk of rows, in the registries' column names."""

    people: list[Row] = field(default_factory=list)
    links: list[Row] = field(default_factory=list)
    passports: list[Row] = field(default_factory=list)
    permits: list[Row] = field(default_factory=list)
    changes: list[Row] = field(default_factory=list)


class _Person(NamedTuple):
    """A row of ``people`` but its national ID, which comes with the serial."""

    name_ar: str
    name_en: str
    birth_date: date
    gender: str
    marital_status: str
    nationality: str
    mobile_number: str


class _Guardian(NamedTuple):
    national_id: str
    person: _Person
    first_name: Pair
    family_name: Pair


class _PopulationBuilder:
    """Builds households, chunk by chunk, from one random stream and a running serial."""

    def __init__(self, rng: random.Random, *, first_serial: int, today: date) -> None:
        self.rng = rng
        self.serial = first_serial
        self.today = today
        self.midnight = datetime.combine(today, time(), tzinfo=UTC)

    def build_chunk(self, size: int) -> _Rows:
        """Whole households of at most ``size`` people in all (the last one may be cut short)."""
        rows = _Rows()
        while len(rows.people) < size:
            room = size - len(rows.people)
            if room == 1 or self.rng.random() < _LONE_ADULT_SHARE:
                self._add_lone_adult(rows)
            else:
                self._add_family(rows, room)
        return rows

    def _nationality(self, household: str) -> str:
        if self.rng.random() < _CITIZEN_SHARE[household]:
            return "SA"
        return self.rng.choices(_RESIDENT_NATIONALITIES, _RESIDENT_WEIGHTS)[0]

    def _mobile(self) -> str:
        return f"+9665{self.rng.randrange(10**8):08d}"

    def _birth_date(self, first: date, last: date) -> date:
        return first + timedelta(days=self.rng.randint(0, (last - first).days))

    def _add_lone_adult(self, rows: _Rows) -> None:
        nationality = self._nationality("lone")
        pool = _NAME_POOLS[nationality]
        gender = self.rng.choice(("MALE", "FEMALE"))
        first = self.rng.choice(pool.male if gender == "MALE" else pool.female)
        family = self.rng.choice(pool.families)
        name = _full_name(nationality, first, self.rng.choice(pool.male), family)
        marital = self.rng.choices(("SINGLE", "MARRIED", "DIVORCED", "WIDOWED"), (50, 35, 10, 5))
        birth = self._birth_date(date(1960, 1, 1), _years_before(self.today, 21))
        person = _Person(*name, birth, gender, marital[0], nationality, self._mobile())
        self._add_person(rows, person)

    def _add_family(self, rows: _Rows, room: int) -> None:
        """A married guardian and about five children (fewer if ``room`` ends)."""
        guardian = self._add_guardian(rows, self._nationality("family"))
        for _ in range(min(room - 1, self.rng.choice((3, 4, 4, 5, 5, 5, 6, 6, 7)))):
            self._add_dependent(rows, guardian)

    def add_measured_family(self, rows: _Rows, *, citizen: bool) -> str:
        """A guardian with exactly one child in each of ``MEASURED_AGE_RANGES`` and
        ``MEASURED_PERMITS`` permits each (the benchmark's page); returns the guardian's ID."""
        nationality = (
            "SA" if citizen else self.rng.choices(_RESIDENT_NATIONALITIES, _RESIDENT_WEIGHTS)[0]
        )
        guardian = self._add_guardian(rows, nationality)
        for youngest, eldest in MEASURED_AGE_RANGES:
            birth = self.today - timedelta(days=self.rng.randint(youngest * 365 + 20, eldest * 365))
            self._add_dependent(rows, guardian, birth=birth, permits=MEASURED_PERMITS)
        return guardian.national_id

    def _add_guardian(self, rows: _Rows, nationality: str) -> _Guardian:
        """A married man born 1965-1990."""
        pool = _NAME_POOLS[nationality]
        first, family = self.rng.choice(pool.male), self.rng.choice(pool.families)
        name = _full_name(nationality, first, self.rng.choice(pool.male), family)
        birth = self._birth_date(date(1965, 1, 1), date(1990, 12, 31))
        person = _Person(*name, birth, "MALE", "MARRIED", nationality, self._mobile())
        return _Guardian(self._add_person(rows, person)[0], person, first, family)

    def _add_dependent(
        self, rows: _Rows, guardian: _Guardian, *, birth: date | None = None,
        permits: int | None = None,
    ) -> None:  # fmt: skip
        """A son or daughter aged 1-25, born when the guardian was at least 20 (or on
        ``birth``), with 2 to 4 permits when eligible (or ``permits``, whatever their age)."""
        nationality = guardian.person.nationality
        pool = _NAME_POOLS[nationality]
        if birth is None:
            oldest = max(1, min(25, gregorian_age(guardian.person.birth_date, self.today) - 20))
            birth = self.today - timedelta(days=self.rng.randint(366, oldest * 365 + 364))
        age = gregorian_age(birth, self.today)
        gender = self.rng.choice(("MALE", "FEMALE"))
        first = self.rng.choice(pool.male if gender == "MALE" else pool.female)
        name = _full_name(nationality, first, guardian.first_name, guardian.family_name)
        married = age >= 18 and self.rng.random() < _MARRIED_ADULT_CHILD_SHARE
        mobile = self._mobile() if age >= _SELF_MOBILE_AGE else guardian.person.mobile_number
        marital = "MARRIED" if married else "SINGLE"
        person = _Person(*name, birth, gender, marital, nationality, mobile)
        national_id, serial = self._add_person(rows, person)
        rows.links.append(
            {
                "guardian_id": guardian.national_id,
                "dependent_id": national_id,
                "relationship": "SON" if gender == "MALE" else "DAUGHTER",
            }
        )
        if permits is None:
            eligible = not married and _under_the_age_limit(birth, self.today)
            permits = self.rng.randint(2, 4) if eligible else 0
        for index in range(permits):
            self._add_permit(rows, national_id, guardian.national_id, serial * 100 + index)

    def _add_person(self, rows: _Rows, person: _Person) -> tuple[str, int]:
        """Number ``person``, give them an ID and a passport; return the ID and the serial."""
        serial, self.serial = self.serial, self.serial + 1
        national_id = synthetic_national_id(serial, citizen=person.nationality == "SA")
        rows.people.append({"national_id": national_id, **person._asdict()})
        rows.passports.append(self._passport(national_id, serial, person))
        return national_id, serial

    def _passport(self, holder_id: str, serial: int, holder: _Person) -> Row:
        """A valid passport from the holder's country: 1 letter + 8 digits in SA, else 2 + 7."""
        country = holder.nationality
        letters = "".join(self.rng.choices(_PASSPORT_LETTERS, k=1 if country == "SA" else 2))
        number = f"{letters}9{serial:07d}" if country == "SA" else f"{letters}{serial:07d}"
        years = 10 if country == "SA" and self.rng.random() < 0.5 else 5
        held_for = min(years * 365 - 30, (self.today - holder.birth_date).days)
        issued = self.today - timedelta(days=self.rng.randint(0, held_for))
        return {
            "number": number,
            "holder_id": holder_id,
            "issuing_country": country,
            "issue_date": issued,
            "expiry_date": _years_before(issued, -years),
            "status": "VALID",
            "recorded_at": datetime.combine(issued, time(), tzinfo=UTC),
        }

    def _add_permit(self, rows: _Rows, traveller_id: str, guardian_id: str, number: int) -> None:
        """Permit ``number`` of a traveller, with its history; number ``…00`` is the newest."""
        weights = _NEWEST_STATUSES if number % 100 == 0 else _OLDER_STATUSES
        status = self.rng.choices(tuple(weights), tuple(weights.values()))[0]
        created, valid_from, valid_until = self._permit_dates(status)
        permit_id = uuid.UUID(int=self.rng.getrandbits(128)).hex
        history = [("PENDING", None, created), *self._status_path(status, created, valid_until)]
        previous = None
        for state, reason, at in history:
            actor = guardian_id if state in ("PENDING", "CANCELLED") else "agency-review"
            rows.changes.append(
                {
                    "permit_id": permit_id,
                    "status": state,
                    "previous_status": previous,
                    "reason": reason,
                    "at": at,
                    "actor": actor,
                }
            )
            previous = state
        rows.permits.append(
            {
                "id": permit_id,
                "number": f"TP-{created.year}-S{number:09d}",
                "traveller_id": traveller_id,
                "guardian_id": guardian_id,
                "kind": "MULTIPLE_TRIPS" if self.rng.random() < 0.3 else "SINGLE_TRIP",
                "destinations": self._destinations(),
                "valid_from": valid_from,
                "valid_until": valid_until,
                "status": status,
                "status_reason": history[-1][1],
                "created_at": created,
                "updated_at": history[-1][2],
            }
        )

    def _permit_dates(self, status: str) -> tuple[datetime, date, date]:
        """When a permit in ``status`` was requested, and its validity, as of today."""
        fewest, most = _REQUESTED_DAYS_AGO.get(status, (2, 400))
        created = self.midnight - timedelta(
            days=self.rng.randint(fewest, most), seconds=self.rng.randrange(1, 86_400)
        )
        if status == "PENDING":
            valid_from = self.today + timedelta(days=self.rng.randint(3, 40))
        else:
            valid_from = created.date() + timedelta(days=self.rng.randint(1, 10))
        # An approved permit is still valid today; the others may have ended.
        shortest = max(7, (self.today - valid_from).days + 1) if status == "APPROVED" else 7
        return created, valid_from, valid_from + timedelta(days=self.rng.randint(shortest, 60))

    def _status_path(
        self, status: str, created: datetime, valid_until: date
    ) -> list[tuple[str, str | None, datetime]]:
        """The changes after PENDING that lead to ``status``: (status, reason, at)."""
        hour = timedelta(hours=1)
        if status == "PENDING":
            return []
        if status == "REJECTED":
            return [("REJECTED", self.rng.choice(_REJECTION_REASONS), created + hour)]
        approved = ("APPROVED", None, created + hour)
        if status == "APPROVED":
            return [approved]
        if status == "EXPIRED":
            ended = datetime.combine(valid_until + timedelta(days=1), time(), tzinfo=UTC)
            return [approved, ("EXPIRED", "VALIDITY_ENDED", ended)]
        cancelled = ("CANCELLED", "CANCELLED_BY_GUARDIAN", created + 2 * hour)
        return [approved, cancelled] if self.rng.random() < 0.6 else [cancelled]

    def _destinations(self) -> str:
        if self.rng.random() < 0.15:
            return ""  # every country
        return " ".join(sorted(self.rng.sample(_DESTINATIONS, self.rng.randint(1, 3))))


def _full_name(nationality: str, first: Pair, father: Pair, family: Pair) -> Pair:
    parts = (first, father, family) if nationality in _PATRONYMIC else (first, family)
    return " ".join(part[0] for part in parts), " ".join(part[1] for part in parts)


def _under_the_age_limit(birth: date, today: date) -> bool:
    """The permit rules' own age test (Hijri years), so generated permits are plausible."""
    years = hijri_age(birth, today)
    return years is not None and years < PERMIT_AGE_LIMIT_HIJRI_YEARS


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


async def _write(civil: SqlCivilRegistry, registry: SqlPassportRegistry, rows: _Rows) -> None:
    async def write_civil() -> None:
        await civil.add_people(rows.people)
        await civil.add_family_links(rows.links)

    async def write_passports() -> None:
        await registry.add_rows(passport_table, rows.passports)
        await registry.add_permits(rows.permits)
        await registry.add_rows(permit_status_changes, rows.changes)

    await asyncio.gather(write_civil(), write_passports())


async def _builder_after(
    civil: SqlCivilRegistry, *, adding: int, seed: int, today: date | None
) -> _PopulationBuilder:
    """A builder numbering on from the people already in the registry (the same seed and
    registry give the same rows), for ``adding`` more."""
    first_serial = await civil.count_people()
    if first_serial + adding > MAX_SERIAL:
        raise ValueError(f"synthetic national IDs run out past {MAX_SERIAL} people")
    return _PopulationBuilder(
        random.Random(seed + (first_serial << 64)),
        first_serial=first_serial,
        today=today or gateway_today(datetime.now(UTC)),
    )


async def seed_synthetic_population(
    civil: SqlCivilRegistry,
    passports: SqlPassportRegistry,
    *,
    population: int,
    seed: int = 2026,
    today: date | None = None,
) -> int:
    """Add ``population`` synthetic people with passports and permits; return how many."""
    if population <= 0:
        return 0
    builder = await _builder_after(civil, adding=population, seed=seed, today=today)
    added = 0
    while added < population:
        rows = builder.build_chunk(min(CHUNK_PEOPLE, population - added))
        await _write(civil, passports, rows)
        added += len(rows.people)
    return added


async def seed_measured_families(
    civil: SqlCivilRegistry,
    passports: SqlPassportRegistry,
    *,
    count: int,
    seed: int = 9,
    today: date | None = None,
) -> list[str]:
    """Add ``count`` families of the benchmark's shape (three citizens in four): a guardian
    with five children of every condition, eligible, married or over the age limit, and
    three permits each in every status. Returns the guardians' national IDs, in order."""
    people = count * (1 + len(MEASURED_AGE_RANGES))
    builder = await _builder_after(civil, adding=people, seed=seed, today=today)
    rows = _Rows()
    guardians = [
        builder.add_measured_family(rows, citizen=index % 4 != 3) for index in range(count)
    ]
    await _write(civil, passports, rows)
    return guardians
