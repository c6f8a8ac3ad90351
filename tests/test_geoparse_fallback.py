"""The optional geocoder fallback: only when configured, answers cached on disk.

The configured geocoder here is the offline one (a real geopy ``Geocoder``);
an online Nominatim/Photon/Pelias is the same interface over HTTP.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geoleads.errors import ConfigError
from geoleads.gazetteer import Gazetteer
from geoleads.gazetteer.geocoder import OfflineGeocoder
from geoleads.geocoding_fallback import FallbackGeocoder
from geoleads.geoparse import Geoparser


def test_not_configured_means_no_fallback(
    gazetteer: Gazetteer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GEOLEADS_GEOCODER", raising=False)
    assert Geoparser(gazetteer)._fallback is None
    with pytest.raises(ConfigError):
        Geoparser(gazetteer, use_geocoder=True)


def test_answers_are_cached_on_disk(gazetteer: Gazetteer, tmp_path: Path) -> None:
    cache = tmp_path / "answers.json"
    fallback = FallbackGeocoder(OfflineGeocoder(gazetteer), cache)
    answer = fallback.lookup("Kraków")
    assert answer is not None and answer["country"] == "PL"
    assert fallback.lookup("Qwxzqwxz") is None
    stored = json.loads(cache.read_text(encoding="utf-8"))
    assert stored["krakow"]["country"] == "PL" and stored["qwxzqwxz"] is None
    # a new instance answers from the file alone: its geocoder is never asked
    again = FallbackGeocoder(None, cache)
    assert again.lookup("Kraków") == answer


def test_only_names_after_a_context_word_that_nothing_covers(
    gazetteer: Gazetteer, tmp_path: Path
) -> None:
    fallback = FallbackGeocoder(OfflineGeocoder(gazetteer), tmp_path / "a.json")
    text = "bought it in Krakau, the shop near Qwxzqwxz"
    found = fallback.mentions(text, spans=[], blocked=[])
    assert [(m.text, m.best.country if m.best else None) for m in found] == [("Krakau", "PL")]
    assert found[0].best is not None and found[0].best.level == "point"
    covered = fallback.mentions(text, spans=[], blocked=[(13, 19)])
    assert covered == []
