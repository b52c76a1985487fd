"""ISO 3166-1 countries with Arabic and English names, from pycountry's data and translations."""

from __future__ import annotations

import gettext

import pycountry

from datasources.records import Country, LocalizedText


class CountryDirectory:
    """Every country by alpha-2 code, built once at start-up and never changed."""

    def __init__(self, countries: dict[str, Country]) -> None:
        self._countries = countries

    @classmethod
    def load(cls) -> CountryDirectory:
        arabic = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ar"])
        countries = {}
        for entry in pycountry.countries:
            english = getattr(entry, "common_name", None) or entry.name
            countries[entry.alpha_2] = Country(
                code=entry.alpha_2, name=LocalizedText(ar=arabic.gettext(entry.name), en=english)
            )
        return cls(countries)

    def get(self, code: str) -> Country | None:
        return self._countries.get(code)

    def __contains__(self, code: object) -> bool:
        return code in self._countries

    def __len__(self) -> int:
        return len(self._countries)
