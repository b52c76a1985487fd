"""Messages in Arabic and English, read once from the gettext catalogs in ``locales/``.

A message is looked up by its stable code (``TRAVELLER_OVER_AGE_LIMIT``), which is the
catalog's ``msgid``; the ``msgstr`` is the text, with ``{name}`` placeholders. Translators
work on the ``.po`` files with ordinary gettext tools; nothing here holds a sentence.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final, Literal

from babel.messages.pofile import read_po

Locale = Literal["ar", "en"]
LOCALES: Final[tuple[Locale, ...]] = ("en", "ar")
DEFAULT_LOCALE: Final[Locale] = "en"
_LOCALES_DIR = Path(__file__).parent / "locales"
# Messages that are a protocol's literal words, alike in every language: clients compare
# them (Apollo's clients resend a persisted query's text on "PersistedQueryNotFound").
PROTOCOL_LITERALS: Final[frozenset[str]] = frozenset({"PERSISTED_QUERY_NOT_FOUND"})


class MessageCatalog:
    """All messages of every supported language, looked up by code."""

    def __init__(self, messages: dict[Locale, dict[str, str]]) -> None:
        self._messages = messages

    @classmethod
    def load(cls, directory: Path = _LOCALES_DIR) -> MessageCatalog:
        messages: dict[Locale, dict[str, str]] = {}
        for locale in LOCALES:
            with (directory / f"{locale}.po").open("rb") as po_file:
                catalog = read_po(po_file, locale=locale)
            messages[locale] = {
                str(message.id): str(message.string)
                for message in catalog
                if message.id and message.string
            }
        return cls(messages)

    def codes(self, locale: Locale) -> frozenset[str]:
        return frozenset(self._messages[locale])

    def message(self, code: str, locale: Locale, **params: Any) -> str:
        """The text for ``code`` in ``locale``; English, then the code itself, if missing."""
        template = self._messages[locale].get(code) or self._messages[DEFAULT_LOCALE].get(code)
        if template is None:
            return code
        try:
            return template.format(**params)
        except (KeyError, IndexError):
            # A message whose parameters were not all given still says something useful.
            return template


def negotiate_locale(accept_language: str | None) -> Locale:
    """Pick ``ar`` or ``en`` from an Accept-Language header, honouring q-values."""
    if not accept_language:
        return DEFAULT_LOCALE
    best: tuple[float, Locale] | None = None
    for part in accept_language.split(","):
        tag, _, params = part.strip().partition(";")
        language = tag.strip().lower().split("-")[0]
        if language not in LOCALES:
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0 and (best is None or quality > best[0]):
            best = (quality, language)
    return best[1] if best else DEFAULT_LOCALE
