"""pyais' real-world sample (898 lines): every malformed line rejected with a reason, the rest decoded.

Expected counts are derived from the file independently of the decoder: the checksum is computed here,
the payload field read with a plain split, fragments matched by (sequence id, channel).
"""

from functools import reduce
from pathlib import Path

import pyais
import pytest

from shadowfleet.ais.decoder import NmeaDecoder


def _checksum_ok(line: bytes) -> bool:
    body, _, cs = line[1:].partition(b"*")
    return reduce(int.__xor__, body, 0) == int(cs[:2], 16)


@pytest.fixture(scope="module")
def sample(shared_data: Path) -> list[bytes]:
    return (shared_data / "pyais-samples/tests/nmea_data_sample.txt").read_bytes().split(b"\n")


def _expected(lines: list[bytes]) -> dict[str, int]:
    empty = single = 0
    firsts: dict[tuple[bytes, bytes], int] = {}
    complete = orphans = 0
    for raw in lines:
        line = raw.strip()
        assert _checksum_ok(line)
        f = line.split(b",")
        if not f[5]:
            empty += 1
        elif f[1] == b"1":
            single += 1
        elif f[2] == b"1":
            key = (f[3], f[4])
            if key in firsts:
                orphans += 1  # superseded first fragment
            firsts[key] = 1
        else:
            if firsts.pop((f[3], f[4]), None):
                complete += 1
            else:
                orphans += 1
    orphans += len(firsts)
    return {"empty": empty, "single": single, "multipart": complete, "orphan_lines": orphans}


def test_every_line_decoded_or_rejected_with_a_reason(sample: list[bytes]) -> None:
    exp = _expected(sample)
    assert exp == {"empty": 100, "single": 778, "multipart": 0, "orphan_lines": 20}
    dec = NmeaDecoder("pyais-sample")
    r1 = dec.feed(sample, 1)
    r2 = dec.flush()
    reasons = r1.rejects.column("reason").to_pylist() + r2.rejects.column("reason").to_pylist()
    assert reasons.count("empty_payload") == exp["empty"]
    assert reasons.count("incomplete_multipart") == exp["orphan_lines"]
    assert len(reasons) == exp["empty"] + exp["orphan_lines"]
    assert r1.counts["messages"] == exp["single"]
    line_nos = r1.rejects.column("line_no").to_pylist() + r2.rejects.column("line_no").to_pylist()
    assert len(set(line_nos)) == len(line_nos)  # exactly one reject row per unusable line
    # positions for every position-type message; pyais agrees on their count
    pyais_positions = 0
    for raw in sample:
        f = raw.strip().split(b",")
        if f[1] == b"1" and f[5] and pyais.decode(raw.strip()).msg_type in (1, 2, 3, 9, 18, 19, 27):
            pyais_positions += 1
    assert r1.positions.num_rows == pyais_positions


def test_same_result_in_small_batches(sample: list[bytes]) -> None:
    whole = NmeaDecoder("s")
    a = whole.feed(sample, 1)
    a_tail = whole.flush()
    parts = NmeaDecoder("s")
    chunks = [parts.feed(sample[i : i + 37], i + 1) for i in range(0, len(sample), 37)]
    tail = parts.flush()
    pos = [c.positions.drop_columns(["ts"]) for c in chunks]
    import pyarrow as pa

    assert pa.concat_tables(pos).equals(a.positions.drop_columns(["ts"]))
    n_rej = sum(c.rejects.num_rows for c in chunks) + tail.rejects.num_rows
    assert n_rej == a.rejects.num_rows + a_tail.rejects.num_rows
