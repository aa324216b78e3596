"""Vectorised decoding of static reports: two-part type 5 on adjacent lines, single-part type 24, and the
static half of type 19. Rows are identical to the general path's (records.static_values)."""

from typing import Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from shadowfleet.ais.sixbit import SIXBIT_CHARS
from shadowfleet.model.arrow_numpy import from_numpy

_SIXBIT_ASCII = np.frombuffer(SIXBIT_CHARS.encode("ascii"), dtype=np.uint8)
US_PER_MINUTE = 60_000_000
US_PER_HOUR = 3_600_000_000

TS_TYPE = pa.timestamp("us", tz="UTC")

# A text field: start bit and number of characters. Dimension fields: (bow, stern, port, starboard) starts.
TYPE5 = {"imo": 40, "callsign": (70, 7), "name": (112, 20), "shiptype": 232, "dims": 240, "eta": 274}
TYPE5.update({"draught": 294, "destination": (302, 20)})


class BitsSource(Protocol):
    """What the static decoders need from a group of payloads: bit fields by offset and width."""

    def bits(self, offset: int, width: int, signed: bool = False) -> np.ndarray: ...


def text_column(w: BitsSource, offset: int, nchars: int) -> pa.Array:
    """6-bit text -> Arrow strings: cut at the first '@', trailing spaces stripped, empty -> null."""
    codes = np.stack([w.bits(offset + 6 * j, 6) for j in range(nchars)], axis=1).astype(np.uint8)
    m = codes.shape[0]
    ascii_ = _SIXBIT_ASCII[codes]
    is_at = codes == 0
    cut = np.where(is_at.any(axis=1), is_at.argmax(axis=1), nchars)
    cols = np.arange(nchars)
    nonspace = (ascii_ != 32) & (cols[None, :] < cut[:, None])
    last = nchars - 1 - nonspace[:, ::-1].argmax(axis=1)
    length = np.where(nonspace.any(axis=1), last + 1, 0)
    data = ascii_[cols[None, :] < length[:, None]]
    offsets = np.zeros(m + 1, dtype=np.int32)
    np.cumsum(length, out=offsets[1:])
    valid = length > 0
    bitmap = np.packbits(valid, bitorder="little")
    return pa.StringArray.from_buffers(
        m, pa.py_buffer(offsets), pa.py_buffer(data.tobytes()), pa.py_buffer(bitmap), int((~valid).sum())
    )


def _masked_int(values: np.ndarray, valid: np.ndarray, typ: pa.DataType) -> pa.Array:
    return from_numpy(values.astype(np.int64), typ, valid=valid)


def _dims(w: BitsSource, start: int, usable: np.ndarray | None = None) -> tuple[pa.Array, pa.Array]:
    bow, stern = w.bits(start, 9), w.bits(start + 9, 9)
    port, starboard = w.bits(start + 18, 6), w.bits(start + 24, 6)
    length = (bow + stern).astype(np.float64)
    beam = (port + starboard).astype(np.float64)
    ok_len, ok_beam = length > 0, beam > 0
    if usable is not None:
        ok_len &= usable
        ok_beam &= usable
    return from_numpy(length, valid=ok_len), from_numpy(beam, valid=ok_beam)


def eta_us(
    month: np.ndarray, day: np.ndarray, hour: np.ndarray, minute: np.ndarray, report_us: int | np.ndarray
) -> tuple[np.ndarray, np.ndarray, int]:
    """AIS ETA parts -> epoch microseconds in the year nearest the report; (values, valid, n_impossible).

    Not available (month 0, day 0, hour 24, minute 60) -> invalid and not counted; an impossible date
    (month 13, 30 February, ...) -> invalid and counted, as in records.static_values.
    """
    present = (month != 0) & (day != 0) & (hour != 24) & (minute != 60)
    in_range = present & (month <= 12) & (day <= 31) & (hour < 24) & (minute < 60)
    report = np.broadcast_to(np.asarray(report_us, dtype=np.int64), month.shape)
    years_since_1970 = report.astype("datetime64[us]").astype("datetime64[Y]").astype(np.int64)
    best = np.zeros(month.size, dtype=np.int64)
    best_dist = np.full(month.size, np.iinfo(np.int64).max)
    m0 = np.clip(month, 1, 12) - 1
    for year_offset in (-1, 0, 1):
        start_m = ((years_since_1970 + year_offset) * 12 + m0).astype("datetime64[M]")
        start_d = start_m.astype("datetime64[D]")
        days_in_month = ((start_m + 1).astype("datetime64[D]") - start_d).astype(np.int64)
        ok = in_range & (day <= days_in_month)
        us = (
            (start_d + (day - 1)).astype("datetime64[us]").astype(np.int64)
            + hour * US_PER_HOUR
            + minute * US_PER_MINUTE
        )
        dist = np.abs(us - report)
        better = ok & (dist < best_dist)
        best = np.where(better, us, best)
        best_dist = np.where(better, dist, best_dist)
    valid = best_dist != np.iinfo(np.int64).max
    return best, valid, int((present & ~valid).sum())


