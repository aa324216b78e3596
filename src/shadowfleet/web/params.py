"""Parsing and validating query parameters shared by pages and API (errors name the parameter)."""

import datetime as dt
from typing import Annotated

from fastapi import HTTPException, Path

MAX_MMSI = 999_999_999
MmsiPath = Annotated[int, Path(ge=0, le=MAX_MMSI, description="Maritime Mobile Service Identity")]

BBox = tuple[float, float, float, float]


def parse_bbox(raw: str | None, name: str = "bbox") -> BBox | None:
    """`min_lon,min_lat,max_lon,max_lat` in degrees."""
    if raw is None or raw.strip() == "":
        return None
    parts = raw.split(",")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) != 4 or any(v != v for v in values):
        raise HTTPException(422, f"{name} must be four numbers: min_lon,min_lat,max_lon,max_lat")
    min_lon, min_lat, max_lon, max_lat = values
    if not (
        -180 <= min_lon <= 180 and -180 <= max_lon <= 180 and -90 <= min_lat <= 90 and -90 <= max_lat <= 90
    ):
        raise HTTPException(422, f"{name} is outside -180..180 longitude / -90..90 latitude")
    if min_lon > max_lon or min_lat > max_lat:
        raise HTTPException(422, f"{name} minimums must not exceed maximums")
    return min_lon, min_lat, max_lon, max_lat


def utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def check_range(start: dt.datetime | None, end: dt.datetime | None) -> None:
    if start is not None and end is not None and end < start:
        raise HTTPException(422, "end must not be before start")


def parse_mmsi_list(raw: str | None, name: str = "mmsi") -> tuple[int, ...]:
    if raw is None or raw.strip() == "":
        return ()
    try:
        return tuple(int(p) for p in raw.replace(" ", "").split(",") if p)
    except ValueError as exc:
        raise HTTPException(422, f"{name} must be comma-separated MMSI numbers") from exc
