"""Every ISO 3166-1 country, with an Arabic name written in Arabic and an English one."""

from __future__ import annotations

import unicodedata

import pycountry
import pytest

from datasources.country_directory import CountryDirectory


def letters_are_arabic(text: str) -> bool:
    letters = [character for character in text if character.isalpha()]
    return bool(letters) and all(unicodedata.name(c).startswith("ARABIC") for c in letters)


@pytest.fixture(scope="module")
def countries() -> CountryDirectory:
    return CountryDirectory.load()


def test_every_iso_country_has_an_arabic_name_in_arabic_script(countries) -> None:
    not_arabic = {
        entry.alpha_2: name.ar
        for entry in pycountry.countries
        if (country := countries.get(entry.alpha_2)) is not None
        and not letters_are_arabic((name := country.name).ar)
    }
    assert len(countries) == len(pycountry.countries)
    assert not_arabic == {}


def test_turkiye_is_named_in_both_languages(countries) -> None:
    # pycountry calls it "Türkiye" now; its Arabic catalog still translates "Turkey".
    turkiye = countries.get("TR")
    assert turkiye is not None
    assert (turkiye.name.ar, turkiye.name.en) == ("تركيا", "Türkiye")


def test_names_that_were_translated_keep_their_translation(countries) -> None:
    saudi_arabia, egypt = countries.get("SA"), countries.get("EG")
    assert saudi_arabia is not None and egypt is not None
    assert saudi_arabia.name.ar == "السّعوديّة"
    assert egypt.name.ar == "مصر"
