"""Positions stamped with the ingest machine's clock (ts_origin "clock") feed no detector."""

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from shadowfleet.detect.gazetteer import gazetteer_from_points
from shadowfleet.detect.run import CLOCK_EXCLUDED, DetectContext, run_all

from .builders import combine, every, track

HARBOUR = (10.0, -64.0)


def _with_origin(table: pa.Table, origin: str) -> pa.Table:
    i = table.schema.get_field_index("ts_origin")
    return table.set_column(i, table.schema.field(i), pa.array([origin] * table.num_rows, pa.string()))


def _context() -> DetectContext:
    return DetectContext(gazetteer_from_points(["TEST HARBOUR"], ["VE"], np.array([10.0]), np.array([-64.0])))


def test_clock_stamped_positions_make_no_events_and_are_counted():
    h = every(5, 8)
    # a vessel with real times: eight hours alongside in harbour (a port call)
    real = track(300, HARBOUR, h, np.full_like(h, 1000.0), np.zeros_like(h), sog_kn=0.1)
    # another vessel's real track, then the same vessel read from an untimed file much later: with clock
    # times these would be a 20 h gap and, at the harbour, a port call "today"
    first = track(500, (5.0, -40.0), h, np.zeros_like(h), np.zeros_like(h), sog_kn=11.0)
    later = _with_origin(
        track(500, HARBOUR, h + 28, np.full_like(h, 1000.0), np.zeros_like(h), sog_kn=0.1), "clock"
    )
    pos = combine(real, first, later)
    timings: dict[str, float] = {}
    events, _ = run_all(pos, None, _context(), timings=timings)
    assert timings[CLOCK_EXCLUDED] == later.num_rows
    for_500 = events.filter(pc.equal(events.column("mmsi"), 500))
    assert for_500.num_rows == 0, for_500.column("kind").to_pylist()
    calls = events.filter(pc.equal(events.column("kind"), "port_call"))
    assert calls.column("mmsi").to_pylist() == [300]

    # the same positions with real times do make the gap and the port call
    timed, _ = run_all(combine(real, first, _with_origin(later, "tagblock")), None, _context())
    kinds_500 = set(timed.filter(pc.equal(timed.column("mmsi"), 500)).column("kind").to_pylist())
    assert {"ais_gap", "port_call"} <= kinds_500


def test_only_clock_stamped_positions_give_an_empty_result():
    h = every(5, 8)
    pos = _with_origin(track(300, HARBOUR, h, np.full_like(h, 1000.0), np.zeros_like(h), sog_kn=0.1), "clock")
    timings: dict[str, float] = {}
    events, _ = run_all(pos, None, _context(), timings=timings)
    assert events.num_rows == 0
    assert timings[CLOCK_EXCLUDED] == pos.num_rows


def test_statics_with_only_clock_stamped_positions_run_without_error():
    import datetime as dt

    from shadowfleet.model.schemas import STATIC_SCHEMA

    h = every(5, 2)
    pos = _with_origin(track(300, HARBOUR, h, np.zeros_like(h), np.zeros_like(h), sog_kn=0.1), "clock")
    t0 = pos.column("ts")[0].as_py()
    rows = [
        {"mmsi": 300, "ts": t0 + dt.timedelta(minutes=m), "name": name, "imo": 9074729, "msg_type": 5}
        for m, name in ((0, "OLD NAME"), (60, "NEW NAME"))
    ]
    fields = {f.name: f for f in STATIC_SCHEMA}
    columns = {}
    for name, f in fields.items():
        values = [r.get(name) for r in rows]
        if name == "source":
            values = ["test"] * len(rows)
        elif name == "ts_origin":
            values = ["simulated"] * len(rows)
        elif name == "simulated":
            values = [True] * len(rows)
        columns[name] = pa.array(values, f.type)
    statics = pa.table(columns, schema=STATIC_SCHEMA)
    events, _ = run_all(pos, statics, DetectContext())
    assert set(events.column("kind").to_pylist()) <= {"identity_change"}
