"""The vectorised tag-block and trailer readers give, line for line, what parsing each on its own gives."""

import random

import numpy as np
import pytest

from shadowfleet.ais.fast_frame import PAD, parse_simple_tag_block, parse_tag_blocks, parse_trailers
from shadowfleet.ais.nmea import parse_trailer

TIMES = [
    "1750000000",
    "1750000001",
    "1750000000123",  # milliseconds
    "1426741211",
    "4102444800",  # the last second accepted
    "4102444801",  # beyond it: read as milliseconds, then too small to be a time -> still a time
    "0",
    "",
    "-5",
    "1.5e9",
    "1750000000.5",
    "17500000001234567",  # 17 digits
    "99999999999999999999",
    "12ab",
    "007",
]
STATIONS = ["rBENCH", "r003669945", "2573105", "", "x" * 70, "ÆØ"]


def _body(rng: random.Random) -> str:
    fields = []
    if rng.random() < 0.9:
        fields.append(f"s:{rng.choice(STATIONS)}")
    n_times = rng.choices([0, 1, 2], weights=[1, 10, 1])[0]
    fields += [f"c:{rng.choice(TIMES)}" for _ in range(n_times)]
    if rng.random() < 0.2:
        fields.append(rng.choice(["i:SIMULATED", "i:simulated", "i:other", "g:1-2-73", "n:123", "x:1"]))
    if rng.random() < 0.05:
        fields.append(rng.choice(["", "nocolon", ":v", "c"]))
    rng.shuffle(fields)
    return ",".join(fields)


def _lines_around(
    texts: list[bytes], before: bytes, after: bytes
) -> tuple[np.ndarray, bytes, np.ndarray, np.ndarray]:
    """A buffer of lines `before + text + after`, and where each text starts and ends in it."""
    joined = b""
    lo, hi = [], []
    for text in texts:
        joined += before
        lo.append(len(joined))
        joined += text
        hi.append(len(joined))
        joined += after + b"\n"
    return np.frombuffer(joined + bytes(PAD), dtype=np.uint8), joined, np.array(lo), np.array(hi)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_grouped_parse_equals_parse_per_body(seed: int) -> None:
    rng = random.Random(seed)
    pool = [_body(rng) for _ in range(300)]
    bodies = [rng.choice(pool).encode() for _ in range(20_000)]
    arr, joined, lo, hi = _lines_around(bodies, b"\\", b"*00\\!AIVDM")
    ts, code, names, simulated, usable = parse_tag_blocks(arr, joined, lo, hi)
    station = [None if c < 0 else names[c] for c in code.tolist()]
    assert len(set(names)) == len(names)  # each station once
    for i, b in enumerate(bodies):
        expected = parse_simple_tag_block(b)
        if expected is None:
            assert not usable[i], b
        else:
            assert usable[i], b
            assert (int(ts[i]), station[i], bool(simulated[i])) == expected, b


def test_each_line_keeps_its_own_time() -> None:
    bodies = [f"s:rA,c:{1750000000 + i}".encode() for i in range(1000)]
    joined = b"".join(b"\\" + b + b"*00\\\n" for b in bodies)
    lo = np.array([joined.index(b) for b in bodies])
    hi = lo + np.array([len(b) for b in bodies])
    arr = np.frombuffer(joined + bytes(PAD), dtype=np.uint8)
    ts, code, names, _, usable = parse_tag_blocks(arr, joined, lo, hi)
    assert usable.all()
    assert ts.tolist() == [(1750000000 + i) * 1_000_000 for i in range(1000)]
    assert names == ["rA"] and set(code.tolist()) == {0}


TRAILER_FIELDS = [
    "r003669946",
    "r003669947",
    "b003660465",
    "s36310",
    "1325394060",
    "1325394061",
    "1325394060123",
    "13253940",  # too short for a time
    "13253940601234",  # too long
    "0000000000",
    "",
    "-1325394060",
    "d-107",
    "T44.5",
    "rX",
    "r",
]


@pytest.mark.parametrize("seed", [4, 5])
def test_grouped_trailers_equal_parse_per_trailer(seed: int) -> None:
    rng = random.Random(seed)
    pool = ["," + ",".join(rng.choice(TRAILER_FIELDS) for _ in range(rng.randint(0, 5))) for _ in range(200)]
    pool += ["," + "r" + "9" * 70 + ",1325394060"]  # longer than the window
    trailers = [rng.choice(pool).encode() for _ in range(20_000)]
    arr, joined, lo, hi = _lines_around(trailers, b"!AIVDM,1,1,,A,x,0*00", b"")
    ts, code, names = parse_trailers(arr, joined, lo, hi)
    station = [None if c < 0 else names[c] for c in code.tolist()]
    for i, t in enumerate(trailers):
        expected_station, expected_us = parse_trailer(t)
        assert station[i] == expected_station, t
        assert int(ts[i]) == (-1 if expected_us is None else expected_us), t
