"""The vectorised AIS encoder against pyais' decoder: every field back within AIS resolution."""

import csv
from pathlib import Path

import numpy as np
import pytest
from pyais.stream import IterMessages

from shadowfleet.sim import encode
from shadowfleet.sim.identity import (
    FLAG_MIDS,
    fictional_imos,
    fictional_mmsi,
    flag_of_mmsi,
    imo_check_digit,
    imo_is_valid,
    invalid_imo,
)


def _decode(lines: list[str]) -> list:  # type: ignore[type-arg]
    return [m for m in IterMessages([line.encode() for line in lines])]


def _lines(payloads: np.ndarray, fill_bits: int = 0, **kwargs: object) -> list[str]:
    n = len(payloads)
    bodies = encode.sentence_bodies(payloads, fill_bits=fill_bits, channel=["A"] * n, **kwargs)  # type: ignore[arg-type]
    tags = encode.tag_block_bodies(np.arange(n) + 1_767_225_600, ["RX"] * n)
    return encode.nmea_lines(tags, bodies)


def test_xor_checksum_matches_definition() -> None:
    body = "AIVDM,1,1,,B,177KQJ5000G?tO`K>RA1wUbN0TKH,0"
    expected = 0
    for ch in body.encode():
        expected ^= ch
    assert encode.xor_checksums([body, ""]) == [f"{expected:02X}", "00"]


@pytest.mark.parametrize("msg_type", [1, 2, 3, 18])
def test_position_reports_round_trip(msg_type: int) -> None:
    rng = np.random.default_rng(msg_type)
    n = 300
    mmsi = rng.integers(200_000_000, 775_999_999, n)
    lat = rng.uniform(-90, 90, n)
    lon = rng.uniform(-180, 180, n)
    sog = rng.uniform(0, 102, n)
    cog = rng.uniform(0, 359.9, n)
    heading = rng.integers(0, 360, n).astype(float)
    second = rng.integers(0, 60, n)
    status = rng.integers(0, 16, n)
    common = dict(mmsi=mmsi, lat=lat, lon=lon, sog_kn=sog, cog_deg=cog, heading_deg=heading, second=second)
    if msg_type == 18:
        payloads = encode.class_b_position_payloads(**common)  # type: ignore[arg-type]
    else:
        payloads = encode.class_a_position_payloads(msg_type=msg_type, nav_status=status, **common)  # type: ignore[arg-type]
    messages = _decode(_lines(payloads))
    assert len(messages) == n
    for i, message in enumerate(messages):
        assert message.is_valid
        d = message.decode()
        assert d.msg_type == msg_type
        assert d.mmsi == mmsi[i]
        assert abs(d.lat - lat[i]) <= 0.5 / 600_000 + 0.5e-6 + 1e-9
        assert abs(d.lon - lon[i]) <= 0.5 / 600_000 + 0.5e-6 + 1e-9
        assert abs(d.speed - sog[i]) <= 0.05 + 1e-9
        assert abs(d.course - cog[i]) <= 0.05 + 1e-9
        assert d.heading == heading[i]
        assert d.second == second[i]
        if msg_type != 18:
            assert d.status == status[i]


def test_not_available_values() -> None:
    payloads = encode.class_a_position_payloads(
        msg_type=1,
        mmsi=np.array([366_000_001]),
        nav_status=np.array([15]),
        lat=np.array([np.nan]),
        lon=np.array([np.nan]),
        sog_kn=np.array([np.nan]),
        cog_deg=np.array([np.nan]),
        heading_deg=np.array([np.nan]),
        second=np.array([60]),
    )
    d = _decode(_lines(payloads))[0].decode()
    assert (d.lat, d.lon, d.heading) == (91.0, 181.0, 511)
    assert d.course == 360.0
    assert d.speed == pytest.approx(102.3)


def test_type5_two_sentences_round_trip() -> None:
    first, second, fill = encode.type5_payloads(
        mmsi=np.array([352_912_345, 613_900_001]),
        imo=np.array([9_074_729, 1_234_567]),
        callsign=["3EAB12", "tjxy9"],
        name=["RUSSET PIPIT 7", "lowercase name"],
        ship_type=np.array([80, 70]),
        length_m=np.array([333.0, 120.0]),
        beam_m=np.array([60.0, 20.0]),
        eta_month=np.array([1, 0]),
        eta_day=np.array([15, 0]),
        eta_hour=np.array([12, 24]),
        eta_minute=np.array([30, 60]),
        draught_m=np.array([21.5, 7.8]),
        destination=["CN TAO", ""],
    )
    assert fill == 2
    assert all(len(p) == 60 for p in first) and all(len(p) == 11 for p in second)
    lines = []
    for k in range(2):
        for part, payload, fill_bits in ((1, first[k], 0), (2, second[k], fill)):
            body = encode.sentence_bodies(
                [payload], fill_bits=fill_bits, channel=["B"], fragment_count=2, fragment_number=part,
                sequence_id=[str(k + 1)],
            )  # fmt: skip
            tag = encode.tag_block_bodies([1_767_225_600], ["RX"], [f"{part}-2-{k + 1}"])
            lines += encode.nmea_lines(tag, body)
    decoded = [m.decode() for m in _decode(lines)]
    assert len(decoded) == 2
    a, b = decoded
    assert (a.mmsi, a.imo, a.callsign, a.shipname) == (352_912_345, 9_074_729, "3EAB12", "RUSSET PIPIT 7")
    assert (a.ship_type, a.to_bow + a.to_stern, a.to_port + a.to_starboard) == (80, 333, 60)
    assert (a.month, a.day, a.hour, a.minute, a.draught, a.destination) == (1, 15, 12, 30, 21.5, "CN TAO")
    assert (b.callsign, b.shipname, b.hour, b.minute) == ("TJXY9", "LOWERCASE NAME", 24, 60)


def test_type24_parts_round_trip() -> None:
    part_a, part_b = encode.type24_payloads(
        mmsi=np.array([244_912_345]),
        name=["OCHRE VOLE 3"],
        ship_type=np.array([37]),
        callsign=["PD1234"],
        length_m=np.array([18.0]),
        beam_m=np.array([5.0]),
    )
    a = _decode(_lines(part_a))[0].decode()
    b = _decode(_lines(part_b))[0].decode()
    assert (a.msg_type, a.partno, a.shipname) == (24, 0, "OCHRE VOLE 3")
    assert (b.partno, b.ship_type, b.callsign, b.to_bow + b.to_stern, b.to_port + b.to_starboard) == (
        1, 37, "PD1234", 18, 5,
    )  # fmt: skip


def test_imo_check_digit() -> None:
    assert imo_check_digit(907472) == 9
    assert imo_is_valid(9_074_729)
    assert not imo_is_valid(9_074_728)
    rng = np.random.default_rng(0)
    imos = fictional_imos(rng, 500)
    assert len(set(imos)) == 500 and all(imo_is_valid(i) for i in imos)
    assert not any(imo_is_valid(invalid_imo(i)) for i in imos)


def test_mmsi_mids_are_real_flag_codes(shared_data: Path) -> None:
    with open(shared_data / "libais-testdata" / "docs" / "mid.csv", encoding="utf-8") as fh:
        known = {int(row["prefix"]) for row in csv.DictReader(fh)}
    rng = np.random.default_rng(1)
    taken: set[int] = set()
    for flag, mids in FLAG_MIDS.items():
        assert set(mids) <= known, flag
        mmsi = fictional_mmsi(rng, flag, taken)
        assert 100_000_000 <= mmsi <= 999_999_999
        assert flag_of_mmsi(mmsi) == flag
