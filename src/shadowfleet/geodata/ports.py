"""Load the port gazetteer from real data files.

Sources, any combination:
- World Port Index + GFW named anchorages (`WPI_ports.csv`, `anchorage_overrides.csv`; columns iso3,
  label, latitude, longitude), as in ../shared/data/gfw-ports-anchorages;
- the ports that the PyPI package `searoute` ships (`searoute/data/ports.geojson`, UN/LOCODE ids), found
  inside the installed package, so a fresh install has a gazetteer without any download;
- a user CSV with columns `name,country,lat,lon` (optional `port_id`).
Countries become ISO 3166 alpha-2 codes. WPI/GFW files give alpha-3 codes; each is mapped to the alpha-2
prefix of the UN/LOCODEs of the searoute ports nearest to that country's ports (a data-driven mapping).
"""

import csv
import json
from collections import Counter
from importlib import resources
from pathlib import Path

import numpy as np

from shadowfleet.detect.gazetteer import Gazetteer, gazetteer_from_points
from shadowfleet.detect.spatial import RadiusIndex


class GazetteerError(ValueError):
    pass


def searoute_ports_path() -> Path:
    return Path(str(resources.files("searoute") / "data" / "ports.geojson"))


def _read_searoute(path: Path) -> tuple[list[str], list[str], list[float], list[float], list[str]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    names, countries, lats, lons, ids = [], [], [], [], []
    for feature in data.get("features", []):
        props = feature.get("properties") or {}
        code = str(props.get("port") or "")
        coords = (feature.get("geometry") or {}).get("coordinates")
        if len(code) < 2 or not coords:
            continue
        names.append(str(props.get("name") or code))
        countries.append(code[:2].upper())
        lons.append(float(coords[0]))
        lats.append(float(coords[1]))
        ids.append(code)
    return names, countries, lats, lons, ids


def _read_csv_points(
    path: Path, name_col: str, country_col: str, lat_col: str, lon_col: str, skipped: list[str] | None = None
) -> tuple[list[str], list[str], list[float], list[float]]:
    """Rows of a point CSV. Bad rows raise, or when `skipped` is given are listed there with the reason."""
    names, countries, lats, lons = [], [], [], []
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = {name_col, country_col, lat_col, lon_col} - set(reader.fieldnames or [])
        if missing:
            raise GazetteerError(f"{path}: missing column(s) {sorted(missing)}")
        for line_no, row in enumerate(reader, start=2):
            try:
                lat, lon = float(row[lat_col]), float(row[lon_col])
                problem = (
                    "" if -90 <= lat <= 90 and -180 <= lon <= 180 else f"position out of range ({lat}, {lon})"
                )
            except (TypeError, ValueError):
                problem = f"bad latitude/longitude {row[lat_col]!r}, {row[lon_col]!r}"
            if problem:
                if skipped is None:
                    raise GazetteerError(f"{path}:{line_no}: {problem}")
                skipped.append(f"{path.name}:{line_no}: {problem}")
                continue
            label = (row.get(name_col) or "").strip()
            if not label:
                continue
            names.append(label)
            countries.append((row.get(country_col) or "").strip().upper())
            lats.append(lat)
            lons.append(lon)
    return names, countries, lats, lons


def _alpha3_to_alpha2(
    countries3: list[str],
    lat: np.ndarray,
    lon: np.ndarray,
    ref_countries2: list[str],
    ref_lat: np.ndarray,
    ref_lon: np.ndarray,
) -> dict[str, str]:
    """Majority vote of the nearest reference (LOCODE) port's country within 30 km, per alpha-3 code."""
    index = RadiusIndex.build(ref_lat, ref_lon, 30_000.0)
    nearest, _ = index.nearest(lat, lon)
    votes: dict[str, Counter[str]] = {}
    for c3, k in zip(countries3, nearest, strict=True):
        if k >= 0:
            votes.setdefault(c3, Counter())[ref_countries2[k]] += 1
    return {c3: v.most_common(1)[0][0] for c3, v in votes.items()}


def load_gazetteer(
    wpi_dir: Path | None = None,
    *,
    include_searoute: bool = True,
    user_csv: Path | None = None,
) -> Gazetteer:
    """Build the gazetteer from the given sources (see module doc). At least one source is required."""
    names: list[str] = []
    countries: list[str] = []
    lats: list[float] = []
    lons: list[float] = []
    sources: list[str] = []
    sr = _read_searoute(searoute_ports_path()) if include_searoute or wpi_dir is not None else None
    if include_searoute and sr is not None:
        names += sr[0]
        countries += sr[1]
        lats += sr[2]
        lons += sr[3]
        sources.append("searoute")
    if wpi_dir is not None:
        skipped: list[str] = []
        wn, wc, wla, wlo = _read_csv_points(
            Path(wpi_dir) / "WPI_ports.csv", "label", "iso3", "latitude", "longitude", skipped
        )
        an, ac, ala, alo = _read_csv_points(
            Path(wpi_dir) / "anchorage_overrides.csv", "label", "iso3", "latitude", "longitude", skipped
        )
        c3 = wc + ac
        la3 = np.array(wla + ala)
        lo3 = np.array(wlo + alo)
        assert sr is not None
        mapping = _alpha3_to_alpha2(c3, la3, lo3, sr[1], np.array(sr[2]), np.array(sr[3]))
        names += wn + an
        countries += [mapping.get(c, c) for c in c3]
        lats += list(la3)
        lons += list(lo3)
        sources.append(
            f"wpi+gfw-anchorages({len(skipped)} bad rows skipped)" if skipped else "wpi+gfw-anchorages"
        )
    if user_csv is not None:
        un, uc, ula, ulo = _read_csv_points(Path(user_csv), "name", "country", "lat", "lon")
        names += un
        countries += uc
        lats += ula
        lons += ulo
        sources.append(f"user:{Path(user_csv).name}")
    if not names:
        raise GazetteerError("no port source given: pass a WPI/anchorage folder, searoute, or a CSV")
    return gazetteer_from_points(names, countries, np.array(lats), np.array(lons), source="+".join(sources))
