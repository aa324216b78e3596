"""Input discovery: folders, globs, gzip, NMEA/CSV sniffing, bounded deterministic chunks."""

import gzip
import io

from shadowfleet.ais.inputs import expand_inputs, iter_line_chunks, open_input, read_head, sniff_kind


def test_expand_folders_globs_and_errors(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.nmea").write_bytes(b"!AIVDM\n")
    (tmp_path / "a" / "deep").mkdir()
    (tmp_path / "a" / "deep" / "y.nmea.gz").write_bytes(gzip.compress(b"!AIVDM\n"))
    (tmp_path / "a" / ".hidden").write_bytes(b"x")
    (tmp_path / "empty").mkdir()
    out = expand_inputs(
        [
            str(tmp_path / "a"),
            str(tmp_path / "a" / "x.nmea"),  # named twice: ingested once
            str(tmp_path / "**" / "*.gz"),
            str(tmp_path / "missing.nmea"),
            str(tmp_path / "*.csv"),
            str(tmp_path / "empty"),
            "tcp://127.0.0.1:18100",
        ]
    )
    assert [p.relative_to(tmp_path).as_posix() for p in out.files] == ["a/deep/y.nmea.gz", "a/x.nmea"]
    assert out.live == ["tcp://127.0.0.1:18100"]
    assert len(out.errors) == 3
    assert any("missing.nmea: no such file" in e for e in out.errors)
    assert any("no file matches" in e for e in out.errors)
    assert any("folder has no files" in e for e in out.errors)


def test_gzip_by_magic_not_by_name(tmp_path):
    body = b"".join(b"!AIVDM,1,1,,A,line%d,0*00\r\n" % i for i in range(1000))
    disguised = tmp_path / "log.txt"
    disguised.write_bytes(gzip.compress(body))
    opened = open_input(disguised)
    assert opened.compressed
    assert opened.stream.read() == body
    assert opened.counter.bytes_read == disguised.stat().st_size
    opened.close()
    assert read_head(disguised, 10) == body[:10]


def test_sniff_kind():
    assert sniff_kind(b"# comment\n!AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0*24\n") == "nmea"
    assert sniff_kind(b"\\s:rORBCOMM,c:1241544035*4A\\!AIVDM,1,1,,B,x,0*00\n") == "nmea"
    assert sniff_kind(b"MMSI,BaseDateTime,LAT,LON\n338148873,2022-01-03T00:00:00,33.6,-117.9\n") == "csv"
    assert sniff_kind(b"# Timestamp;Type of mobile;MMSI;Latitude\n01/01/2024 00:00:00;Class A;1;2\n") == "csv"
    assert (
        sniff_kind(b"\x00\xff\xfe garbage \x01") == "nmea"
    )  # read as NMEA: every line rejected with a reason
    assert sniff_kind(b"") == "nmea"


def test_chunks_are_bounded_and_independent_of_buffering():
    lines = [b"line %d\n" % i for i in range(10_007)]
    chunks = list(iter_line_chunks(io.BytesIO(b"".join(lines)), 1000))
    assert [len(c) for c in chunks] == [1000] * 10 + [7]
    assert [ln for c in chunks for ln in c] == lines
    assert list(iter_line_chunks(io.BytesIO(b""), 1000)) == []


def test_file_has_ais_finds_any_talker_prefix_and_a_sentence_cut_by_a_scan_block(tmp_path, monkeypatch):
    from shadowfleet.ais import inputs

    sentences = [
        b"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A",
        b"!BSVDO,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A",
        b"\\s:rORBCOMM,c:1241544035*4A\\!ABVDM,1,1,,B,x,0*00",
        b"2024-05-01 12:00:00 $AIVDM,1,1,,A,x,0*00",
    ]
    prose = b"Permission is hereby granted, free of charge, to any person obtaining a copy\n" * 2_000
    for k, sentence in enumerate(sentences):
        path = tmp_path / f"log{k}.txt"
        path.write_bytes(prose + sentence + b"\n")
        assert inputs.file_has_ais(path, read_head(path))  # found past the head
    not_ais = tmp_path / "gps.nmea"
    not_ais.write_bytes(b"$GPGGA,213950.00,5250.53669,N,00542.34920,E,1,09,1.03,-6.0,M,45.8,M,,*7B\n" + prose)
    assert not inputs.file_has_ais(not_ais, read_head(not_ais))
    gz = tmp_path / "gps.nmea.gz"
    gz.write_bytes(gzip.compress(not_ais.read_bytes() + sentences[0]))
    assert inputs.file_has_ais(gz, read_head(gz))

    monkeypatch.setattr(inputs, "AIS_SCAN_BYTES", 1_000)  # small scan blocks: cut a sentence start
    for cut in range(1, 8):
        path = tmp_path / f"cut{cut}.txt"
        path.write_bytes(b"x" * (2_000 - cut) + sentences[0] + b"\n")
        assert inputs.file_has_ais(path, b"")
