"""Bad and unusual input: every unusable line gives exactly one reject with a reason, good lines around
it still decode, nothing crashes."""

from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from shadowfleet.ais.decoder import NmeaDecoder
from shadowfleet.ais.encode import BitMatrix, armour, field_offsets, sentences
from shadowfleet.ais.layouts import LAYOUTS
from shadowfleet.ais.nmea import build_sentence, nmea_checksum

GOOD = b"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A"  # gpsd sample: type 1, MMSI 371798000
GOOD_18 = b"!AIVDM,1,1,,A,B52K>;h00Fc>jpUlNV@ikwpUoP06,0*4C"
TYPE5 = [
    b"!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C",
    b"!AIVDM,2,2,1,A,88888888880,2*25",
]
FIXED_CLOCK = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def decode(lines: list[bytes], **kwargs: object) -> tuple[dict[str, int], list[tuple[int, str]], NmeaDecoder]:
    dec = NmeaDecoder("test", clock=lambda: FIXED_CLOCK, **kwargs)  # type: ignore[arg-type]
    a = dec.feed(lines, 1)
    b = dec.flush()
    rejects = list(
        zip(a.rejects.column("line_no").to_pylist(), a.rejects.column("reason").to_pylist(), strict=True)
    )
    rejects += list(
        zip(b.rejects.column("line_no").to_pylist(), b.rejects.column("reason").to_pylist(), strict=True)
    )
    counts = dict(a.counts)
    counts["_positions"] = a.positions.num_rows
    counts["_statics"] = a.statics.num_rows
    return counts, rejects, dec


def test_binary_garbage_between_good_lines() -> None:
    rng = np.random.default_rng(3)
    garbage = [
        rng.integers(0, 256, int(rng.integers(1, 200)), dtype=np.uint8).tobytes().replace(b"\n", b"")
        for _ in range(300)
    ]
    garbage = [g for g in garbage if g.strip(b" \t\r\n\x00\x1a")]
    lines = []
    for g in garbage:
        lines += [GOOD, g]
    counts, rejects, _ = decode(lines)
    assert counts["_positions"] == len(garbage)
    assert len(rejects) == len(garbage)
    assert {line_no for line_no, _ in rejects} == set(range(2, 2 * len(garbage) + 1, 2))


def test_truncated_lines_each_rejected_once() -> None:
    cuts = [GOOD[:k] for k in range(1, len(GOOD) - 1)]
    lines = [GOOD, *cuts, GOOD]
    counts, rejects, _ = decode(lines)
    assert counts["_positions"] == 2
    assert len(rejects) == len(cuts)
    assert {r for _, r in rejects} <= {"not_nmea", "truncated", "bad_checksum", "not_ais"}


def test_wrong_checksum() -> None:
    body = GOOD[1 : GOOD.index(b"*")]
    bad = b"!%s*%02X" % (body, nmea_checksum(body) ^ 0x55)
    counts, rejects, _ = decode([bad, GOOD, bad.lower()])
    assert rejects == [(1, "bad_checksum"), (3, "bad_checksum")]
    assert counts["_positions"] == 1


def test_payload_character_outside_the_armour() -> None:
    line = build_sentence(b"15RTgt0PAso;90TKcjM8h6g2{8CQ", 0)
    _, rejects, _ = decode([line])
    assert rejects == [(1, "bad_payload")]


def _type1_line(**raw: int) -> bytes:
    layout = LAYOUTS[1]
    bm = BitMatrix(1, 168)
    offsets = field_offsets(layout)
    bm.put(*offsets["type"], 1)
    bm.put(*offsets["mmsi"], 211_000_000)
    for name, value in raw.items():
        offset, width = offsets[name]
        bm.put(offset, width, value & ((1 << width) - 1))
    chars, fill = armour(bm.bits)
    return sentences(chars, fill)[0]


