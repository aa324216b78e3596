"""Derived event and voyage sets in the lake, and the incremental detection driver.

Layout (see docs/detect.md):
    LAKE/events/kind=<kind>/events.parquet     one file per event kind (EVENT_SCHEMA + kind columns)
    LAKE/voyages/voyages.parquet
    LAKE/_detect/state.json                    per day: the position files seen at the last run
Both sets are replaced whole and atomically (`replace_dir_atomic`): readers see the old or the new set.

`run_incremental` re-runs detection only over the days whose position files changed since the last run,
plus `margin_days` of context on each side (a gap that spans midnight is found when the second day
arrives). Events that overlap the changed days are replaced by the new run's; the rest are kept. Event
ids are deterministic, so a second run over unchanged data writes nothing.
"""

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from shadowfleet.lake import layout
from shadowfleet.lake.atomic import replace_dir_atomic, write_bytes_atomic
from shadowfleet.lake.query import Lake

STATE_FILE = Path("_detect") / "state.json"
US_PER_DAY = 86_400_000_000

# (positions, statics) -> (events, voyages); pure, supplied by the caller (shadowfleet.detect.run)
DetectFn = Callable[[pa.Table, pa.Table], tuple[pa.Table, pa.Table]]


@dataclass(frozen=True)
class IncrementalReport:
    changed_days: list[str]
    loaded_days: list[str]
    positions: int
    events_before: int
    events_after: int
    events_replaced: int
    written: bool


def read_events(lake_dir: str | Path) -> pa.Table | None:
    """Every stored event (union of kind columns), or None when the lake has none yet."""
    root = Path(lake_dir) / layout.EVENTS
    files = sorted(root.glob("kind=*/*.parquet")) if root.exists() else []
    if not files:
        return None
    tables = [pq.read_table(f, partitioning=None) for f in files]
    return pa.concat_tables(tables, promote_options="permissive")


def read_voyages(lake_dir: str | Path) -> pa.Table | None:
    path = Path(lake_dir) / layout.VOYAGES / "voyages.parquet"
    return pq.read_table(path, partitioning=None) if path.exists() else None


def write_events(lake_dir: str | Path, events: pa.Table) -> None:
    """Replace the whole event set with `events`, one file per kind (only the columns that kind uses)."""
    files: dict[str, pa.Table] = {}
    kinds = events.column("kind").to_pylist() if events.num_rows else []
    for kind in sorted(set(kinds)):
        part = events.filter(pc.equal(events.column("kind"), kind))
        used = [
            c for c in part.column_names if part.column(c).null_count < part.num_rows or c in ("other_mmsi",)
        ]
        part = part.select(used).sort_by([("mmsi", "ascending"), ("start_ts", "ascending")])
        files[f"kind={kind}/events.parquet"] = part
    replace_dir_atomic(Path(lake_dir) / layout.EVENTS, files)


def write_voyages(lake_dir: str | Path, voyages: pa.Table) -> None:
    replace_dir_atomic(Path(lake_dir) / layout.VOYAGES, {"voyages.parquet": voyages})


def _fingerprints(lake: Lake) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for e in lake.manifest.files(layout.POSITIONS):
        out.setdefault(e.day, []).append(f"{e.path}:{e.rows}:{e.bytes}")
    return {d: sorted(v) for d, v in out.items()}


def _load_state(lake_dir: Path) -> dict[str, list[str]]:
    path = lake_dir / STATE_FILE
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {str(k): list(v) for k, v in data.get("days", {}).items()}
    except (json.JSONDecodeError, AttributeError) as exc:
        raise ValueError(
            f"{path}: unreadable detection state ({exc}); delete it to re-run everything"
        ) from exc


def _load_detection(lake_dir: Path) -> str | None:
    """The detection digest the stored events were made with (None: unknown, e.g. an older lake)."""
    path = lake_dir / STATE_FILE
    if not path.exists():
        return None
    try:
        value = json.loads(path.read_text(encoding="utf-8")).get("detection")
    except (json.JSONDecodeError, AttributeError):
        return None
    return value if isinstance(value, str) else None


def _day_us(day: str) -> int:
    return int(dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC).timestamp()) * 1_000_000


def _us_day(us: int) -> str:
    return dt.datetime.fromtimestamp(us / 1e6, dt.UTC).date().isoformat()


def _span_columns(table: pa.Table) -> tuple[str, str]:
    return ("departure_ts", "arrival_ts") if "departure_ts" in table.column_names else ("start_ts", "end_ts")


def _overlaps(table: pa.Table, start_us: int, end_us: int) -> np.ndarray:
    """Rows whose [start, end] meets [start_us, end_us); a null end (still under way) is open-ended."""
    start_col, end_col = _span_columns(table)
    s = table.column(start_col).cast(pa.int64()).to_numpy(zero_copy_only=False)
    end = pc.fill_null(table.column(end_col).cast(pa.int64()), np.iinfo(np.int64).max)
    e = end.to_numpy(zero_copy_only=False)
    return (e >= start_us) & (s < end_us)


