"""Settings from the environment, with offline defaults.

Every setting has an environment variable; nothing secret lives in code.

>>> s = Settings.from_env({"GEOLEADS_HOME": "/tmp/gl"})
>>> str(s.cache_dir)
'/tmp/gl/cache'
>>> s.database_url
'sqlite:////tmp/gl/geoleads.sqlite'
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from geoleads.errors import ConfigError

#: The repository's ``data/`` folder (lexicons, demo tips, derived tables).
DATA_DIR = Path(__file__).resolve().parent.parent / "data"

ENV_VARS = {
    "GEOLEADS_HOME": "folder for the database, cache and uploads (default: ./var)",
    "GEOLEADS_CACHE_DIR": "folder of the prepared gazetteer cache (default: $GEOLEADS_HOME/cache)",
    "GEOLEADS_DATABASE_URL": "SQLAlchemy URL of the store (default: SQLite file in $GEOLEADS_HOME)",
    "GEOLEADS_SECRET_KEY": "Flask secret key (default: a random key kept in $GEOLEADS_HOME)",
    "GEOLEADS_GEOCODER": "optional self-hosted/online geocoder: nominatim|photon|pelias",
    "GEOLEADS_GEOCODER_DOMAIN": "host[:port] of that geocoder, e.g. nominatim.internal:8080",
    "GEOLEADS_GEOCODER_SCHEME": "http or https for that geocoder (default: https)",
    "GEOLEADS_TILES": "optional tile URL template of an internal tile server (default: none)",
    "GEOLEADS_ADMIN1_BOUNDARIES": "GeoPackage/GeoJSON of admin1 boundaries with GeoNames codes "
    "(default: approximate shapes derived from GeoNames places)",
}


@dataclass(frozen=True)
class Settings:
    """Where geoleads keeps its files and which optional services it may use."""

    home: Path
    cache_dir: Path
    database_url: str
    secret_key: str | None = None
    geocoder: str | None = None
    geocoder_domain: str | None = None
    geocoder_scheme: str = "https"
    tiles: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read settings from ``env`` (default: ``os.environ``)."""
        env = os.environ if env is None else env
        home = Path(env.get("GEOLEADS_HOME") or Path.cwd() / "var").expanduser()
        cache_dir = Path(env.get("GEOLEADS_CACHE_DIR") or home / "cache").expanduser()
        url = env.get("GEOLEADS_DATABASE_URL") or f"sqlite:///{home / 'geoleads.sqlite'}"
        geocoder = (env.get("GEOLEADS_GEOCODER") or "").strip().lower() or None
        if geocoder not in (None, "nominatim", "photon", "pelias"):
            raise ConfigError(
                f"GEOLEADS_GEOCODER={geocoder!r}: expected nominatim, photon or pelias"
            )
        scheme = env.get("GEOLEADS_GEOCODER_SCHEME", "https")
        if scheme not in ("http", "https"):
            raise ConfigError(f"GEOLEADS_GEOCODER_SCHEME={scheme!r}: expected http or https")
        return cls(
            home=home,
            cache_dir=cache_dir,
            database_url=url,
            secret_key=env.get("GEOLEADS_SECRET_KEY") or None,
            geocoder=geocoder,
            geocoder_domain=env.get("GEOLEADS_GEOCODER_DOMAIN") or None,
            geocoder_scheme=scheme,
            tiles=env.get("GEOLEADS_TILES") or None,
        )
