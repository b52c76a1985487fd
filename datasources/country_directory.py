"""ISO 3166-1 countries with Arabic and English names, from pycountry's data and translations.

pycountry's Arabic catalog lacks a few names: when pycountry renames a country in English
(Turkey became Türkiye) the catalog keeps translating the old name, and gettext answers
the new one untranslated. Those come from CLDR's Arabic territory names (Babel's locale
data), the names browsers and phones show.
"""

from __future__ import annotations

import gettext

import pycountry
from babel import Locale

from datasources.records import Country, LocalizedText


class CountryDirectory:
    """Every country by alpha-2 code, built once at start-up and never changed."""

    def __init__(self, countries: dict[str, Country]) -> None:
        self._countries = countries

    @classmethod
    def load(cls) -> CountryDirectory:
        arabic = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ar"])
        cldr_arabic = Locale("ar").territories
        countries = {}
        for entry in pycountry.countries:
            english = getattr(entry, "common_name", None) or entry.name
            translated = arabic.gettext(entry.name)
            if translated == entry.name:  # gettext's answer when it has no translation
                translated = cldr_arabic.get(entry.alpha_2, translated)
            countries[entry.alpha_2] = Country(
                code=entry.alpha_2, name=LocalizedText(ar=translated, en=english)
            )
        return cls(countries)

    def get(self, code: str) -> Country | None:
        return self._countries.get(code)

    def __contains__(self, code: object) -> bool:
        return code in self._countries

    def __len__(self) -> int:
        return len(self._countries)
