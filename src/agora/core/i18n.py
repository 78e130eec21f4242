"""Languages: English and Simplified Chinese from gettext catalogs, picked per request.

Catalogs are ``src/agora/locale/<locale>/LC_MESSAGES/messages.po``, compiled in memory at first use,
so there is no build step. The current locale lives in a context variable set by the web layer.
"""

from __future__ import annotations

import contextvars
import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
SUPPORTED = ("en", "zh")
# The gettext directory of each supported language.
_CATALOG_DIRS = {"zh": "zh_Hans"}
DEFAULT = "en"

_current: contextvars.ContextVar[str] = contextvars.ContextVar("agora_locale", default=DEFAULT)


@cache
def translations(locale: str) -> NullTranslations:
    folder = _CATALOG_DIRS.get(locale)
    if folder is None:
        return NullTranslations()
    po_path = LOCALE_DIR / folder / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return NullTranslations()
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=folder)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def negotiate(accept_language: str | None, *, default: str = DEFAULT) -> str:
    """Pick a supported language from an Accept-Language header (q-values respected)."""
    if not accept_language:
        return default
    choices: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower()
        quality = 1.0
        for param in pieces[1:]:
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and quality > 0:
            choices.append((-quality, index, tag))
    for _, _, tag in sorted(choices):
        primary = tag.split("-")[0]
        if primary in SUPPORTED:
            return primary
    return default


def normalize(locale: str | None) -> str | None:
    if not locale:
        return None
    primary = locale.strip().lower().replace("_", "-").split("-")[0]
    return primary if primary in SUPPORTED else None


def set_locale(locale: str) -> contextvars.Token[str]:
    return _current.set(locale)


def reset_locale(token: contextvars.Token[str]) -> None:
    _current.reset(token)


def get_locale() -> str:
    return _current.get()


def gettext(message: str) -> str:
    return str(translations(_current.get()).ugettext(message))


def ngettext(singular: str, plural: str, n: int) -> str:
    return str(translations(_current.get()).ungettext(singular, plural, n))


def lazy_pick(en: str, zh: str | None) -> str:
    """Choose between a record's English and Chinese text (e.g. product titles) for the locale."""
    return zh if _current.get() == "zh" and zh else en
