"""Detector output carried through Spark as Arrow IPC bytes.

Event tables have kind-specific columns that grow as detectors are added; rather than freezing a Spark
schema for them, each group returns its tables serialised, and the driver stacks them (the same
`stack_events` the local runner uses).
"""

import pyarrow as pa

BLOB_SCHEMA = pa.schema([pa.field("what", pa.string()), pa.field("ipc", pa.binary())])
BLOB_DDL = "what string, ipc binary"


def to_ipc(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def from_ipc(data: bytes) -> pa.Table:
    return pa.ipc.open_stream(pa.py_buffer(data)).read_all()


def blobs(items: list[tuple[str, pa.Table]]) -> pa.Table:
    """One row per (what, table) pair with at least one row."""
    keep = [(what, t) for what, t in items if t.num_rows]
    return pa.table(
        {"what": pa.array([w for w, _ in keep], pa.string()), "ipc": pa.array([to_ipc(t) for _, t in keep])},
        schema=BLOB_SCHEMA,
    )


def unpack(table: pa.Table, what: str) -> list[pa.Table]:
    rows = table.filter(pa.compute.equal(table.column("what"), what)).column("ipc").to_pylist()
    return [from_ipc(r) for r in rows]
