"""CSV import: MarineCadastre (real sample), Danish Maritime Authority (fixture written here), custom
column mappings; bad rows become rejects with reasons; chunked streaming."""

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from shadowfleet.ais.csv_import import ColumnMapping, read_csv, sniff_csv_format
from shadowfleet.ais.decoder import DecodeResult

MC = "marinecadastre-2022-01-03-sample/AIS_2022_01_03_first99999.csv"


def _concat(results: list[DecodeResult]) -> tuple[pa.Table, pa.Table, pa.Table, dict[str, int]]:
    counts: dict[str, int] = {}
    for r in results:
        for k, v in r.counts.items():
            counts[k] = counts.get(k, 0) + v
    return (
        pa.concat_tables([r.positions for r in results]),
        pa.concat_tables([r.statics for r in results]),
        pa.concat_tables([r.rejects for r in results]),
        counts,
    )


def test_marinecadastre_sample(shared_data: Path) -> None:
    path = shared_data / MC
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    bad_mmsi = [r for r in rows if not (r["MMSI"].isdigit() and 1 <= int(r["MMSI"]) <= 999_999_999)]
    positions, statics, rejects, counts = _concat(list(read_csv(path, chunk_rows=25_000)))
    assert counts["rows"] == len(rows) == 99_999
    assert positions.num_rows == len(rows) - len(bad_mmsi)
    assert rejects.num_rows == len(bad_mmsi)
    assert set(rejects.column("reason").to_pylist()) == {"invalid_field:mmsi"}
    first_bad = rows.index(bad_mmsi[0]) + 2  # header is line 1
    assert rejects.column("line_no").to_pylist()[0] == first_bad
    # spot-check one row against the file, field by field
    row = rows[1]  # EAGLE, IMO8207721, class A
    got = positions.slice(1, 1).to_pylist()[0]
    assert (
        got["mmsi"] == int(row["MMSI"])
        and got["lat"] == float(row["LAT"])
        and got["lon"] == float(row["LON"])
    )
    assert got["ts"] == datetime.fromisoformat(row["BaseDateTime"]).replace(tzinfo=UTC)
    assert got["cog_deg"] == float(row["COG"]) and got["heading_deg"] is None  # Heading 511 = not available
    assert got["msg_type"] == 1 and got["ts_origin"] == "csv" and got["nav_status"] == int(row["Status"])
    eagle = next(s for s in statics.to_pylist() if s["mmsi"] == int(row["MMSI"]))
    assert eagle["imo"] == 8207721 and eagle["name"] == "EAGLE" and eagle["callsign"] == "WTD4583"
    assert (
        eagle["ship_type"] == 31
        and eagle["length_m"] == 28
        and eagle["beam_m"] == 11
        and eagle["draught_m"] == 3.3
    )

    # a static row whenever a vessel's static fields change from its previous row (A, A, B, A -> A, B, A)
    def norm(r: dict[str, str]) -> tuple[str, ...]:
        nums = tuple(
            "" if r[k] in ("", "0", "0.0") else str(float(r[k]))
            for k in ("VesselType", "Length", "Width", "Draft")
        )
        return (
            r["VesselName"].strip(),
            "" if r["IMO"] in ("", "IMO0000000") else r["IMO"],
            r["CallSign"].strip(),
            *nums,
        )

    last: dict[str, tuple[str, ...]] = {}
    changes = 0
    for r in rows:
        if r in bad_mmsi or not any(norm(r)):
            continue
        if last.get(r["MMSI"]) != norm(r):
            last[r["MMSI"]] = norm(r)
            changes += 1
    assert statics.num_rows == changes
    assert len(set(statics.column("mmsi").to_pylist())) == len(last)
    # MarineCadastre's IMO0000000 means no IMO
    assert 0 not in statics.column("imo").drop_null().to_pylist()


DMA_HEADER = (
    "# Timestamp,Type of mobile,MMSI,Latitude,Longitude,Navigational status,ROT,SOG,COG,Heading,IMO,"
    "Callsign,Name,Ship type,Cargo type,Width,Length,Type of position fixing device,Draught,Destination,"
    "ETA,Data source type,A,B,C,D"
)
DMA_ROWS = [
    "01/03/2024 00:00:00,Class A,219000001,55.676100,12.568300,Under way using engine,0.0,12.3,45.6,44,"
    "9123456,OXAB2,NORDIC TANKER,Tanker,Category X,32,183,GPS,10.5,FREDERICIA,03/03/2024 06:00:00,AIS,150,33,16,16",
    "01/03/2024 00:00:05,Class A,219000001,55.676200,12.568400,Under way using engine,,12.4,45.0,,"
    "9123456,OXAB2,NORDIC TANKER,Tanker,Category X,32,183,GPS,10.5,FREDERICIA,03/03/2024 06:00:00,AIS,150,33,16,16",
    "01/03/2024 00:00:07,Class B,219000002,91.000000,181.000000,Unknown value,,,,,Unknown,,SMALL ONE,Pleasure,,3,10,"
    "Undefined,,,,AIS,,,,",
    "01/03/2024 00:00:09,Base Station,2190047,55.7,12.6,Unknown value,,,,,Unknown,,,Undefined,,,,Surveyed,,,,AIS,,,,",
    "01/03/2024 00:00:10,Class A,219000003,56.1,10.2,Restricted manoeuverability,,3.0,181.0,180,"
    "Unknown,OXCD3,DREDGER,Dredging,,12,80,GPS,4.0,,,AIS,40,40,6,6",
    "31/02/2024 00:00:11,Class A,219000004,56.1,10.2,Moored,,0,0,0,Unknown,,,Cargo,,,,GPS,,,,AIS,,,,",
    "01/03/2024 00:00:12,Class A,0,56.1,10.2,Moored,,0,0,0,Unknown,,,Cargo,,,,GPS,,,,AIS,,,,",
    "01/03/2024 00:00:13,Class A,219000005,97.5,10.2,Moored,,0,0,0,Unknown,,,Cargo,,,,GPS,,,,AIS,,,,",
    "01/03/2024 00:00:14,Class A,219000006,56.1",
]


