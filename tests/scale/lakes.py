"""Helpers: write tables into a lake, run the local engine, compare event sets."""

import itertools
from pathlib import Path

import numpy as np
import pyarrow as pa

from shadowfleet.detect.run import DetectContext, run_all
from shadowfleet.lake.events import read_events, run_incremental
from shadowfleet.lake.manifest import ChunkEntry
from shadowfleet.lake.writer import LakeWriter
from shadowfleet.model.schemas import STATIC_SCHEMA

_keys = itertools.count()


def write_lake(root: Path, positions: pa.Table, statics: pa.Table | None = None) -> Path:
    statics = STATIC_SCHEMA.empty_table() if statics is None else statics
    key = f"{next(_keys):040d}"
    chunk = ChunkEntry(
        chunk_key=key, source="test", source_kind="test", chunk_index=0, first_line=1,
        n_lines=positions.num_rows, n_bytes=0, positions=positions.num_rows, statics=statics.num_rows,
        rejects=0, simulated=False,
    )  # fmt: skip
    with LakeWriter(root) as w:
        w.write_chunk(chunk, positions, statics)
    return root


def local_events(root: Path, context: DetectContext) -> pa.Table:
    """The local engine's stored events for the whole lake (`shadowfleet detect --full`)."""
    run_incremental(root, lambda pos, sta: run_all(pos, sta, context), full=True)
    events = read_events(root)
    assert events is not None, "the local engine stored no events"
    return events


def _used(table: pa.Table) -> list[str]:
    return sorted(c for c in table.column_names if table.column(c).null_count < table.num_rows)


def assert_same_events(expected: pa.Table, actual: pa.Table, atol: float = 1e-9) -> None:
    """Same event ids and the same value in every used column (floats within `atol`)."""
    assert_same_rows(expected, actual, "event_id", atol)


def assert_same_rows(expected: pa.Table, actual: pa.Table, id_col: str, atol: float = 1e-9) -> None:
    """Same ids in `id_col` and the same value in every used column (floats within `atol`)."""
    e = expected.sort_by(id_col)
    a = actual.sort_by(id_col)
    assert e.column(id_col).to_pylist() == a.column(id_col).to_pylist()
    assert _used(e) == _used(a)
    for name in _used(e):
        ce, ca = e.column(name), a.column(name)
        if pa.types.is_floating(ce.type):
            ve = ce.to_numpy(zero_copy_only=False).astype(float)
            va = ca.to_numpy(zero_copy_only=False).astype(float)
            np.testing.assert_allclose(va, ve, rtol=0, atol=atol, equal_nan=True, err_msg=name)
        else:
            assert ca.to_pylist() == ce.to_pylist(), name
