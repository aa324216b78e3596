"""The track lake: day-partitioned Parquet with a manifest, idempotent crash-safe ingest, DuckDB reads.

See docs/lake.md for the layout, the manifest and the crash-safety design.
"""

from shadowfleet.lake.atomic import replace_dir_atomic, write_parquet_atomic
from shadowfleet.lake.query import Lake, LakeStats
from shadowfleet.lake.writer import LakeLockedError, LakeWriter

__all__ = ["Lake", "LakeLockedError", "LakeStats", "LakeWriter", "replace_dir_atomic", "write_parquet_atomic"]
