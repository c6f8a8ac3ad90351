"""Translations of the public pages, chosen without cookies.

The language comes from ``?lang=`` (kept in every link and form of the public
pages), else from the browser's ``Accept-Language``, else English. Catalogues
are the ``.po`` files under ``translations/<lang>/LC_MESSAGES/public.po``,
compiled in memory on first use with Babel (no build step, no binary files in
git). Country and language names come from CLDR through Babel.

>>> t = translations("de")
>>> t.gettext("Send your tip")
'Hinweis senden'
>>> [name for code, name in countries("pl") if code in ("DE", "PL")]
['Niemcy', 'Polska']
"""

from __future__ import annotations

import io
import unicodedata
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

HERE = Path(__file__).resolve().parent
TRANSLATIONS = HERE / "translations"
DOMAIN = "public"
#: UI languages of the public pages; the first is the default (and the source language).
LOCALES = ("en", "fr", "de", "es", "it", "pl", "nl")
#: Languages a tipster may say their tip is written in (ISO 639-1).
TIP_LANGUAGES = (
    "en", "fr", "de", "es", "it", "pl", "nl", "pt", "cs", "sk", "hu", "ro", "bg", "hr", "sl",
    "sr", "bs", "mk", "sq", "el", "tr", "uk", "ru", "be", "lt", "lv", "et", "fi", "sv", "da",
    "no", "is", "ga", "mt", "lb", "ca", "eu", "gl",
)  # fmt: skip


def po_path(locale: str) -> Path:
    """The catalogue of ``locale``."""
    return TRANSLATIONS / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=len(LOCALES))
def translations(locale: str) -> Translations:
    """Compiled translations of ``locale`` (English: the identity)."""
    if locale == LOCALES[0] or locale not in LOCALES:
        return Translations()
    with po_path(locale).open("rb") as fh:
        catalog = read_po(fh, locale=locale, domain=DOMAIN)
    mo = io.BytesIO()
    write_mo(mo, catalog, use_fuzzy=False)
    mo.seek(0)
    return Translations(mo, domain=DOMAIN)


def _sort_key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=len(LOCALES))
def countries(locale: str) -> tuple[tuple[str, str], ...]:
    """``(ISO code, name in locale)`` of every country, sorted by name."""
    names = Locale.parse(locale).territories
    english = Locale("en").territories
    codes = [str(c) for c in english if isinstance(c, str) and len(c) == 2 and c.isalpha()]
    codes = [c for c in codes if c not in ("ZZ", "EU", "UN", "EZ", "QO", "XA", "XB")]
    pairs = [(c, str(names.get(c) or english[c])) for c in codes]
    return tuple(sorted(pairs, key=lambda p: _sort_key(p[1])))


@lru_cache(maxsize=len(LOCALES))
def languages(locale: str) -> tuple[tuple[str, str], ...]:
    """``(ISO 639-1 code, name in locale)`` of :data:`TIP_LANGUAGES`, sorted by name."""
    names = Locale.parse(locale).languages
    pairs = [(c, str(names.get(c, c))) for c in TIP_LANGUAGES]
    return tuple(sorted(pairs, key=lambda p: _sort_key(p[1])))


@lru_cache(maxsize=len(LOCALES))
def autonym(locale: str) -> str:
    """A language's name in itself, capitalised (``"polski"`` -> ``"Polski"``)."""
    name = Locale.parse(locale).get_display_name(locale) or locale
    return name[:1].upper() + name[1:]


def best_locale(requested: str | None, accept: str | None = None) -> str:
    """The UI language: ``requested`` when supported, else from ``accept``, else English.

    >>> best_locale(None, "nl-BE,nl;q=0.9,en;q=0.5"), best_locale("xx", None)
    ('nl', 'en')
    """
    if requested in LOCALES:
        return str(requested)
    if accept:
        from werkzeug.datastructures import LanguageAccept
        from werkzeug.http import parse_accept_header

        best = parse_accept_header(accept, LanguageAccept).best_match(LOCALES)
        if best:
            return best
    return LOCALES[0]


__all__ = [
    "LOCALES",
    "TIP_LANGUAGES",
    "autonym",
    "best_locale",
    "countries",
    "languages",
    "po_path",
    "translations",
]
