"""The vectorised path and the general path give identical tables on every corpus and on the traffic mix."""

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from shadowfleet.ais.decoder import DecodeResult, NmeaDecoder
from shadowfleet.ais.encode import traffic_mix
from tests.ais.test_differential import CORPORA

CLOCK = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def _run(lines: list[bytes], fast: bool, chunk: int) -> tuple[pa.Table, pa.Table, set[int], dict[str, int]]:
    dec = NmeaDecoder("eq", clock=lambda: CLOCK, fast_path=fast)
    results: list[DecodeResult] = [dec.feed(lines[i : i + chunk], i + 1) for i in range(0, len(lines), chunk)]
    results.append(dec.flush())
    counts: dict[str, int] = {}
    for r in results:
        for k, v in r.counts.items():
            if k != "fast_path":
                counts[k] = counts.get(k, 0) + v
    rejected = {n for r in results for n in r.rejects.column("line_no").to_pylist()}
    return (
        pa.concat_tables([r.positions for r in results]),
        pa.concat_tables([r.statics for r in results]),
        rejected,
        counts,
    )


def _assert_same(lines: list[bytes], chunk: int) -> int:
    fast = _run(lines, True, chunk)
    slow = _run(lines, False, chunk)
    assert fast[0].equals(slow[0])
    assert fast[1].equals(slow[1])
    assert fast[2] == slow[2]
    assert fast[3] == slow[3]
    return fast[0].num_rows + fast[1].num_rows


@pytest.mark.parametrize("corpus", CORPORA)
def test_real_corpora(shared_data: Path, corpus: str) -> None:
    lines = (shared_data / corpus).read_bytes().split(b"\n")
    _assert_same(lines, chunk=10_000)


def test_traffic_mix_in_chunks() -> None:
    lines = traffic_mix(60_000, seed=11)
    rows = _assert_same(lines, chunk=7_001)  # odd chunk size: two-part messages split across calls
    assert rows > 55_000


def test_superseded_and_split_fragments() -> None:
    frag1 = b"!AIVDM,2,1,3,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1E"
    frag2 = b"!AIVDM,2,2,3,A,88888888880,2*27"
    pos = b"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A"
    lines = [frag1, pos, frag1, frag2, frag2, pos, frag1, pos, frag2, frag1]
    for chunk in (1, 2, 3, 4, 10):
        _assert_same(lines, chunk)


def test_random_fragment_sequences() -> None:
    """Random orders of fragments (two keys, orphans, duplicates, late first parts) in random batch sizes."""
    import numpy as np

    f1 = b"!AIVDM,2,1,3,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1E"
    f2 = b"!AIVDM,2,2,3,A,88888888880,2*27"
    g1 = b"!AIVDM,2,1,4,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*19"
    g2 = b"!AIVDM,2,2,4,A,88888888880,2*20"
    pos = b"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A"
    pool = [f1, f2, g1, g2, pos, f1, f2, g1, g2]
    rng = np.random.default_rng(5)
    for _ in range(150):
        lines = [pool[i] for i in rng.integers(0, len(pool), int(rng.integers(2, 30)))]
        _assert_same(lines, int(rng.integers(1, 12)))


def test_tagged_lines() -> None:
    """Tag blocks of every flavour in front of the traffic mix: c: in s and ms, s:, i:SIMULATED, no c:,
    no checksum, bad checksum, g: groups, non-ASCII, malformed fields."""
    import numpy as np

    from shadowfleet.ais.nmea import nmea_checksum

    rng = np.random.default_rng(9)
    lines = traffic_mix(20_000, seed=4)
    out = []
    for i, line in enumerate(lines):
        kind = int(rng.integers(0, 10))
        t = 1_700_000_000 + i
        bodies = [
            b"s:r1,c:%d" % t,
            b"c:%d000,s:r2,i:SIMULATED" % t,
            b"s:r3",
            b"c:%d,i:simulated" % t,
            b"g:1-1-%d,c:%d" % (i, t),
            b"c:abc",
            b"s\xe9:x",
            b"c:%d,,s:r4" % t,
        ]
        if kind < len(bodies):
            body = bodies[kind]
            cs = nmea_checksum(body) ^ (1 if rng.random() < 0.05 else 0)
            out.append(b"\\%s*%02X\\%s" % (body, cs, line))
        elif kind == 8:
            out.append(b"\\s:r5,c:%d\\%s" % (t, line))  # no tag block checksum
        else:
            out.append(line)
    rows = _assert_same(out, chunk=3_000)
    assert rows > 10_000


@pytest.mark.parametrize("corpus", CORPORA)
def test_feed_buffer_equals_feed(shared_data: Path, corpus: str) -> None:
    data = (shared_data / corpus).read_bytes()
    lines = data.split(b"\n")
    if data.endswith(b"\n"):
        lines = lines[:-1]  # the buffer API does not count an empty line after the last newline
    a = NmeaDecoder("b", clock=lambda: CLOCK).feed(lines, 1)
    b = NmeaDecoder("b", clock=lambda: CLOCK).feed_buffer(data, 1)
    assert a.positions.equals(b.positions) and a.statics.equals(b.statics) and a.rejects.equals(b.rejects)
    assert a.counts == b.counts