def _table(
    mmsi: np.ndarray,
    msg_type: int,
    imo: pa.Array,
    name: pa.Array,
    callsign: pa.Array,
    ship_type: pa.Array,
    length: pa.Array,
    beam: pa.Array,
    draught: pa.Array,
    destination: pa.Array,
    eta: pa.Array,
) -> pa.Table:
    m = mmsi.size
    return pa.table(
        {
            "mmsi": from_numpy(mmsi, pa.int64()),
            "imo": imo,
            "name": name,
            "callsign": callsign,
            "ship_type": ship_type,
            "length_m": length,
            "beam_m": beam,
            "draught_m": draught,
            "destination": destination,
            "eta": eta,
            "msg_type": from_numpy(np.full(m, msg_type, dtype=np.int8)),
        }
    )


def _nulls(m: int, typ: pa.DataType) -> pa.Array:
    return pa.nulls(m, typ)


def statics_type5(w: BitsSource, report_us: np.ndarray) -> tuple[pa.Table, int]:
    """Type 5 statics; `report_us`: each message's receive time (for the ETA year)."""
    mmsi = w.bits(8, 30)
    imo = w.bits(40, 30)
    ship_type = w.bits(232, 8)
    length, beam = _dims(w, 240)
    month, day, hour, minute = w.bits(274, 4), w.bits(278, 5), w.bits(283, 5), w.bits(288, 6)
    eta_values, eta_valid, impossible = eta_us(month, day, hour, minute, report_us)
    draught = w.bits(294, 8)
    table = _table(
        mmsi,
        5,
        _masked_int(imo, imo != 0, pa.int64()),
        text_column(w, 112, 20),
        text_column(w, 70, 7),
        _masked_int(ship_type, ship_type != 0, pa.int16()),
        length,
        beam,
        from_numpy(draught / 10, valid=draught != 0),
        text_column(w, 302, 20),
        from_numpy(eta_values, TS_TYPE, valid=eta_valid),
    )
    return table, impossible


def statics_type19(w: BitsSource) -> pa.Table:
    mmsi = w.bits(8, 30)
    m = mmsi.size
    ship_type = w.bits(263, 8)
    length, beam = _dims(w, 271)
    return _table(
        mmsi,
        19,
        _nulls(m, pa.int64()),
        text_column(w, 143, 20),
        _nulls(m, pa.string()),
        _masked_int(ship_type, ship_type != 0, pa.int16()),
        length,
        beam,
        _nulls(m, pa.float64()),
        _nulls(m, pa.string()),
        _nulls(m, TS_TYPE),
    )


def statics_type24(w: BitsSource) -> pa.Table:
    """Part A (partno 0): name only; part B (partno 1): type, call sign, dimensions (none for craft
    attached to a mother ship, MMSI 98xxxxxxx, whose dimension bits carry her MMSI)."""
    mmsi = w.bits(8, 30)
    m = mmsi.size
    part_b = w.bits(38, 2) == 1
    aux = (mmsi >= 980_000_000) & (mmsi < 990_000_000)
    name = text_column(w, 40, 20)
    callsign = text_column(w, 90, 7)
    ship_type = w.bits(40, 8)
    length, beam = _dims(w, 132, part_b & ~aux)
    a_only = from_numpy(~part_b)
    b_only = from_numpy(part_b)
    return _table(
        mmsi,
        24,
        _nulls(m, pa.int64()),
        pc.if_else(a_only, name, pa.nulls(m, pa.string())),
        pc.if_else(b_only, callsign, pa.nulls(m, pa.string())),
        _masked_int(ship_type, part_b & (ship_type != 0), pa.int16()),
        length,
        beam,
        _nulls(m, pa.float64()),
        _nulls(m, pa.string()),
        _nulls(m, TS_TYPE),
    )
