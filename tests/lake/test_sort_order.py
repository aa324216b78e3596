"""The lake's row order: the packed-key sort equals a stable sort by (day, mmsi, ts)."""

import numpy as np
import pyarrow as pa
import pytest

from shadowfleet.lake.writer import US_PER_DAY, day_mmsi_ts_order, split_by_day


def _reference(day: np.ndarray, mmsi: np.ndarray, ts: np.ndarray) -> np.ndarray:
    return np.lexsort((ts, mmsi, day))


@pytest.mark.parametrize(
    ("n", "n_vessels", "ts_span_us", "mmsi_high"),
    [
        (1, 1, 1, 1 << 30),
        (2, 1, 0, 1 << 30),  # equal keys: input order kept
        (1000, 7, 10, 1 << 30),  # many ties in ts
        (50_000, 300, 3 * US_PER_DAY, 1 << 30),  # several days, unsorted time
        (20_000, 50, 2_000 * US_PER_DAY, 1 << 30),  # days too far apart for the packed key
        (5_000, 40, US_PER_DAY, 1 << 40),  # MMSI values beyond 30 bits (e.g. from a CSV)
    ],
)
def test_order_equals_stable_lexsort(n: int, n_vessels: int, ts_span_us: int, mmsi_high: int) -> None:
    rng = np.random.default_rng(n + n_vessels)
    mmsi = rng.choice(rng.integers(0, mmsi_high, size=n_vessels), size=n).astype(np.int64)
    ts = rng.integers(-US_PER_DAY, ts_span_us + 1, size=n).astype(np.int64) + 1_700_000_000_000_000
    day = ts // US_PER_DAY
    np.testing.assert_array_equal(day_mmsi_ts_order(day, mmsi, ts), _reference(day, mmsi, ts))


def test_time_ordered_input_with_clock_ties() -> None:
    """A log stamped by one clock: time never goes back and many rows share a stamp."""
    rng = np.random.default_rng(7)
    n = 100_000
    ts = np.sort(rng.integers(0, 3 * US_PER_DAY, size=n)).astype(np.int64) // 1_000_000 * 1_000_000
    mmsi = rng.integers(200_000_000, 800_000_000, size=n).astype(np.int64) % 997
    day = ts // US_PER_DAY
    np.testing.assert_array_equal(day_mmsi_ts_order(day, mmsi, ts), _reference(day, mmsi, ts))


def test_split_by_day_slices_sorted_days() -> None:
    ts = np.array([2, 1, 0, 1, 0], dtype=np.int64) * US_PER_DAY // 2 + 5
    table = pa.table(
        {
            "mmsi": pa.array([9, 3, 9, 3, 1], type=pa.int64()),
            "ts": pa.array(ts).cast(pa.timestamp("us", tz="UTC")),
            "row": [0, 1, 2, 3, 4],
        }
    )
    days = split_by_day(table)
    assert [d for d, _ in days] == ["1970-01-01", "1970-01-02"]
    assert days[0][1]["row"].to_pylist() == [4, 1, 3, 2]
    assert days[1][1]["row"].to_pylist() == [0]
