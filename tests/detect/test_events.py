from dataclasses import dataclass

import numpy as np
import pytest

from shadowfleet.detect.events import build_events


@dataclass(frozen=True)
class _Params:
    min_gap_h: float = 6.0


def _two_events(version: str = "1.0") -> "object":
    return build_events(
        "ais_gap",
        mmsi=np.array([1, 2]),
        start_us=np.array([0, 3_600_000_000]),
        end_us=np.array([21_600_000_000, 43_200_000_000]),
        lat=np.array([10.0, 11.0]),
        lon=np.array([-64.0, -65.0]),
        confidence=np.array([0.9, 0.5]),
        evidence=["[]", "[]"],
        params=_Params(),
        detector_version=version,
        simulated=np.array([False, True]),
        extra={"duration_h": np.array([6.0, 11.0])},
    )


def test_event_ids_are_deterministic_and_depend_on_version() -> None:
    a, b, c = _two_events(), _two_events(), _two_events("1.1")
    assert a.column("event_id").to_pylist() == b.column("event_id").to_pylist()
    assert a.column("event_id").to_pylist() != c.column("event_id").to_pylist()
    assert len(set(a.column("event_id").to_pylist())) == 2


def test_event_rows_carry_params_units_and_null_partner() -> None:
    table = _two_events()
    assert table.column("params")[0].as_py() == '{"min_gap_h":6.0}'
    assert table.column("other_mmsi").null_count == 2
    assert table.column("duration_h").to_pylist() == [6.0, 11.0]
    assert str(table.column("start_ts")[1].as_py()) == "1970-01-01 01:00:00+00:00"


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown event kind"):
        build_events(
            "piracy",
            mmsi=np.array([1]),
            start_us=np.array([0]),
            end_us=np.array([1]),
            lat=np.array([0.0]),
            lon=np.array([0.0]),
            confidence=np.array([1.0]),
            evidence=["[]"],
            params=_Params(),
            detector_version="1",
            simulated=np.array([False]),
        )