def test_impossible_values_rejected_or_nulled_never_wrong_numbers() -> None:
    lines = [
        _type1_line(lat=100 * 600_000, lon=0),  # latitude off the Earth: reject
        _type1_line(lat=0, lon=-200 * 600_000),  # longitude off the Earth: reject
        _type1_line(
            lat=91 * 600_000, lon=181 * 600_000, speed=1023, course=3600, heading=511, turn=-128, status=15
        ),
        _type1_line(lat=600_000, lon=600_000, course=4000, heading=400),  # impossible course/heading: null
    ]
    dec = NmeaDecoder("t", clock=lambda: FIXED_CLOCK)
    res = dec.feed(lines, 1)
    assert res.rejects.column("reason").to_pylist() == ["invalid_field:lat", "invalid_field:lon"]
    rows = res.positions.to_pylist()
    assert len(rows) == 2
    na = rows[0]
    assert [
        na[k] for k in ("lat", "lon", "sog_kn", "cog_deg", "heading_deg", "rot_deg_min", "nav_status")
    ] == [None] * 7
    assert rows[1]["lat"] == 1.0 and rows[1]["cog_deg"] is None and rows[1]["heading_deg"] is None
    assert res.counts["nulled:cog_deg"] == 1 and res.counts["nulled:heading_deg"] == 1


def test_orphan_and_expired_fragments() -> None:
    lines = [TYPE5[1], *[GOOD] * 7, TYPE5[0], *[GOOD] * 7, TYPE5[0], TYPE5[1]]
    counts, rejects, _ = decode(lines, max_fragment_lines=5)
    # line 1: second fragment whose first did not come within 5 lines (a late first fragment may)
    # line 9: first fragment whose partner did not come within 5 lines
    assert sorted(rejects) == [(1, "fragment_expired"), (9, "fragment_expired")]
    assert counts["_statics"] == 1 and counts["_positions"] == 14


def test_incomplete_multipart_at_end_of_stream() -> None:
    counts, rejects, _ = decode([GOOD, TYPE5[0]])
    assert rejects == [(2, "incomplete_multipart")]
    assert counts["_positions"] == 1


def test_interleaved_and_out_of_order_fragments() -> None:
    other = [line.replace(b",1,A,", b",2,A,") for line in TYPE5]
    other = [
        build_sentence(*_payload_fill(line), total=2, number=n, seq_id=b"2")
        for n, line in enumerate(other, 1)
    ]
    lines = [
        TYPE5[0],
        other[0],
        GOOD,
        TYPE5[1],
        other[1],
        TYPE5[1],
        TYPE5[0],
    ]  # last pair: late first fragment
    counts, rejects, _ = decode(lines)
    assert rejects == []
    assert counts["_statics"] == 3


def _payload_fill(line: bytes) -> tuple[bytes, int]:
    fields = line.split(b"*")[0].split(b",")
    return fields[5], int(fields[6])


def test_multipart_spanning_feed_calls() -> None:
    dec = NmeaDecoder("t", clock=lambda: FIXED_CLOCK)
    a = dec.feed([GOOD, TYPE5[0]], 1)
    b = dec.feed([TYPE5[1], GOOD], 3)
    assert a.statics.num_rows == 0 and b.statics.num_rows == 1
    assert dec.flush().rejects.num_rows == 0


def test_empty_file_and_blank_lines() -> None:
    counts, rejects, _ = decode([])
    assert rejects == [] and counts["_positions"] == 0
    counts, rejects, _ = decode([b"", b"\r", b"  ", b"\x1a"])
    assert rejects == [] and counts["blank_lines"] == 4


def test_file_that_is_not_nmea(shared_data: Path) -> None:
    text = (shared_data / "README.md").read_bytes().split(b"\n")
    counts, rejects, _ = decode(text)
    non_blank = [line for line in text if line.strip() and not line.startswith(b"#")]
    assert len(rejects) == len(non_blank)
    assert {r for _, r in rejects} <= {"not_nmea", "bad_tag_block", "not_ais", "truncated"}
    assert counts["_positions"] == 0


def test_crlf_eof_marker_and_non_utf8() -> None:
    lines = [GOOD + b"\r\n", GOOD + b"\x1a", b"\xff\xfe" + GOOD, GOOD + b"\xe9"]
    counts, rejects, _ = decode(lines)
    # bytes after a valid checksum cannot change the sentence: decoded, counted as "trailer_ignored"
    assert counts["_positions"] == 3 and counts["trailer_ignored"] == 1
    assert rejects == [(3, "not_nmea")]


