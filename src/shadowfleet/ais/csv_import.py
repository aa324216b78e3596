"""CSV import: MarineCadastre (NOAA/BOEM), Danish Maritime Authority, or any CSV with a column mapping.

Each chunk of rows becomes a DecodeResult: one position row per row with coordinates, one static row
whenever a vessel's static fields (name, IMO, call sign, type, dimensions, draught, destination, ETA)
differ from the last ones this reader emitted for that MMSI, and one reject row per unusable row.
Memory is bounded by the chunk size (plus one small entry per MMSI for the static de-duplication).
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from shadowfleet.ais.csv_vocab import nav_status_code, ship_type_code
from shadowfleet.ais.decoder import DecodeResult
from shadowfleet.model.schemas import POSITION_SCHEMA, REJECT_SCHEMA, STATIC_SCHEMA

# Fields a mapping may name. `mobile_class` holds the transceiver class ("A"/"B", DMA "Class A", ...);
# `cargo_type` the DMA cargo category text.
MAPPABLE_FIELDS = (
    "mmsi",
    "ts",
    "lat",
    "lon",
    "sog_kn",
    "cog_deg",
    "heading_deg",
    "rot_deg_min",
    "nav_status",
    "imo",
    "name",
    "callsign",
    "ship_type",
    "cargo_type",
    "length_m",
    "beam_m",
    "draught_m",
    "destination",
    "eta",
    "mobile_class",
)
REQUIRED_FIELDS = ("mmsi", "ts")
STATIC_FIELDS = (
    "imo",
    "name",
    "callsign",
    "ship_type",
    "length_m",
    "beam_m",
    "draught_m",
    "destination",
    "eta",
)

# msg_type given to CSV rows: the class the CSV states (1 = Class A, 18 = Class B, 9 = SAR aircraft),
# 0 when it does not say. Rows from base stations and aids to navigation are skipped (not vessels).
CLASS_MSG_TYPE = {"a": 1, "class a": 1, "b": 18, "class b": 18, "sar airborne": 9}
SKIPPED_CLASSES = {"base station", "aton"}

# An optional per-row `Simulated` column (any case), as shadowfleet's simulator writes: true rows are
# marked simulated whatever the format or mapping; empty means false; other values reject the row.
SIMULATED_COLUMN = "simulated"
SIMULATED_TRUE = {"true", "t", "1", "yes", "y"}
SIMULATED_FALSE = {"false", "f", "0", "no", "n"}


@dataclass(frozen=True)
class ColumnMapping:
    """Which CSV column holds which field, and how to read times.

    `ts_format`: "iso" (ISO 8601), "epoch_s", "epoch_ms", or a strptime format such as "%d/%m/%Y %H:%M:%S".
    Times without a zone are UTC. `text_codes`: nav_status and ship_type are text (DMA) rather than codes.
    """

    columns: dict[str, str]
    ts_format: str = "iso"
    text_codes: bool = False

    def __post_init__(self) -> None:
        unknown = sorted(set(self.columns) - set(MAPPABLE_FIELDS))
        if unknown:
            raise ValueError(
                f"unknown field(s) in column mapping: {', '.join(unknown)}; known: {', '.join(MAPPABLE_FIELDS)}"
            )
        missing = [f for f in REQUIRED_FIELDS if f not in self.columns]
        if missing:
            raise ValueError(f"column mapping lacks required field(s): {', '.join(missing)}")

    @classmethod
    def parse(cls, spec: str, *, ts_format: str = "iso", text_codes: bool = False) -> "ColumnMapping":
        """`"mmsi=MMSI,ts=time,lat=y,lon=x"` -> ColumnMapping."""
        columns: dict[str, str] = {}
        for item in spec.split(","):
            key, sep, column = item.partition("=")
            if not sep or not key.strip() or not column.strip():
                raise ValueError(f"bad column mapping item {item!r}; expected field=column")
            columns[key.strip()] = column.strip()
        return cls(columns, ts_format=ts_format, text_codes=text_codes)


MARINECADASTRE = ColumnMapping(
    {
        "mmsi": "MMSI",
        "ts": "BaseDateTime",
        "lat": "LAT",
        "lon": "LON",
        "sog_kn": "SOG",
        "cog_deg": "COG",
        "heading_deg": "Heading",
        "name": "VesselName",
        "imo": "IMO",
        "callsign": "CallSign",
        "ship_type": "VesselType",
        "nav_status": "Status",
        "length_m": "Length",
        "beam_m": "Width",
        "draught_m": "Draft",
        "mobile_class": "TransceiverClass",
    },
    ts_format="%Y-%m-%dT%H:%M:%S",
)

DMA = ColumnMapping(
    {
        "ts": "# Timestamp",
        "mobile_class": "Type of mobile",
        "mmsi": "MMSI",
        "lat": "Latitude",
        "lon": "Longitude",
        "nav_status": "Navigational status",
        "rot_deg_min": "ROT",
        "sog_kn": "SOG",
        "cog_deg": "COG",
        "heading_deg": "Heading",
        "imo": "IMO",
        "callsign": "Callsign",
        "name": "Name",
        "ship_type": "Ship type",
        "cargo_type": "Cargo type",
        "beam_m": "Width",
        "length_m": "Length",
        "draught_m": "Draught",
        "destination": "Destination",
        "eta": "ETA",
    },
    ts_format="%d/%m/%Y %H:%M:%S",
    text_codes=True,
)

FORMATS = {"marinecadastre": MARINECADASTRE, "dma": DMA}


def _header_columns(header: bytes) -> list[str]:
    first = header.split(b"\n", 1)[0].rstrip(b"\r").lstrip(b"\xef\xbb\xbf")
    return [c.strip().strip('"') for c in first.decode("utf-8", "replace").split(",")]


def sniff_csv_format(header: bytes) -> str:
    """ "marinecadastre" or "dma" from the header line; ValueError naming the columns it saw otherwise."""
    columns = set(_header_columns(header))
    for name, mapping in FORMATS.items():
        if set(mapping.columns.values()) <= columns:
            return name
    seen = ", ".join(sorted(columns)[:20])
    raise ValueError(
        f"unrecognised CSV header (columns: {seen}); expected MarineCadastre (MMSI,BaseDateTime,LAT,LON,...) "
        "or Danish Maritime Authority (# Timestamp,Type of mobile,MMSI,...) columns, or pass a column mapping"
    )


@dataclass
class _ReaderState:
    source: str
    simulated: bool
    mapping: ColumnMapping
    simulated_column: str | None = None  # the CSV's own per-row Simulated column, when it has one
    last_static: dict[int, int] = field(default_factory=dict)  # MMSI -> fingerprint of its static fields
    invalid_rows: list[tuple[int, str]] = field(default_factory=list)
    next_line_no: int = 2  # the header is line 1


def read_csv(
    path: str | Path | BinaryIO,
    *,
    fmt: str = "auto",
    mapping: ColumnMapping | None = None,
    source: str | None = None,
    chunk_rows: int = 200_000,
    simulated: bool = False,
) -> Iterator[DecodeResult]:
    """Stream a CSV of AIS positions as DecodeResults of about `chunk_rows` rows each."""
    if isinstance(path, str | Path):
        src_name = source or str(path)
        stream: BinaryIO = open(path, "rb")  # noqa: SIM115 - closed in finally
        owned = True
    else:
        src_name = source or str(getattr(path, "name", "csv"))
        stream = path
        owned = False
    try:
        yield from _read(stream, fmt, mapping, src_name, chunk_rows, simulated)
    finally:
        if owned:
            stream.close()


def _read(
    stream: BinaryIO, fmt: str, mapping: ColumnMapping | None, source: str, chunk_rows: int, simulated: bool
) -> Iterator[DecodeResult]:
    head = stream.read(65536)
    if not head.strip():
        yield DecodeResult.empty()
        return
    if mapping is None:
        name = sniff_csv_format(head) if fmt == "auto" else fmt
        if name not in FORMATS:
            raise ValueError(f"unknown CSV format {fmt!r}; known: auto, {', '.join(FORMATS)}")
        mapping = FORMATS[name]
    columns = _header_columns(head)
    missing = [c for c in mapping.columns.values() if c not in columns]
    if missing:
        raise ValueError(
            f"CSV lacks column(s) {', '.join(missing)} named by the mapping; header has {', '.join(columns)}"
        )
    sim_column = next((c for c in columns if c.lower() == SIMULATED_COLUMN), None)
    state = _ReaderState(source, simulated, mapping, sim_column)
    wanted = [*mapping.columns.values(), *([sim_column] if sim_column else [])]

    def on_invalid(row: pacsv.InvalidRow) -> str:
        state.invalid_rows.append((row.number or -1, row.text))
        return "skip"

    reader = pacsv.open_csv(
        _Prefixed(head, stream),
        read_options=pacsv.ReadOptions(use_threads=False, block_size=max(1 << 20, chunk_rows * 160)),
        parse_options=pacsv.ParseOptions(invalid_row_handler=on_invalid, ignore_empty_lines=True),
        convert_options=pacsv.ConvertOptions(
            column_types={c: pa.string() for c in columns},
            include_columns=list(dict.fromkeys(wanted)),
            strings_can_be_null=True,
        ),
    )
    for batch in reader:
        yield _convert(batch, state)
    if state.invalid_rows:
        yield _convert(None, state)


class _Prefixed:
    """A binary stream that replays the bytes already read for sniffing."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = head
        self._rest = rest
        self.closed = False

    def read(self, size: int = -1) -> bytes:
        if self._head:
            if size < 0:
                out, self._head = self._head + self._rest.read(), b""
                return out
            out, self._head = self._head[:size], self._head[size:]
            return out
        return self._rest.read(size)

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self.closed = True