def merge_window(old: pa.Table | None, new: pa.Table, start_us: int, end_us: int, id_col: str) -> pa.Table:
    """Old rows outside [start, end) kept, new rows overlapping it added; on equal ids the new row wins."""
    fresh = new.filter(pa.array(_overlaps(new, start_us, end_us))) if new.num_rows else new
    if old is None or old.num_rows == 0:
        return fresh
    kept = old.filter(pa.array(~_overlaps(old, start_us, end_us)))
    ids = set(fresh.column(id_col).to_pylist())
    if ids and kept.num_rows:
        kept = kept.filter(pc.invert(pc.is_in(kept.column(id_col), pa.array(list(ids)))))
    return pa.concat_tables([kept, fresh], promote_options="permissive")


def _canonical(table: pa.Table, columns: list[str], id_col: str) -> pa.Table:
    """Columns in a fixed order, rows by id, NaN made comparable (NaN != NaN would make every run "new")."""
    t = table.select(columns).sort_by(id_col).combine_chunks()
    cols = []
    for c in t.columns:
        if pa.types.is_floating(c.type):
            c = pc.if_else(pc.is_nan(c), pa.scalar(-1.0e308, c.type), c)
        cols.append(c)
    return pa.table(cols, names=columns)


def _same(a: pa.Table | None, b: pa.Table, id_col: str) -> bool:
    if a is None:
        return b.num_rows == 0
    used_a = {c for c in a.column_names if a.column(c).null_count < a.num_rows}
    used_b = {c for c in b.column_names if b.column(c).null_count < b.num_rows}
    if a.num_rows != b.num_rows or used_a != used_b:
        return False
    cols = sorted(used_b | {id_col})
    return _canonical(a, cols, id_col).equals(_canonical(b, cols, id_col))


def run_incremental(
    lake_dir: str | Path,
    detect: DetectFn,
    *,
    margin_days: int = 2,
    full: bool = False,
    detection: str | None = None,
) -> IncrementalReport:
    """Detect over the changed days (+ margin) and store the events; see the module doc.

    `detection`: a digest of the detectors' versions and parameters (`detect.run.detection_fingerprint`).
    When it differs from the one the stored events were made with, every day is re-run (a full run), so
    a lake never mixes events of two detector versions.
    """
    root = Path(lake_dir)
    if detection is not None and _load_detection(root) not in (None, detection):
        full = True
    with Lake(root) as lake:
        prints = _fingerprints(lake)
        state = {} if full else _load_state(root)
        changed = sorted(d for d, fp in prints.items() if state.get(d) != fp)
        old_events = read_events(root)
        before = 0 if old_events is None else old_events.num_rows
        if not changed:
            return IncrementalReport([], [], 0, before, before, 0, False)
        all_days = sorted(prints)
        core_start = _day_us(changed[0])
        core_end = _day_us(changed[-1]) + US_PER_DAY
        load_start = core_start - margin_days * US_PER_DAY
        if old_events is not None and old_events.num_rows and not full:
            # an event still open at the window's start is recomputed whole: start loading where it began
            s = old_events.column("start_ts").cast(pa.int64()).to_numpy(zero_copy_only=False)
            e = old_events.column("end_ts").cast(pa.int64()).to_numpy(zero_copy_only=False)
            open_at = (s < load_start) & (e >= core_start - US_PER_DAY)
            if np.any(open_at):
                load_start = min(load_start, int(s[open_at].min()) // US_PER_DAY * US_PER_DAY)
        load_end = core_end + margin_days * US_PER_DAY
        days = [d for d in all_days if load_start <= _day_us(d) < load_end]
        positions = lake.positions_for_days(days)
        statics = lake.statics_for_days(days)
    events, voyages = detect(positions, statics)
    merged = events if full else merge_window(old_events, events, core_start, core_end, "event_id")
    replaced = 0 if old_events is None else int(np.sum(_overlaps(old_events, core_start, core_end)))
    written = not _same(old_events, merged, "event_id")
    if written:
        write_events(root, merged)
    if "voyage_id" in voyages.column_names:
        old_v = read_voyages(root)
        merged_v = voyages if full else merge_window(old_v, voyages, core_start, core_end, "voyage_id")
        if not _same(old_v, merged_v, "voyage_id"):
            write_voyages(root, merged_v)
    stored: dict[str, object] = {"days": prints}
    if detection is not None:
        stored["detection"] = detection
    write_bytes_atomic(json.dumps(stored, indent=1, sort_keys=True).encode(), root / STATE_FILE)
    return IncrementalReport(changed, days, positions.num_rows, before, merged.num_rows, replaced, written)
