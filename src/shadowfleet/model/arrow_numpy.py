"""Numpy <-> Arrow conversions built from buffers.

`pa.array(ndarray)`, `pa.scalar(...)` and `to_numpy()` ask pandas about their argument, which imports
pandas (a tenth of a second of start-up) in a process that never uses it. The ingest path builds and
reads its Arrow columns through these helpers instead; the layouts are Arrow's own (validity bitmap
least-significant bit first, booleans bit-packed).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa


def _bitmap(valid: np.ndarray) -> tuple[pa.Buffer | None, int]:
    nulls = int(valid.size - np.count_nonzero(valid))
    if nulls == 0:
        return None, 0
    return pa.py_buffer(np.packbits(valid, bitorder="little")), nulls


def from_numpy(
    values: np.ndarray,
    type: pa.DataType | None = None,
    *,
    valid: np.ndarray | None = None,
    nan_is_null: bool = False,
) -> pa.Array:
    """A one-dimensional numeric or boolean array as Arrow, with nulls where `valid` is False (and at
    NaN when `nan_is_null`). `type` may differ from the numpy type only by meaning (a timestamp over
    int64) or need a cast (int64 values to int16)."""
    values = np.ascontiguousarray(values)
    if values.ndim != 1:
        raise ValueError("from_numpy takes one-dimensional arrays")
    n = int(values.size)
    if nan_is_null and values.dtype.kind == "f":
        not_nan = ~np.isnan(values)
        valid = not_nan if valid is None else (valid & not_nan)
    bitmap, nulls = _bitmap(np.asarray(valid, dtype=bool)) if valid is not None else (None, 0)
    if values.dtype == np.bool_:
        data = pa.py_buffer(np.packbits(values, bitorder="little"))
        natural: pa.DataType = pa.bool_()
    else:
        data = pa.py_buffer(values)
        natural = pa.from_numpy_dtype(values.dtype)
    target = natural if type is None else type
    same_layout = target == natural or (pa.types.is_timestamp(target) and natural == pa.int64())
    array = pa.Array.from_buffers(target if same_layout else natural, n, [bitmap, data], null_count=nulls)
    return array if same_layout else array.cast(target)


def to_numpy(column: pa.Array | pa.ChunkedArray, dtype: np.dtype | type | None = None) -> np.ndarray:
    """The values of a numeric column without nulls (timestamps as their int64 counts)."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    if column.null_count:
        raise ValueError("to_numpy needs a column without nulls")
    typ = column.type
    if pa.types.is_timestamp(typ) or pa.types.is_duration(typ) or pa.types.is_date64(typ):
        np_type: np.dtype = np.dtype(np.int64)
    elif pa.types.is_boolean(typ):
        bits = np.frombuffer(column.buffers()[1], dtype=np.uint8)
        unpacked = np.unpackbits(bits, bitorder="little", count=column.offset + len(column))
        out = unpacked[column.offset :].astype(bool)
        return out if dtype is None else out.astype(dtype)
    else:
        np_type = np.dtype(typ.to_pandas_dtype())
    raw = np.frombuffer(column.buffers()[1], dtype=np_type, count=column.offset + len(column))
    out = raw[column.offset :]
    return out if dtype is None else out.astype(dtype, copy=False)


def empty_table(schema: pa.Schema) -> pa.Table:
    """A table of `schema` with no rows."""
    return pa.Table.from_arrays([pa.nulls(0, f.type) for f in schema], schema=schema)


def repeat_string(value: str, n: int) -> pa.Array:
    """A string array holding `value` n times, built from buffers (no Python objects per row)."""
    data = value.encode()
    if len(data) * n >= 2**31:  # a string column's 32-bit offsets cannot address it
        raise ValueError(f"{n:,} copies of a {len(data)}-byte string do not fit one Arrow string column")
    offsets = np.arange(n + 1, dtype=np.int32) * len(data)
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data * n)])
