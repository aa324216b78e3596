"""Where things live in a lake folder. This layout is public and stable: users read it directly.

    LAKE/
      positions/date=YYYY-MM-DD/part-<chunk key>.parquet     POSITION_SCHEMA, zstd, sorted by (mmsi, ts)
      positions/date=YYYY-MM-DD/compact-<hash>.parquet       same, several parts merged by compaction
      static/date=YYYY-MM-DD/...                             STATIC_SCHEMA, same naming and order
      events/, voyages/                                      derived sets, replaced whole (atomic.replace_dir_atomic)
      _manifest/manifest.sqlite                              visible files and ingested chunks
      _manifest/writer.lock                                  held by the one process writing
Files whose names start with `.tmp-` are unfinished writes; they never match `*.parquet`.
"""

POSITIONS = "positions"
STATIC = "static"
DATASETS = (POSITIONS, STATIC)
EVENTS = "events"
VOYAGES = "voyages"
MANIFEST_DIR = "_manifest"
PARTITION_KEY = "date"


def data_file(dataset: str, day: str, name: str) -> str:
    """Path of a data file relative to the lake root, '/'-separated."""
    return f"{dataset}/{PARTITION_KEY}={day}/{name}"
