"""The offline gazetteer: coverage, lookups, the geopy geocoder, the cache."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from geopy.extra.rate_limiter import RateLimiter

from geoleads.config import Settings
from geoleads.errors import ConfigError, GazetteerCacheError, NotFoundError
from geoleads.gazetteer import Gazetteer, name_key
from geoleads.gazetteer.cache import read_cache
from geoleads.gazetteer.geocoder import OfflineGeocoder, make_geocoder


def test_coverage(gazetteer: Gazetteer) -> None:
    assert gazetteer.locality_count >= 230_000
    assert gazetteer.admin1_count >= 3_800
    assert len(gazetteer.country_codes) >= 240
    assert gazetteer.admin1("PL.77").name == "Małopolskie"
    assert gazetteer.country("PL").name == "Poland"


@pytest.mark.parametrize(
    ("name", "country"),
    [("Polska", "PL"), ("Niemcy", "DE"), ("Pologne", "PL"), ("Германия", "DE"), ("Ελλάδα", "GR")],
)
def test_cldr_country_names(gazetteer: Gazetteer, name: str, country: str) -> None:
    hits = gazetteer.candidates(name, levels=("country",))
    assert [p.country for p in hits] == [country]


def test_unknown_codes_raise(gazetteer: Gazetteer) -> None:
    with pytest.raises(NotFoundError):
        gazetteer.country("XX")
    with pytest.raises(LookupError):
        gazetteer.admin1("PL.99")


def test_name_key_folds_spelling() -> None:
    assert name_key("Kraków") == name_key("KRAKOW") == "krakow"
    assert name_key("Saint-Étienne") == "saint etienne"


@pytest.mark.parametrize("query", ["Krakau", "Cracovie", "Kraków", "krakow"])
def test_geocoder_finds_krakow(gazetteer: Gazetteer, query: str) -> None:
    geocode = RateLimiter(OfflineGeocoder(gazetteer).geocode, min_delay_seconds=0)
    location = geocode(query)
    assert location.raw["geonameid"] == 3094802
    assert location.raw["country"] == "PL"
    assert location.raw["admin1"] == "PL.77"
    assert location.raw["level"] == "locality"
    assert location.raw["population"] > 700_000


def test_geocoder_context_and_filters(gazetteer: Gazetteer) -> None:
    geocoder = OfflineGeocoder(gazetteer)
    assert geocoder.geocode("Horn, Austria").raw["country"] == "AT"
    assert geocoder.geocode("Horn, Sweden").raw["country"] == "SE"
    assert geocoder.geocode("Paris", country_codes=["US"]).raw["country"] == "US"
    everything = geocoder.geocode("Paris", exactly_one=False)
    assert len(everything) > 3 and everything[0].raw["country"] == "FR"
    assert geocoder.geocode("Qwxzyvtplk") is None


def test_geocoder_reverse(gazetteer: Gazetteer) -> None:
    location = OfflineGeocoder(gazetteer).reverse((50.06, 19.94))
    assert location.raw["name"] == "Kraków"
    assert gazetteer.country_at(50.06, 19.94) == "PL"
    assert gazetteer.country_at(45.0, -30.0) is None


def test_factory_is_offline_by_default() -> None:
    assert isinstance(make_geocoder(Settings.from_env({})), OfflineGeocoder)
    with pytest.raises(ConfigError):
        make_geocoder(Settings.from_env({"GEOLEADS_GEOCODER": "photon"}))
    photon = make_geocoder(
        Settings.from_env({"GEOLEADS_GEOCODER": "photon", "GEOLEADS_GEOCODER_DOMAIN": "ph:2322"})
    )
    assert type(photon).__name__ == "Photon"
    with pytest.raises(ConfigError):
        Settings.from_env({"GEOLEADS_GEOCODER": "google"})


def test_corrupt_cache_is_detected_and_rebuilt_message(gazetteer: Gazetteer, tmp_path) -> None:
    """Flip one byte in a copy of the cache: the CRC check catches it."""
    import shutil

    src = gazetteer.cache_dir / "gazetteer"
    shutil.copytree(src, tmp_path / "gazetteer")
    names = tmp_path / "gazetteer" / "names.pkl"
    blob = bytearray(names.read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    names.write_bytes(bytes(blob))
    with pytest.raises(GazetteerCacheError, match="corrupt"):
        read_cache(tmp_path)
    (tmp_path / "gazetteer" / "manifest.json").unlink()
    with pytest.raises(GazetteerCacheError, match="no gazetteer cache"):
        read_cache(tmp_path)


def test_cli_info_in_a_new_process(gazetteer: Gazetteer) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "geoleads", "gazetteer", "info"],
        capture_output=True,
        text=True,
        check=True,
        env={"GEOLEADS_CACHE_DIR": str(gazetteer.cache_dir), "PATH": ""},
    )
    info = json.loads(out.stdout)
    assert info["localities"] >= 230_000 and info["admin1"] >= 3_800