def _dma_bytes() -> bytes:
    return ("\n".join([DMA_HEADER, *DMA_ROWS]) + "\n").encode()


def test_sniff_formats(shared_data: Path) -> None:
    assert sniff_csv_format((shared_data / MC).read_bytes()[:500]) == "marinecadastre"
    assert sniff_csv_format(_dma_bytes()) == "dma"
    with pytest.raises(ValueError, match=r"unrecognised CSV header.*columns: a, b"):
        sniff_csv_format(b"a,b\n1,2\n")


def test_dma_format() -> None:
    positions, statics, rejects, counts = _concat(list(read_csv(io.BytesIO(_dma_bytes()), source="dma.csv")))
    reasons = dict(
        zip(rejects.column("line_no").to_pylist(), rejects.column("reason").to_pylist(), strict=True)
    )
    assert reasons == {
        7: "invalid_field:ts",
        8: "invalid_field:mmsi",
        9: "invalid_field:lat",
        10: "bad_csv_row",
    }
    assert counts["skipped_not_vessel"] == 1  # the base station row
    rows = positions.to_pylist()
    assert [r["mmsi"] for r in rows] == [219000001, 219000001, 219000003]  # 219000002 has no position
    first = rows[0]
    assert first["ts"] == datetime(2024, 3, 1, 0, 0, tzinfo=UTC)
    assert (
        first["nav_status"] == 0
        and first["sog_kn"] == 12.3
        and first["heading_deg"] == 44
        and first["rot_deg_min"] == 0
    )
    assert rows[2]["nav_status"] == 3 and rows[2]["cog_deg"] == 181.0 and rows[2]["msg_type"] == 1
    st = {r["mmsi"]: r for r in statics.to_pylist()}
    assert set(st) == {219000001, 219000002, 219000003}  # the repeated tanker row adds no second static
    tanker = st[219000001]
    assert tanker["imo"] == 9123456 and tanker["ship_type"] == 81  # Tanker + Category X -> 81
    assert tanker["beam_m"] == 32 and tanker["length_m"] == 183 and tanker["draught_m"] == 10.5
    assert tanker["eta"] == datetime(2024, 3, 3, 6, 0, tzinfo=UTC) and tanker["destination"] == "FREDERICIA"
    assert (
        st[219000002]["ship_type"] == 37 and st[219000002]["imo"] is None and st[219000002]["msg_type"] == 18
    )
    assert st[219000003]["ship_type"] == 33


def test_custom_mapping_and_epoch_times(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text(
        "id,time,y,x,speed\n211000001,1714560000,54.1,10.5,7.5\nnot-a-number,1714560001,54.2,10.6,7.0\n"
    )
    mapping = ColumnMapping.parse("mmsi=id,ts=time,lat=y,lon=x,sog_kn=speed", ts_format="epoch_s")
    positions, _, rejects, _ = _concat(list(read_csv(path, mapping=mapping, simulated=True)))
    assert positions.to_pylist()[0]["ts"] == datetime.fromtimestamp(1714560000, UTC)
    assert positions.column("simulated").to_pylist() == [True]
    assert rejects.to_pylist()[0]["reason"] == "invalid_field:mmsi" and rejects.to_pylist()[0]["line_no"] == 3


def test_mapping_errors_name_the_problem(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown field"):
        ColumnMapping.parse("mmsi=id,ts=t,speed=s")
    with pytest.raises(ValueError, match="lacks required"):
        ColumnMapping.parse("mmsi=id")
    path = tmp_path / "x.csv"
    path.write_text("id,t\n1,2\n")
    with pytest.raises(ValueError, match="lacks column"):
        list(read_csv(path, mapping=ColumnMapping.parse("mmsi=id,ts=time")))


def test_empty_csv(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    results = list(read_csv(path))
    assert sum(r.positions.num_rows + r.rejects.num_rows for r in results) == 0


def test_streams_in_chunks(shared_data: Path) -> None:
    chunks = list(read_csv(shared_data / MC, chunk_rows=5_000))
    assert len(chunks) >= 10
    assert max(c.counts.get("rows", 0) for c in chunks) < 20_000


def test_identity_changes_are_kept_in_order(tmp_path: Path) -> None:
    path = tmp_path / "names.csv"
    rows = ["id,time,y,x,vessel"] + [
        f"211000001,{1714560000 + i},54.1,10.5,{name}"
        for i, name in enumerate(["ALPHA", "ALPHA", "BRAVO", "ALPHA"])
    ]
    path.write_text("\n".join(rows) + "\n")
    mapping = ColumnMapping.parse("mmsi=id,ts=time,lat=y,lon=x,name=vessel", ts_format="epoch_s")
    for chunk_rows in (1, 1000):
        statics = pa.concat_tables(
            [r.statics for r in read_csv(path, mapping=mapping, chunk_rows=chunk_rows)]
        )
        assert statics.column("name").to_pylist() == ["ALPHA", "BRAVO", "ALPHA"]
