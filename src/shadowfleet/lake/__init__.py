"""The track lake: day-partitioned Parquet with a manifest, idempotent crash-safe ingest, DuckDB reads.

See docs/lake.md for the layout, the manifest and the crash-safety design.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shadowfleet.lake.atomic import replace_dir_atomic, write_parquet_atomic
from shadowfleet.lake.writer import LakeLockedError, LakeWriter

if TYPE_CHECKING:
    from shadowfleet.lake.query import Lake, LakeStats

__all__ = ["Lake", "LakeLockedError", "LakeStats", "LakeWriter", "replace_dir_atomic", "write_parquet_atomic"]


def __getattr__(name: str) -> Any:
    # the reader pulls in DuckDB: imported on first use, so writing (ingest) starts faster
    if name in ("Lake", "LakeStats"):
        from shadowfleet.lake import query

        return getattr(query, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