_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"


def _num(s: pd.Series) -> pd.Series:
    """Text -> float64, NaN where empty or not a plain decimal number (parsed by Arrow, not per value)."""
    text = pc.utf8_trim_whitespace(pa.array(s, type=pa.string(), from_pandas=True))
    clean = pc.if_else(pc.match_substring_regex(text, _NUMBER), text, pa.scalar(None, pa.string()))
    values = pc.cast(clean, pa.float64()).to_numpy(zero_copy_only=False)
    return pd.Series(values, index=s.index)


def _text(s: pd.Series) -> pd.Series:
    s = s.str.replace("@", "", regex=False).str.strip()
    return s.where(s.notna() & (s != ""), None)


def _times_us(s: pd.Series, ts_format: str) -> pd.Series:
    if ts_format == "epoch_s":
        return _num(s) * 1_000_000
    if ts_format == "epoch_ms":
        return _num(s) * 1_000
    if ts_format == "iso":
        t = pd.to_datetime(s, errors="coerce", utc=True, format="ISO8601")
    else:
        t = pd.to_datetime(s, errors="coerce", utc=True, format=ts_format)
    us = t.astype("datetime64[ns, UTC]").astype("int64") // 1000
    return us.where(t.notna(), np.nan)


def _convert(batch: pa.RecordBatch | None, state: _ReaderState) -> DecodeResult:
    mapping = state.mapping
    counts: dict[str, int] = {}
    rejects: list[tuple[int, str, str]] = []

    def count(key: str, n: int = 1) -> None:
        if n:
            counts[key] = counts.get(key, 0) + n

    invalid_numbers = sorted(n for n, _ in state.invalid_rows)
    for number, text in state.invalid_rows:
        rejects.append((number, "bad_csv_row", text))
    state.invalid_rows.clear()
    if batch is None or batch.num_rows == 0:
        count("rejects:bad_csv_row", len(rejects))
        count("rejects", len(rejects))
        return _result(state, POSITION_SCHEMA.empty_table(), STATIC_SCHEMA.empty_table(), rejects, counts)

    raw = batch.to_pandas()
    n = len(raw)
    count("rows", n)
    # line numbers of this batch's rows: consecutive, skipping the invalid rows reported for them
    line_no = np.arange(state.next_line_no, state.next_line_no + n + len(invalid_numbers), dtype=np.int64)
    line_no = line_no[~np.isin(line_no, invalid_numbers)][:n]
    state.next_line_no = int(line_no[-1]) + 1 if n else state.next_line_no

    def col(name: str) -> pd.Series:
        column = mapping.columns.get(name)
        if column is None:
            return pd.Series([None] * n, dtype=object)
        return raw[column]

    reason = pd.Series([None] * n, dtype=object)

    def fail(mask: pd.Series | np.ndarray, why: str) -> None:
        m = np.asarray(mask) & reason.isna().to_numpy()
        reason[m] = why

    mmsi = _num(col("mmsi"))
    fail(~(mmsi.notna() & (mmsi >= 1) & (mmsi <= 999_999_999) & (mmsi == mmsi.round())), "invalid_field:mmsi")
    ts_us = _times_us(col("ts"), mapping.ts_format)
    fail(ts_us.isna(), "invalid_field:ts")
    lat, lon = _num(col("lat")), _num(col("lon"))
    fail(col("lat").notna() & lat.isna(), "invalid_field:lat")
    fail(col("lon").notna() & lon.isna(), "invalid_field:lon")
    lat = lat.where(lat != 91.0)  # AIS "not available"
    lon = lon.where(lon != 181.0)
    fail(lat.notna() & ((lat < -90) | (lat > 90)), "invalid_field:lat")
    fail(lon.notna() & ((lon < -180) | (lon > 180)), "invalid_field:lon")

    row_simulated = np.full(n, state.simulated)
    if state.simulated_column is not None:
        flag = raw[state.simulated_column].str.strip().str.lower()
        flag_true = flag.isin(SIMULATED_TRUE).to_numpy()
        flag_known = flag_true | flag.isna().to_numpy() | flag.isin(SIMULATED_FALSE).to_numpy()
        fail(~flag_known, "invalid_field:simulated")
        row_simulated |= flag_true

    classes = col("mobile_class").str.strip().str.lower()
    skipped = classes.isin(SKIPPED_CLASSES).to_numpy() & reason.isna().to_numpy()
    count("skipped_not_vessel", int(skipped.sum()))
    msg_type = classes.map(CLASS_MSG_TYPE).fillna(0).astype(np.int8)

    def ranged(values: pd.Series, name: str, lo: float, hi: float, na: float | None) -> pd.Series:
        if na is not None:
            values = values.where(values != na)
        bad = values.notna() & ((values < lo) | (values > hi))
        count(f"nulled:{name}", int(bad.sum()))
        return values.where(~bad)

    sog = ranged(_num(col("sog_kn")), "sog_kn", 0, 102.2, 102.3)
    cog = ranged(_num(col("cog_deg")), "cog_deg", 0, 359.99999, 360.0)
    heading = ranged(_num(col("heading_deg")), "heading_deg", 0, 359, 511)
    rot = _num(col("rot_deg_min"))
    if mapping.text_codes:
        nav = col("nav_status").map(nav_status_code, na_action="ignore")
        cargo = col("cargo_type")
        ship_type = pd.Series(
            [ship_type_code(t, c) for t, c in zip(col("ship_type"), cargo, strict=True)], dtype=object
        )
        ship_type = pd.to_numeric(ship_type, errors="coerce")
    else:
        nav = _num(col("nav_status"))
        ship_type = _num(col("ship_type"))
    nav = nav.where((nav >= 0) & (nav <= 14))
    ship_type = ship_type.where((ship_type >= 1) & (ship_type <= 255))
    imo_text = col("imo").str.strip().str.upper().str.removeprefix("IMO").str.strip()
    imo = _num(imo_text)
    imo = imo.where((imo >= 1) & (imo <= 999_999_999))
    length = _num(col("length_m"))
    beam = _num(col("beam_m"))
    draught = _num(col("draught_m"))
    length, beam, draught = (v.where(v > 0) for v in (length, beam, draught))
    eta = (
        _times_us(col("eta"), mapping.ts_format)
        if "eta" in mapping.columns
        else pd.Series(np.nan, index=raw.index)
    )

    bad = reason.notna().to_numpy()
    for i in np.flatnonzero(bad):
        text = ",".join("" if v is None else str(v) for v in raw.iloc[i].tolist())
        rejects.append((int(line_no[i]), str(reason.iloc[i]), text))
        count(f"rejects:{reason.iloc[i]}")
    count("rejects:bad_csv_row", len(invalid_numbers))
    count("rejects", len(rejects))
    usable = ~bad & ~skipped
    has_pos = usable & lat.notna().to_numpy() & lon.notna().to_numpy()
    count("no_position", int((usable & ~has_pos).sum()))

    def arr(values: pd.Series, mask: np.ndarray, typ: pa.DataType) -> pa.Array:
        v = values.to_numpy()[mask]
        return pa.array(v, type=typ, from_pandas=True) if v.dtype != object else pa.array(list(v), type=typ)

    def ints(values: pd.Series, mask: np.ndarray, typ: pa.DataType) -> pa.Array:
        v = values.to_numpy(dtype=np.float64)[mask]
        nan = np.isnan(v)
        return pa.array(np.where(nan, 0, v).astype(np.int64), mask=nan).cast(typ)

    ts_type = POSITION_SCHEMA.field("ts").type
    n_pos = int(has_pos.sum())
    sim = pa.array(row_simulated[has_pos], type=pa.bool_())
    positions = pa.table(
        {
            "mmsi": ints(mmsi, has_pos, pa.int64()),
            "ts": ints(ts_us, has_pos, pa.int64()).cast(ts_type),
            "lat": arr(lat, has_pos, pa.float64()),
            "lon": arr(lon, has_pos, pa.float64()),
            "sog_kn": arr(sog, has_pos, pa.float64()),
            "cog_deg": arr(cog, has_pos, pa.float64()),
            "heading_deg": arr(heading, has_pos, pa.float64()),
            "rot_deg_min": arr(rot, has_pos, pa.float64()),
            "nav_status": ints(nav, has_pos, pa.int8()),
            "accuracy": pa.nulls(n_pos, pa.bool_()),
            "msg_type": pa.array(msg_type.to_numpy()[has_pos], type=pa.int8()),
            "ts_origin": pa.array(["csv"] * n_pos, type=pa.string()),
            "receiver": pa.nulls(n_pos, pa.string()),
            "source": pa.array([state.source] * n_pos, type=pa.string()),
            "simulated": sim,
        },
        schema=POSITION_SCHEMA,
    )

    name, callsign, destination = _text(col("name")), _text(col("callsign")), _text(col("destination"))
    static_cols = pd.DataFrame(
        {
            "mmsi": mmsi,
            "imo": imo,
            "name": name,
            "callsign": callsign,
            "ship_type": ship_type,
            "length_m": length,
            "beam_m": beam,
            "draught_m": draught,
            "destination": destination,
            "eta": eta,
        }
    )
    any_static = static_cols[list(STATIC_FIELDS)].notna().any(axis=1).to_numpy() & usable
    candidates = static_cols[any_static].copy()
    candidates["ts"] = ts_us[any_static]
    candidates["msg_type"] = msg_type[any_static]
    # A static row whenever a vessel's static fields differ from the previous ones seen for it (in this
    # chunk, or the last emitted before it): A, A, B, A gives A, B, A.
    fingerprint = pd.util.hash_pandas_object(candidates[list(STATIC_FIELDS)], index=False).to_numpy()
    cand_mmsi = candidates["mmsi"].to_numpy(dtype=np.int64)
    order = np.argsort(cand_mmsi, kind="stable")
    m_sorted, f_sorted = cand_mmsi[order], fingerprint[order]
    first_of_vessel = np.ones(order.size, dtype=bool)
    first_of_vessel[1:] = m_sorted[1:] != m_sorted[:-1]
    changed = first_of_vessel.copy()
    changed[1:] |= f_sorted[1:] != f_sorted[:-1]
    for k in np.flatnonzero(first_of_vessel).tolist():
        changed[k] = state.last_static.get(int(m_sorted[k])) != int(f_sorted[k])
    last_of_vessel = np.append(first_of_vessel[1:], True) if order.size else first_of_vessel
    for k in np.flatnonzero(last_of_vessel).tolist():
        state.last_static[int(m_sorted[k])] = int(f_sorted[k])
    keep_rows = np.sort(order[changed])
    chosen = candidates.iloc[keep_rows]
    all_true = np.ones(len(chosen), dtype=bool)
    n_static = len(chosen)
    statics = pa.table(
        {
            "mmsi": ints(chosen["mmsi"], all_true, pa.int64()),
            "ts": ints(chosen["ts"], all_true, pa.int64()).cast(ts_type),
            "imo": ints(chosen["imo"], all_true, pa.int64()),
            "name": pa.array(chosen["name"], type=pa.string(), from_pandas=True),
            "callsign": pa.array(chosen["callsign"], type=pa.string(), from_pandas=True),
            "ship_type": ints(chosen["ship_type"], all_true, pa.int16()),
            "length_m": arr(chosen["length_m"], all_true, pa.float64()),
            "beam_m": arr(chosen["beam_m"], all_true, pa.float64()),
            "draught_m": arr(chosen["draught_m"], all_true, pa.float64()),
            "destination": pa.array(chosen["destination"], type=pa.string(), from_pandas=True),
            "eta": ints(chosen["eta"], all_true, pa.int64()).cast(ts_type),
            "msg_type": pa.array(chosen["msg_type"].to_numpy(), type=pa.int8()),
            "ts_origin": pa.array(["csv"] * n_static, type=pa.string()),
            "receiver": pa.nulls(n_static, pa.string()),
            "source": pa.array([state.source] * n_static, type=pa.string()),
            "simulated": pa.array(row_simulated[any_static][keep_rows], type=pa.bool_()),
        },
        schema=STATIC_SCHEMA,
    )
    return _result(state, positions, statics, rejects, counts)


def _result(
    state: _ReaderState,
    positions: pa.Table,
    statics: pa.Table,
    rejects: list[tuple[int, str, str]],
    counts: dict[str, int],
) -> DecodeResult:
    reject_table = pa.table(
        {
            "source": [state.source] * len(rejects),
            "line_no": [r[0] for r in rejects],
            "reason": [r[1] for r in rejects],
            "line": [r[2] for r in rejects],
        },
        schema=REJECT_SCHEMA,
    )
    counts["positions"] = positions.num_rows
    counts["statics"] = statics.num_rows
    return DecodeResult(positions, statics, reject_table, counts)