def test_feed_buffer_crlf_and_no_final_newline() -> None:
    lines = traffic_mix(5_000, seed=3)
    data = b"\r\n".join(lines)  # CR LF, and no newline after the last line
    a = NmeaDecoder("b", clock=lambda: CLOCK).feed(lines, 1)
    b = NmeaDecoder("b", clock=lambda: CLOCK).feed_buffer(data, 1)
    assert a.positions.equals(b.positions) and a.statics.equals(b.statics)
    assert b.counts["lines"] == len(lines) and b.rejects.num_rows == 0


def test_trailer_lines() -> None:
    """USCG-style trailers of every flavour, alone and after tag blocks, on the traffic mix."""
    import numpy as np

    from shadowfleet.ais.nmea import nmea_checksum

    rng = np.random.default_rng(12)
    out = []
    for i, line in enumerate(traffic_mix(20_000, seed=8)):
        t = 1_325_394_060 + i
        trailers = [
            b",r003669946,%d" % t,
            b",b003660465",
            b",s36310,d-081,T59.01777335",
            b",d-109,S2105,t050056.00,T56.13718694,r003669946,%d,%d" % (t, t - 59),
            b",r1,%d000" % t,
            b",,",
            b"junk",
        ]
        kind = int(rng.integers(0, len(trailers) + 2))
        if kind < len(trailers):
            line = line + trailers[kind]
        if rng.random() < 0.3:
            body = b"s:tag%d,c:%d" % (i % 3, t + 5) if rng.random() < 0.5 else b"i:SIMULATED"
            line = b"\\%s*%02X\\%s" % (body, nmea_checksum(body), line)
        out.append(line)
    rows = _assert_same(out, chunk=2_500)
    assert rows > 15_000


def test_tagged_and_trailer_fragment_pairs() -> None:
    """Two-part messages whose fragments carry tag blocks or trailers: stations shared by runs of lines,
    receive times on some fragments only, i:SIMULATED on some, stations changing mid-message."""
    import numpy as np

    from shadowfleet.ais.nmea import nmea_checksum

    rng = np.random.default_rng(21)
    out = []
    for i, line in enumerate(traffic_mix(30_000, seed=13)):
        station = b"r%d" % (i // 40)
        t = 1_600_000_000 + i
        if rng.random() < 0.5:
            fields = [b"s:" + station]
            if rng.random() < 0.7:
                fields.append(b"c:%d" % t)
            if rng.random() < 0.5:
                fields.append(b"i:SIMULATED")
            body = b",".join(fields)
            out.append(b"\\%s*%02X\\%s" % (body, nmea_checksum(body), line))
        elif rng.random() < 0.6:
            out.append(line + b"," + station + (b",%d" % t if rng.random() < 0.7 else b""))
        else:
            out.append(line)
    for chunk in (997, 4_001):
        rows = _assert_same(out, chunk=chunk)
        assert rows > 25_000


def test_line_endings_kept_by_readlines() -> None:
    """Lines as readlines() gives them (LF or CR LF kept) decode exactly like stripped lines."""
    lines = traffic_mix(10_000, seed=17)
    ending = [b"\n", b"\r\n", b"", b"\r\n\x1a"]
    raw = [line + ending[i % len(ending)] for i, line in enumerate(lines)]
    a = NmeaDecoder("e", clock=lambda: CLOCK).feed(lines, 1)
    b = NmeaDecoder("e", clock=lambda: CLOCK).feed(raw, 1)
    assert a.positions.equals(b.positions) and a.statics.equals(b.statics)
    assert a.counts == b.counts and b.rejects.num_rows == 0


def test_random_fragment_sequences_with_stations() -> None:
    """As above, with fragments carrying a station (tag block s: or USCG trailer) or none: fragments
    whose station is known on one side only are joined, different known stations are not."""
    import numpy as np

    from shadowfleet.ais.nmea import nmea_checksum

    f1 = b"!AIVDM,2,1,3,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1E"
    f2 = b"!AIVDM,2,2,3,A,88888888880,2*27"
    pos = b"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A"

    def with_station(line: bytes, kind: int, t: int) -> bytes:
        if kind == 1:
            return line + b",rA,%d" % t
        if kind == 2:
            return line + b",rB"
        if kind == 3:
            body = b"s:rA,c:%d" % t
            return b"\\%s*%02X\\%s" % (body, nmea_checksum(body), line)
        return line

    rng = np.random.default_rng(6)
    for _ in range(200):
        n = int(rng.integers(2, 25))
        lines = [
            with_station([f1, f2, pos][int(rng.integers(0, 3))], int(rng.integers(0, 4)), 1_600_000_000 + i)
            for i in range(n)
        ]
        _assert_same(lines, int(rng.integers(1, 9)))


def test_fragment_with_and_without_trailer_are_joined(shared_data: Path) -> None:
    """gpsd's sample has a type 8 whose second fragment alone carries a trailer; gpsd decodes it."""
    lines = (shared_data / "gpsd-ais/test/sample.aivdm").read_bytes().split(b"\n")
    dec = NmeaDecoder("gpsd", keep_messages=True)
    messages = dec.feed(lines, 1).messages or []
    assert dec.flush().rejects.num_rows == 0
    joined = [m for m in messages if m["line_no"] == 266]
    assert len(joined) == 1 and joined[0]["type"] == 8 and joined[0]["mmsi"] == 999999999
