"""Buffer-built Arrow columns equal what pyarrow's own conversions give."""

import numpy as np
import pyarrow as pa
import pytest

from shadowfleet.model.arrow_numpy import empty_table, from_numpy, repeat_string, to_numpy

RNG = np.random.default_rng(11)


@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 1000])
def test_floats_with_nan_as_null(n: int) -> None:
    values = RNG.normal(size=n)
    values[RNG.random(n) < 0.3] = np.nan
    got = from_numpy(values, nan_is_null=True)
    assert got.equals(pa.array(values, from_pandas=True))
    assert got.null_count == int(np.isnan(values).sum())


@pytest.mark.parametrize("n", [0, 5, 64, 1001])
def test_booleans_and_masks(n: int) -> None:
    values = RNG.random(n) < 0.5
    valid = RNG.random(n) < 0.8
    assert from_numpy(values).equals(pa.array(values))
    assert from_numpy(values, valid=valid).equals(pa.array(values, mask=~valid))


def test_integers_cast_and_masked() -> None:
    values = RNG.integers(0, 1000, size=100)
    valid = values % 3 != 0
    got = from_numpy(values, pa.int16(), valid=valid)
    assert got.type == pa.int16()
    assert got.equals(pa.array(values, mask=~valid).cast(pa.int16()))


def test_timestamps_over_int64() -> None:
    us = RNG.integers(0, 2**50, size=50)
    typ = pa.timestamp("us", tz="UTC")
    assert from_numpy(us, typ).equals(pa.array(us).cast(typ))


def test_non_contiguous_input_is_copied_not_misread() -> None:
    values = np.arange(20, dtype=np.int64)[::2]
    assert from_numpy(values).to_pylist() == list(range(0, 20, 2))


def test_to_numpy_respects_slices_chunks_and_types() -> None:
    ints = pa.array(np.arange(100, dtype=np.int64))
    np.testing.assert_array_equal(to_numpy(ints.slice(17, 30)), np.arange(17, 47))
    chunked = pa.chunked_array([ints.slice(0, 10), ints.slice(50, 5)])
    np.testing.assert_array_equal(to_numpy(chunked), np.r_[np.arange(10), np.arange(50, 55)])
    ts = pa.array(np.arange(5, dtype=np.int64)).cast(pa.timestamp("us", tz="UTC"))
    np.testing.assert_array_equal(to_numpy(ts.slice(2)), [2, 3, 4])
    bools = pa.array([True, False, True, True, False, False, True, False, True, True, False])
    np.testing.assert_array_equal(to_numpy(bools.slice(3, 6)), [True, False, False, True, False, True])
    np.testing.assert_array_equal(to_numpy(pa.array([1, 2, 3], type=pa.int8()), np.int64), [1, 2, 3])


def test_to_numpy_refuses_nulls() -> None:
    with pytest.raises(ValueError, match="without nulls"):
        to_numpy(pa.array([1, None]))


def test_repeat_string_and_empty_table() -> None:
    assert repeat_string("rx-1", 3).to_pylist() == ["rx-1"] * 3
    assert repeat_string("", 2).to_pylist() == ["", ""]
    assert repeat_string("x", 0).to_pylist() == []
    schema = pa.schema([("a", pa.int64()), ("b", pa.string())])
    table = empty_table(schema)
    assert table.schema == schema and table.num_rows == 0