def test_receive_times_and_their_origin() -> None:
    tag = b"s:rORBCOMM1,c:1418169601,i:SIMULATED"
    tag_ms = b"c:1418169601500"
    trailer = GOOD + b",r003669946,1325394060"
    lines = [
        b"\\%s*%02X\\%s" % (tag, nmea_checksum(tag), GOOD),
        b"\\%s*%02X\\%s" % (tag_ms, nmea_checksum(tag_ms), GOOD),
        trailer,
        b"$PGHP,1,2008,5,9,0,0,0,10,338,2,,1,09*17",
        GOOD,
        GOOD,
    ]
    res = NmeaDecoder("t", clock=lambda: FIXED_CLOCK).feed(lines, 1)
    rows = res.positions.to_pylist()
    assert [r["ts_origin"] for r in rows] == ["tagblock", "tagblock", "trailer", "gatehouse", "clock"]
    assert rows[0]["ts"] == datetime.fromtimestamp(1418169601, UTC)
    assert rows[0]["simulated"] is True and rows[0]["receiver"] == "rORBCOMM1"
    assert rows[1]["ts"] == datetime.fromtimestamp(1418169601.5, UTC)
    assert rows[2]["ts"] == datetime.fromtimestamp(1325394060, UTC) and rows[2]["receiver"] == "r003669946"
    assert rows[3]["ts"] == datetime(2008, 5, 9, 0, 0, 0, 10_000, tzinfo=UTC)
    assert rows[4]["ts"] == FIXED_CLOCK and rows[4]["simulated"] is False


def test_bad_tag_block_checksum() -> None:
    tag = b"c:1418169601"
    _, rejects, _ = decode([b"\\%s*%02X\\%s" % (tag, nmea_checksum(tag) ^ 1, GOOD)])
    assert rejects == [(1, "bad_tag_block")]


def test_group_tag_block_lines_share_the_first_line_time() -> None:
    g1 = b"g:1-2-77,s:r1,c:1418169601"
    g2 = b"g:2-2-77"
    lines = [
        b"\\%s*%02X\\%s" % (g1, nmea_checksum(g1), TYPE5[0]),
        GOOD,
        b"\\%s*%02X\\%s" % (g2, nmea_checksum(g2), TYPE5[1]),
    ]
    res = NmeaDecoder("t", clock=lambda: FIXED_CLOCK).feed(lines, 1)
    row = res.statics.to_pylist()[0]
    assert row["ts_origin"] == "tagblock" and row["receiver"] == "r1"
    assert row["ts"] == datetime.fromtimestamp(1418169601, UTC)


def test_simulated_source_and_other_talkers() -> None:
    lines = [GOOD.replace(b"!AIVDM", b"!ABVDM"), GOOD_18]
    lines = [
        build_sentence(*_payload_fill(line), talker=t) for line, t in zip(lines, (b"AB", b"BS"), strict=True)
    ]
    res = NmeaDecoder("sim", simulated=True, clock=lambda: FIXED_CLOCK).feed(lines, 1)
    assert res.positions.column("simulated").to_pylist() == [True, True]
    assert res.positions.column("msg_type").to_pylist() == [1, 18]


def _type_payload(msg_type: int, n_chars: int = 28) -> bytes:
    """An armoured payload whose first 6 bits are `msg_type` (the rest zero bits)."""
    first = msg_type + 48 if msg_type < 40 else msg_type + 56
    return bytes([first]) + b"0" * (n_chars - 1)


def test_message_ids_outside_itu_1_to_27_are_undefined_message_types() -> None:
    lines = [GOOD, *(build_sentence(_type_payload(t), 0) for t in (0, 28, 40, 63)), GOOD]
    counts, rejects, _ = decode(lines)
    assert counts["_positions"] == 2
    assert rejects == [(k, "undefined_message_type") for k in (2, 3, 4, 5)]
    assert counts["rejects:undefined_message_type"] == 4
