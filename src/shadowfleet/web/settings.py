"""Web settings: one frozen record, read from `SHADOWFLEET_*` environment variables.

Every field is documented in docs/web.md (a test fails otherwise). Units are in the names.
"""

import dataclasses
import json
import os
import secrets
from pathlib import Path

ENV_PREFIX = "SHADOWFLEET_"

# Secrets that ship in examples and tutorials; the server refuses them outside demo mode.
DEFAULT_SECRETS = frozenset({"", "changethis", "changeme", "secret", "dev", "development", "shadowfleet"})
MIN_SECRET_CHARS = 32


class SettingsError(ValueError):
    """A setting is missing or unusable; the message names it."""


@dataclasses.dataclass(frozen=True)
class Settings:
    lake_path: Path | None = None
    db_url: str | None = None
    secret_key: str = ""
    demo_mode: bool = False
    # An online raster tile URL template ({z}/{x}/{y}); empty means the offline Natural Earth basemap.
    tile_url: str = ""
    tile_attribution: str = ""
    node_modules_dir: Path = Path("node_modules")
    docs_dir: Path = Path("docs")
    session_max_age_s: int = 8 * 3600
    login_attempts_per_min: int = 10
    corrections_per_hour: int = 5
    page_size_default: int = 50
    page_size_max: int = 500
    track_display_max_points: int = 2000
    latest_positions_max_age_h: float = 72.0
    watchlist_mmsi: tuple[int, ...] = ()
    cookie_secure: bool = False
    # Absolute links (Atom feeds) start with this; empty: the server's own bound host and port,
    # never the request's Host header.
    public_base_url: str = ""
    # (file base name, note) pairs shown beside a source on event pages, e.g. that a file is a sample
    # cut whose edges make apparent gaps (the demo sets them for its samples)
    source_notes: tuple[tuple[str, str], ...] = ()

    def checked(self) -> "Settings":
        """Refuse to run with a default or short secret unless in demo mode (then mint a random one)."""
        if self.public_base_url and not self.public_base_url.startswith(("http://", "https://")):
            raise SettingsError(f"{ENV_PREFIX}PUBLIC_BASE_URL={self.public_base_url!r} is not an http(s) URL")
        if self.demo_mode:
            if self.secret_key in DEFAULT_SECRETS:
                return dataclasses.replace(self, secret_key=secrets.token_urlsafe(48))
            return self
        if self.secret_key in DEFAULT_SECRETS or len(self.secret_key) < MIN_SECRET_CHARS:
            raise SettingsError(
                f"{ENV_PREFIX}SECRET_KEY is missing, a well-known default, or shorter than "
                f"{MIN_SECRET_CHARS} characters; set a random value (e.g. `python -c "
                f"'import secrets; print(secrets.token_urlsafe(48))'`) or run in demo mode"
            )
        if self.page_size_default > self.page_size_max:
            raise SettingsError(f"{ENV_PREFIX}PAGE_SIZE_DEFAULT exceeds {ENV_PREFIX}PAGE_SIZE_MAX")
        return self


def _parse_bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise SettingsError(f"{ENV_PREFIX}{name.upper()}={raw!r} is not a boolean (use true/false)")


def _parse(field: dataclasses.Field, raw: str):  # type: ignore[type-arg]
    name = field.name
    kind = field.type
    try:
        if kind is bool:
            return _parse_bool(name, raw)
        if kind is int:
            return int(raw)
        if kind is float:
            return float(raw)
        if kind in (Path, Path | None):
            return Path(raw) if raw else None
        if kind == tuple[int, ...]:
            return tuple(int(part) for part in raw.replace(",", " ").split())
        if kind == tuple[tuple[str, str], ...]:
            notes = json.loads(raw)
            if not isinstance(notes, dict) or not all(isinstance(v, str) for v in notes.values()):
                raise ValueError('expected a JSON object of file names and notes, {"file.csv": "note"}')
            return tuple(sorted(notes.items()))
    except ValueError as exc:
        raise SettingsError(f"{ENV_PREFIX}{name.upper()}={raw!r}: {exc}") from exc
    return raw


def setting_names() -> list[str]:
    return [f"{ENV_PREFIX}{field.name.upper()}" for field in dataclasses.fields(Settings)]


def settings_from_env(environ: dict[str, str] | None = None, **overrides: object) -> Settings:
    """Settings from the environment; keyword overrides (from command-line flags) win."""
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for field in dataclasses.fields(Settings):
        key = f"{ENV_PREFIX}{field.name.upper()}"
        if key in env:
            values[field.name] = _parse(field, env[key])
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Settings(**values)  # type: ignore[arg-type]
