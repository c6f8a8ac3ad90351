"""Every message of the public pages is translated in every language, and nothing is stale."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from geoleads.web.public import i18n

PACKAGE = Path(i18n.__file__).parent


def source_messages() -> set[str]:
    """Message ids used by the public templates (``_()``) and views (``_()``, ``N_()``)."""
    found = extract_from_dir(
        str(PACKAGE),
        method_map=[("**/templates/public/**.html", "jinja2"), ("**.py", "python")],
        keywords={"_": None, "N_": None},
    )
    return {str(msg) for _, _, msg, _, _ in found}


def test_sources_have_messages() -> None:
    assert {"Send your tip", "Please write your tip.", "Thank you"} <= source_messages()


@pytest.mark.parametrize("locale", i18n.LOCALES[1:])
def test_catalogue_is_complete(locale: str) -> None:
    with i18n.po_path(locale).open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    translated = {str(m.id): str(m.string) for m in catalog if m.id and m.string and not m.fuzzy}
    wanted = source_messages()
    missing = sorted(wanted - set(translated))
    assert not missing, f"{locale}: untranslated {missing}"
    stale = sorted(set(translated) - wanted)
    assert not stale, f"{locale}: no longer used {stale}"
    same = [m for m in wanted if translated[m] == m and len(m) > 12]
    assert not same, f"{locale}: copied, not translated: {same}"
    t = i18n.translations(locale)
    assert all(t.gettext(m) == translated[m] for m in wanted)
