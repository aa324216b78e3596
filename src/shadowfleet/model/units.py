"""Unit conversions. Names say the units; values are exact definitions where one exists."""

METERS_PER_NAUTICAL_MILE = 1852.0
METERS_PER_KILOMETER = 1000.0
SECONDS_PER_HOUR = 3600.0
KNOTS_TO_METERS_PER_SECOND = METERS_PER_NAUTICAL_MILE / SECONDS_PER_HOUR
EARTH_RADIUS_M = 6_371_008.8  # IUGG mean radius
BARRELS_PER_CUBIC_METER = 6.289814
MICROSECONDS_PER_SECOND = 1_000_000


def knots_to_mps(speed_kn: float) -> float:
    return speed_kn * KNOTS_TO_METERS_PER_SECOND


def nm_to_m(distance_nm: float) -> float:
    return distance_nm * METERS_PER_NAUTICAL_MILE
