import json

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shadowfleet.detect.identity import (
    IdentityParams,
    detect_identity_changes,
    normalise_text,
    normalise_text_array,
)
from tests.detect.tables import positions, statics

P = IdentityParams()


def _reports(mmsi: int, minutes: list[float], **fields: object) -> list[dict[str, object]]:
    return [{"mmsi": mmsi, "minutes": m, **fields} for m in minutes]


def test_name_change_is_dated_between_last_old_and_first_new_report() -> None:
    st = statics(_reports(1, [0, 6, 12], name="NAVE A") + _reports(1, [600, 606], name="NAVE B"))
    events = detect_identity_changes(st, P)
    assert events.num_rows == 1
    row = events.to_pylist()[0]
    assert (row["kind"], row["field"], row["old_value"], row["new_value"]) == (
        "identity_change",
        "name",
        "NAVE A",
        "NAVE B",
    )
    assert row["start_ts"].hour == 0 and row["start_ts"].minute == 12
    assert row["end_ts"].hour == 10 and row["end_ts"].minute == 0
    ev = json.loads(row["evidence"])
    assert ev["old"]["reports"] == 3 and ev["new"]["first_seen"].startswith("2024-03-01T10:00")


def test_flicker_through_nulls_padding_and_case_is_no_change() -> None:
    st = statics(
        _reports(1, [0, 6], name="NAVE A")
        + _reports(1, [12], name=None)
        + _reports(1, [18], name="NAVE A@@@@")
        + _reports(1, [24], name="  nave  a ")
        + _reports(1, [30], name="")
        + _reports(1, [36, 42], name="NAVE A", ship_type=0, imo=0)
    )
    assert detect_identity_changes(st, P).num_rows == 0


def test_a_single_garbled_report_is_no_change_but_a_repeated_one_is() -> None:
    glitch = statics(
        _reports(1, [0, 6], callsign="YYAB")
        + _reports(1, [12], callsign="Y@AB")
        + _reports(1, [18, 24], callsign="YYAB")
    )
    assert detect_identity_changes(glitch, P).num_rows == 0
    strict = IdentityParams(min_reports_per_value=1, revert_window_h=0.0)
    assert detect_identity_changes(glitch, strict).column("new_value").to_pylist() == ["Y AB", "YYAB"]


def test_several_fields_changing_at_once_give_distinct_events() -> None:
    st = statics(
        _reports(1, [0, 6], name="NAVE A", callsign="YYAB", ship_type=80)
        + _reports(1, [60, 66], name="NAVE B", callsign="5LAB", ship_type=84)
        + _reports(2, [0, 6], name="OTHER")
    )
    events = detect_identity_changes(st, P)
    assert events.column("field").to_pylist() == ["callsign", "name", "ship_type"]
    assert events.column("new_value").to_pylist() == ["5LAB", "NAVE B", "84"]
    assert len(set(events.column("event_id").to_pylist())) == 3


def test_reflagging_seen_through_the_imo_number_changes_mmsi_and_flag() -> None:
    # IMO 9074729 moves from a Panamanian MMSI to a Russian one.
    st = statics(
        _reports(351000001, [0, 6], imo=9074729, name="NAVE")
        + _reports(273000001, [600, 606], imo=9074729, name="NAVE")
    )
    renamed = statics(
        _reports(351000001, [0, 6], imo=9074729, name="NAVE")
        + _reports(273000001, [600, 606], imo=9074729, name="NAVE DOS")
        + _reports(351000002, [0, 6], imo=9176187, name="X")  # another hull
    )
    fields = sorted(detect_identity_changes(renamed, P).column("field").to_pylist())
    assert fields == ["flag", "mmsi", "name"]
    pos = positions([(273000001, 590, 11.0, -64.0), (351000001, 0, 10.0, -65.0)])
    events = detect_identity_changes(st, P, positions=pos)
    by_field = {r["field"]: r for r in events.to_pylist()}
    assert set(by_field) == {"mmsi", "flag"}
    assert (by_field["flag"]["old_value"], by_field["flag"]["new_value"]) == ("PA", "RU")
    assert (by_field["mmsi"]["old_value"], by_field["mmsi"]["new_value"]) == ("351000001", "273000001")
    assert by_field["flag"]["mmsi"] == 273000001 and by_field["flag"]["imo"] == 9074729
    assert (by_field["flag"]["lat"], by_field["flag"]["lon"]) == (11.0, -64.0)
    # the evidence names the two reports the change is dated by: old value last sent by the old MMSI
    ev = json.loads(by_field["flag"]["evidence"])
    assert (ev["old"]["last_seen"], ev["old"]["last_seen_by"]) == ("2024-03-01T00:06:00.000000Z", 351000001)
    assert (ev["new"]["first_seen"], ev["new"]["first_seen_by"]) == ("2024-03-01T10:00:00.000000Z", 273000001)


def test_evidence_does_not_depend_on_the_other_vessels_of_the_input() -> None:
    # Row numbers of the same reports differ between these inputs; the evidence must not.
    hull = (
        _reports(351000001, [0, 6], imo=9074729, name="NAVE")
        + _reports(273000001, [600, 606], imo=9074729, name="NAVE DOS")
        + _reports(273000001, [700, 706], imo=9074729, name="NAVE TRES")
    )
    others = _reports(100000001, [1, 2, 3], imo=9176187, name="X") + _reports(
        300000001, [601, 602, 603, 604], imo=9176187, name="Y"
    )

    def evidence(table: pa.Table) -> dict[tuple[str, int], str]:
        rows = detect_identity_changes(table, P).to_pylist()
        return {(r["field"], r["start_ts"].hour): r["evidence"] for r in rows if r["imo"] == 9074729}

    alone, crowded = evidence(statics(hull)), evidence(statics(hull + others))
    assert set(alone) == {("flag", 0), ("mmsi", 0), ("name", 0), ("name", 10)}
    assert alone == crowded
    assert "row" not in "".join(alone.values())


def test_normalise_text() -> None:
    assert normalise_text(" nave@@ a@@@ ") == "NAVE A"
    assert normalise_text("@@@@") is None


def test_unknown_field_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="colour"):
        detect_identity_changes(statics(_reports(1, [0])), IdentityParams(fields=("colour",)))


@given(st.lists(st.one_of(st.none(), st.text(alphabet="ab Z@\t-9é", max_size=12)), max_size=20))
def test_column_normalisation_agrees_with_the_scalar_rule(values: list[str | None]) -> None:
    column = pa.array(values, pa.string())
    assert normalise_text_array(column).to_pylist() == [normalise_text(v) for v in values]


def test_two_transmitters_flickering_between_values_is_no_change_but_a_lasting_change_is() -> None:
    hours = [h * 60.0 for h in range(0, 200, 5)]
    flicker = statics(
        [{"mmsi": 1, "minutes": m, "ship_type": 80 if (i // 3) % 2 == 0 else 70} for i, m in enumerate(hours)]
    )
    assert detect_identity_changes(flicker, P).num_rows == 0
    lasting = statics(
        _reports(1, [0, 60], ship_type=80) + _reports(1, [60 * 24 * 10, 60 * 24 * 10 + 60], ship_type=84)
    )
    assert detect_identity_changes(lasting, P).column("new_value").to_pylist() == ["84"]
    back_later = statics(
        _reports(1, [0, 60], name="A")
        + _reports(1, [60 * 24, 60 * 25], name="B")
        + _reports(1, [60 * 24 * 30, 60 * 24 * 31], name="A")
    )
    assert detect_identity_changes(back_later, P).column("new_value").to_pylist() == ["B", "A"]
