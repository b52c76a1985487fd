"""What every resolver receives: the viewer, the language, the loaders and the registries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import strawberry

from datasources.country_directory import CountryDirectory
from datasources.loaders import Loaders
from datasources.registry_interfaces import CivilRegistry, PassportRegistry
from i18n.catalog import Locale, MessageCatalog
from resolvers.viewer import Viewer


@dataclass(frozen=True, slots=True)
class Registries:
    """The agency registries and reference data, opened once at start-up."""

    civil: CivilRegistry
    passports: PassportRegistry
    countries: CountryDirectory
    messages: MessageCatalog


@dataclass(frozen=True, slots=True)
class Policy:
    """Rules the operators configure (see ``settings.Settings``)."""

    permit_page_size_limit: int = 50


@dataclass(slots=True)
class Context:
    """Per-request state; built by the HTTP view, never shared between requests."""

    viewer: Viewer
    locale: Locale
    today: date
    loaders: Loaders
    registries: Registries
    policy: Policy

    def message(self, code: str, **params: object) -> str:
        return self.registries.messages.message(code, self.locale, **params)


Info = strawberry.Info[Context, None]
