"""Stateful NMEA decoding of a line stream into position, static and reject tables.

    decoder = NmeaDecoder("receiver-1.nmea")
    for chunk_no, lines in enumerate(chunks):          # lines: raw bytes, CR/LF allowed
        result = decoder.feed(lines, first_line_no=...)  # multi-part and g: groups may span calls
    tail = decoder.flush()                             # pending fragments become rejects

Plain single-part position reports go through the vectorised fast path (fastpath.py); every other line
through the general path below. Both produce identical rows.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pyarrow as pa

from shadowfleet.ais import nmea
from shadowfleet.ais.fast_frame import ORIGINS, LineBuffer
from shadowfleet.ais.fastpath import FastColumns, decode_fast
from shadowfleet.ais.messages import DecodeError, decode_message, decode_payload
from shadowfleet.ais.records import (
    POSITION_TYPES,
    STATIC_TYPES,
    RowRejected,
    position_values,
    static_values,
)
from shadowfleet.model.arrow_numpy import empty_table, from_numpy, repeat_string
from shadowfleet.model.schemas import POSITION_SCHEMA, REJECT_SCHEMA, STATIC_SCHEMA

__all__ = ["DecodeResult", "NmeaDecoder", "decode_message"]

SIMULATED_TAG = "SIMULATED"


@dataclass
class DecodeResult:
    positions: pa.Table  # POSITION_SCHEMA, in input order
    statics: pa.Table  # STATIC_SCHEMA, in input order
    rejects: pa.Table  # REJECT_SCHEMA: source, line_no, reason, line
    counts: dict[str, int] = field(default_factory=dict)
    # Full decodes (decode_message dicts plus line_no, ts_us, ts_origin, receiver, tag), only when the
    # decoder was made with keep_messages=True.
    messages: list[dict[str, Any]] | None = None

    @classmethod
    def empty(cls) -> "DecodeResult":
        return cls(empty_table(POSITION_SCHEMA), empty_table(STATIC_SCHEMA), empty_table(REJECT_SCHEMA), {})


def merge_counts(into: dict[str, int], more: dict[str, int]) -> dict[str, int]:
    for key, value in more.items():
        into[key] = into.get(key, 0) + value
    return into


@dataclass(slots=True)
class _Stamp:
    """Where a message's receive time and tags came from."""

    ts_us: int | None
    origin: str
    receiver: str | None
    simulated: bool


@dataclass(slots=True)
class _Pending:
    """Fragments of one multi-part message seen so far."""

    total: int
    first_line_no: int
    stamp: _Stamp
    parts: dict[int, tuple[bytes, int, int, bytes]]  # number -> (payload, fill, line_no, raw line)


def _line_text(line: bytes) -> str:
    return line.rstrip(b"\r\n").decode("utf-8", "backslashreplace")


class NmeaDecoder:
    """Decodes a stream of NMEA lines from one source. Not thread-safe; one instance per stream.

    Limits: a multi-part message whose first fragment is more than `max_fragment_lines` lines or
    `max_fragment_age_s` seconds (receive time) old is dropped ("fragment_expired"); at most
    `max_pending` messages wait for fragments (the oldest is dropped beyond that); a `g:` tag block group
    waits at most `max_fragment_lines` lines.
    """

    def __init__(
        self,
        source: str,
        *,
        simulated: bool = False,
        clock: Callable[[], datetime] | None = None,
        max_fragment_lines: int = 1000,
        max_fragment_age_s: float = 120.0,
        max_pending: int = 10_000,
        fast_path: bool = True,
        keep_messages: bool = False,
    ) -> None:
        self.source = source
        self.simulated = simulated
        self.clock = clock or (lambda: datetime.now(UTC))
        self.max_fragment_lines = max_fragment_lines
        self.max_fragment_age_us = round(max_fragment_age_s * 1_000_000)
        self.max_pending = max_pending
        self.fast_path = fast_path and not keep_messages
        self.keep_messages = keep_messages
        self._pending: dict[tuple[Any, ...], _Pending] = {}
        # (sequence id, channel, count) -> receivers with a message waiting under it, oldest first
        self._slots: dict[tuple[Any, ...], dict[Any, None]] = {}
        self._groups: dict[str, tuple[int, dict[str, str]]] = {}  # g: group id -> (line_no, merged tags)
        self._gatehouse: tuple[int, int, bytes] | None = None  # (ts_us, line_no, raw line)
        self._clock_us: int | None = None
        self._last_line_no = 0
        self._reset_batch()

    # ---- batch accumulators -------------------------------------------------------------------------
    def _reset_batch(self) -> None:
        self._pos_rows: list[dict[str, Any]] = []
        self._pos_order: list[int] = []
        self._static_rows: list[dict[str, Any]] = []
        self._static_order: list[int] = []
        self._rejects: list[tuple[int, str, str]] = []
        self._messages: list[dict[str, Any]] = []
        self._counts: dict[str, int] = {}
        self._nulled: dict[str, int] = {}
        self._clock_us = None

    def _count(self, key: str, n: int = 1) -> None:
        self._counts[key] = self._counts.get(key, 0) + n

    def _reject(self, line_no: int, reason: str, line: bytes) -> None:
        self._rejects.append((line_no, reason, _line_text(line)))
        self._count(f"rejects:{reason}")
        self._count("rejects")

    def _now_us(self) -> int:
        if self._clock_us is None:
            self._clock_us = round(self.clock().timestamp() * 1_000_000)
        return self._clock_us

    # ---- public API ---------------------------------------------------------------------------------
    def feed(self, lines: Sequence[bytes], first_line_no: int) -> DecodeResult:
        """Decode a batch of raw lines; `first_line_no` is the line number of lines[0] in the source."""
        if self.fast_path and lines:
            return self._feed(LineBuffer.from_lines(lines), first_line_no, lines)
        return self._feed(None, first_line_no, lines)

    def feed_buffer(self, data: bytes, first_line_no: int) -> DecodeResult:
        """Like feed() for a block of complete lines as read from a file (LF or CR LF separated; a last
        line without LF counts). Saves splitting the block into line objects on the fast path."""
        return self._feed(LineBuffer.from_buffer(data), first_line_no, None)

    def feed_line_buffer(self, buf: LineBuffer, first_line_no: int) -> DecodeResult:
        """Like feed_buffer() for a block already framed into lines (`LineBuffer.from_buffer`), e.g. by a
        reader thread."""
        return self._feed(buf, first_line_no, None)

    def _feed(
        self, buf: LineBuffer | None, first_line_no: int, lines: Sequence[bytes] | None
    ) -> DecodeResult:
        self._reset_batch()
        n = len(buf) if buf is not None else len(lines or ())
        self._count("lines", n)
        fast = FastColumns.empty(n)
        if self.fast_path and buf is not None and n:
            waiting = [(k[0], k[1], k[2], frozenset(p.parts)) for k, p in self._pending.items() if k[3] == 2]
            fast = decode_fast(
                buf,
                gatehouse_pending=self._gatehouse is not None,
                pending_keys=waiting,
                report_us=self._now_us,
            )
        general = np.flatnonzero(~fast.handled) if fast.handled.size else np.arange(n)
        for i in general.tolist():
            line = lines[i] if lines is not None else buf.line(i)  # type: ignore[union-attr]
            self._general_line(line, first_line_no + i, i)
        if n:
            self._last_line_no = first_line_no + n - 1
            self._expire(self._last_line_no, None)
        n_fast = sum(fast.type_counts.values())
        if n_fast:
            self._count("sentences", fast.n_sentences)
            self._count("messages", n_fast)
            self._count("fast_path", n_fast)
            if fast.n_tag_blocks:
                self._count("tag_blocks", fast.n_tag_blocks)
            for t, c in fast.type_counts.items():
                self._count(f"by_type:{t}", c)
        merge_counts(self._nulled, fast.nulled)
        return self._result(fast)

    def flush(self) -> DecodeResult:
        """End of stream: every message still waiting for fragments becomes rejects."""
        self._reset_batch()
        for pending in list(self._pending.values()):
            self._reject_pending(pending, "incomplete_multipart")
        self._pending.clear()
        self._slots.clear()
        self._groups.clear()
        if self._gatehouse is not None:
            _, line_no, raw = self._gatehouse
            self._reject(line_no, "orphan_gatehouse", raw)
            self._gatehouse = None
        return self._result(FastColumns.empty(0))

    # ---- general path -------------------------------------------------------------------------------
    def _general_line(self, line: bytes, line_no: int, batch_idx: int) -> None:
        parsed = nmea.parse_line(line)
        if isinstance(parsed, str):
            if parsed == "blank":
                self._count("blank_lines")
            elif parsed == "comment":
                self._count("comment_lines")
            else:
                self._reject(line_no, parsed, line)
            return
        if parsed.gatehouse_us is not None:
            if self._gatehouse is not None:
                _, old_no, old_raw = self._gatehouse
                self._reject(old_no, "orphan_gatehouse", old_raw)
            self._gatehouse = (parsed.gatehouse_us, line_no, line)
            self._count("gatehouse_lines")
            return
        sentence = parsed.sentence
        assert sentence is not None  # parse_line returns a sentence or a gatehouse stamp
        self._count("sentences")
        if parsed.trailer_ignored:
            self._count("trailer_ignored")
        tag = parsed.tag
        if tag is not None:
            self._count("tag_blocks")
            tag = self._merge_group(tag, line_no)
        stamp = self._stamp(parsed, tag)
        if sentence.total == 1:
            self._message(sentence.payload, sentence.fill_bits, stamp, [(line_no, line)], batch_idx)
            return
        self._fragment(sentence, stamp, line_no, line, batch_idx)

    def _merge_group(self, tag: dict[str, str], line_no: int) -> dict[str, str]:
        """Lines of a `g:` group share the first line's tags (receive time, station)."""
        group = nmea.parse_group(tag)
        if group is None:
            return tag
        number, count, gid = group
        if number == 1:
            self._groups[gid] = (line_no, dict(tag))
            if count == 1:
                del self._groups[gid]
            return tag
        known = self._groups.get(gid)
        if known is None:
            return tag
        merged = {**known[1], **tag}
        if number >= count:
            del self._groups[gid]
        return merged

    def _stamp(self, parsed: nmea.ParsedLine, tag: dict[str, str] | None) -> _Stamp:
        simulated = self.simulated or (tag is not None and tag.get("i", "").upper() == SIMULATED_TAG)
        receiver = parsed.receiver
        if tag is not None:
            receiver = tag.get("s", receiver)
            ts = nmea.tag_time_us(tag)
            if ts is not None:
                self._drop_gatehouse_for_sentence()
                return _Stamp(ts, "tagblock", receiver, simulated)
        if parsed.trailer_us is not None:
            self._drop_gatehouse_for_sentence()
            return _Stamp(parsed.trailer_us, "trailer", receiver, simulated)
        if self._gatehouse is not None:
            ts_us = self._gatehouse[0]
            self._gatehouse = None
            return _Stamp(ts_us, "gatehouse", receiver, simulated)
        return _Stamp(None, "clock", receiver, simulated)

    def _drop_gatehouse_for_sentence(self) -> None:
        # A Gatehouse stamp is consumed by the next sentence even when that sentence has its own time.
        self._gatehouse = None

    def _fragment(self, s: nmea.Sentence, stamp: _Stamp, line_no: int, line: bytes, batch_idx: int) -> None:
        self._expire(line_no, stamp.ts_us)
        own_key = (stamp.receiver, s.seq_id, s.channel, s.total)
        key, pending = self._find_pending(own_key)
        if pending is not None and (s.number in pending.parts or pending.total != s.total):
            # A fragment number seen twice: the earlier message lost its other parts.
            self._take_pending(key)
            self._reject_pending(pending, "incomplete_multipart")
            key, pending = own_key, None
        if pending is None:
            if s.number != 1 and not self._may_start_late(s):
                self._reject(line_no, "orphan_fragment", line)
                return
            pending = _Pending(s.total, line_no, stamp, {})
            self._put_pending(key, pending)
            if len(self._pending) > self.max_pending:
                oldest_key = next(iter(self._pending))
                self._reject_pending(self._take_pending(oldest_key), "fragment_expired")
        elif pending.stamp.ts_us is None and stamp.ts_us is not None:
            pending.stamp = stamp
        pending.parts[s.number] = (s.payload, s.fill_bits, line_no, line)
        if len(pending.parts) == pending.total:
            self._take_pending(key)
            ordered = [pending.parts[k] for k in range(1, pending.total + 1)]
            payload = b"".join(p[0] for p in ordered)
            fill = ordered[-1][1]
            self._message(payload, fill, pending.stamp, [(p[2], p[3]) for p in ordered], batch_idx)

    def _find_pending(self, key: tuple[Any, ...]) -> tuple[tuple[Any, ...], _Pending | None]:
        """The message this fragment continues: same station, sequence id, channel and count; or, when
        the station is known on one side only (e.g. one fragment carries a USCG trailer, the other none),
        the oldest such message of the same sequence id, channel and count (gpsd joins those too)."""
        pending = self._pending.get(key)
        if pending is not None:
            return key, pending
        receiver, slot = key[0], key[1:]
        receivers = self._slots.get(slot)
        if receivers:
            for other in receivers:
                if receiver is None or other is None:
                    alt = (other, *slot)
                    return alt, self._pending[alt]
        return key, None

    def _put_pending(self, key: tuple[Any, ...], pending: _Pending) -> None:
        self._pending[key] = pending
        self._slots.setdefault(key[1:], {})[key[0]] = None

    def _take_pending(self, key: tuple[Any, ...]) -> _Pending:
        pending = self._pending.pop(key)
        receivers = self._slots[key[1:]]
        del receivers[key[0]]
        if not receivers:
            del self._slots[key[1:]]
        return pending

    def _may_start_late(self, s: nmea.Sentence) -> bool:
        # A later fragment arriving before the first one (late first fragment) still opens a message.
        return s.number <= s.total

    def _expire(self, line_no: int, ts_us: int | None) -> None:
        while self._pending:
            key, oldest = next(iter(self._pending.items()))
            too_far = line_no - oldest.first_line_no > self.max_fragment_lines
            too_old = (
                ts_us is not None
                and oldest.stamp.ts_us is not None
                and ts_us - oldest.stamp.ts_us > self.max_fragment_age_us
            )
            if not (too_far or too_old):
                break
            self._take_pending(key)
            self._reject_pending(oldest, "fragment_expired")
        while self._groups:
            gid, (first_no, _) = next(iter(self._groups.items()))
            if line_no - first_no <= self.max_fragment_lines:
                break
            del self._groups[gid]

    def _reject_pending(self, pending: _Pending, reason: str) -> None:
        for number in sorted(pending.parts):
            _, _, line_no, line = pending.parts[number]
            self._reject(line_no, reason, line)

    def _message(
        self, payload: bytes, fill: int, stamp: _Stamp, lines: list[tuple[int, bytes]], batch_idx: int
    ) -> None:
        try:
            msg = decode_payload(payload, fill)
        except DecodeError as exc:
            for line_no, line in lines:
                self._reject(line_no, exc.reason, line)
            return
        msg_type = msg["type"]
        ts_us = stamp.ts_us if stamp.ts_us is not None else self._now_us()
        if self.keep_messages:
            full = dict(msg)
            full.update(
                line_no=lines[-1][0],
                ts_us=ts_us,
                ts_origin=stamp.origin,
                receiver=stamp.receiver,
                simulated=stamp.simulated,
            )
            self._messages.append(full)
        common = {
            "ts": ts_us,
            "ts_origin": stamp.origin,
            "receiver": stamp.receiver,
            "source": self.source,
            "simulated": stamp.simulated,
        }
        rows_pos: dict[str, Any] | None = None
        if msg_type in POSITION_TYPES:
            try:
                rows_pos = position_values(msg, self._nulled)
            except RowRejected as exc:
                for line_no, line in lines:
                    self._reject(line_no, exc.reason, line)
                return
        self._count("messages")
        self._count(f"by_type:{msg_type}")
        if rows_pos is not None:
            rows_pos.update(common)
            self._pos_rows.append(rows_pos)
            self._pos_order.append(batch_idx)
        if msg_type in STATIC_TYPES:
            row = static_values(msg, ts_us, self._nulled)
            row.update(common)
            self._static_rows.append(row)
            self._static_order.append(batch_idx)

    # ---- result assembly ----------------------------------------------------------------------------
    def _result(self, fast: FastColumns) -> DecodeResult:
        positions = _positions_table(self._pos_rows, self._pos_order, fast, self)
        statics = _statics_table(self._static_rows, self._static_order, fast, self)
        rejects = (
            empty_table(REJECT_SCHEMA)
            if not self._rejects
            else pa.table(
                {
                    "source": [self.source] * len(self._rejects),
                    "line_no": [r[0] for r in self._rejects],
                    "reason": [r[1] for r in self._rejects],
                    "line": [r[2] for r in self._rejects],
                },
                schema=REJECT_SCHEMA,
            )
        )
        counts = dict(self._counts)
        counts["positions"] = positions.num_rows
        counts["statics"] = statics.num_rows
        for key, value in self._nulled.items():
            if value:
                counts[f"nulled:{key}"] = value
        messages = self._messages if self.keep_messages else None
        self._reset_batch()
        return DecodeResult(positions, statics, rejects, counts, messages)


def _rows_table(rows: list[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    if not rows:
        return empty_table(schema)
    columns = {f.name: [r[f.name] for r in rows] for f in schema}
    return pa.table(columns, schema=schema)


def _fast_stamps(fast: FastColumns, line_idx: np.ndarray, decoder: NmeaDecoder) -> dict[str, pa.Array]:
    """ts, ts_origin, receiver, simulated for rows of the fast path (tag block values where present)."""
    m = int(line_idx.size)
    now = decoder._now_us()
    ts_type = POSITION_SCHEMA.field("ts").type
    if fast.line_ts_us is None or fast.line_origin is None or fast.line_receiver_code is None:
        return {
            "ts": from_numpy(np.full(m, now, dtype=np.int64), ts_type),
            "ts_origin": repeat_string("clock", m),
            "receiver": pa.nulls(m, type=pa.string()),
            "simulated": from_numpy(np.full(m, decoder.simulated)),
        }
    line_ts = fast.line_ts_us[line_idx]
    origin = pa.DictionaryArray.from_arrays(from_numpy(fast.line_origin[line_idx]), pa.array(list(ORIGINS)))
    simulated = fast.line_simulated[line_idx] if fast.line_simulated is not None else np.zeros(m, dtype=bool)
    return {
        "ts": from_numpy(np.where(line_ts >= 0, line_ts, now), ts_type),
        "ts_origin": origin.cast(pa.string()),
        "receiver": _receivers(fast.line_receiver_code[line_idx], fast.stations),
        "simulated": from_numpy(simulated | decoder.simulated),
    }


def _receivers(codes: np.ndarray, stations: list[str]) -> pa.Array:
    """Station codes (-1: none) into `stations` as a string column."""
    indices = from_numpy(np.maximum(codes, 0).astype(np.int32), valid=codes >= 0)
    return pa.DictionaryArray.from_arrays(indices, pa.array(stations, type=pa.string())).cast(pa.string())


def _statics_table(
    rows: list[dict[str, Any]], order: list[int], fast: FastColumns, decoder: NmeaDecoder
) -> pa.Table:
    general = _rows_table(rows, STATIC_SCHEMA)
    if fast.statics is None or fast.statics.num_rows == 0:
        return general
    m = fast.statics.num_rows
    columns = {name: fast.statics.column(name) for name in fast.statics.column_names}
    columns.update(_fast_stamps(fast, fast.static_stamp_idx, decoder))
    columns["source"] = repeat_string(decoder.source, m)
    fast_table = pa.table({f.name: columns[f.name] for f in STATIC_SCHEMA}, schema=STATIC_SCHEMA)
    if general.num_rows == 0:
        return fast_table
    keys = np.concatenate([fast.static_line_idx, np.asarray(order, dtype=np.int64)])
    combined = pa.concat_tables([fast_table, general])
    return combined.take(from_numpy(np.argsort(keys, kind="stable")))


def _positions_table(
    rows: list[dict[str, Any]], order: list[int], fast: FastColumns, decoder: NmeaDecoder
) -> pa.Table:
    general = _rows_table(rows, POSITION_SCHEMA)
    n_fast = int(fast.line_idx.size)
    if n_fast == 0:
        return general
    stamps = _fast_stamps(fast, fast.line_idx, decoder)
    nav_valid = fast.nav_status >= 0
    fast_table = pa.table(
        {
            "mmsi": from_numpy(fast.mmsi, pa.int64()),
            "ts": stamps["ts"],
            "lat": from_numpy(fast.lat, nan_is_null=True),
            "lon": from_numpy(fast.lon, nan_is_null=True),
            "sog_kn": from_numpy(fast.sog_kn, nan_is_null=True),
            "cog_deg": from_numpy(fast.cog_deg, nan_is_null=True),
            "heading_deg": from_numpy(fast.heading_deg, nan_is_null=True),
            "rot_deg_min": from_numpy(fast.rot_deg_min, nan_is_null=True),
            "nav_status": from_numpy(fast.nav_status, pa.int8(), valid=nav_valid),
            "accuracy": from_numpy(fast.accuracy),
            "msg_type": from_numpy(fast.msg_type, pa.int8()),
            "ts_origin": stamps["ts_origin"],
            "receiver": stamps["receiver"],
            "source": repeat_string(decoder.source, n_fast),
            "simulated": stamps["simulated"],
        },
        schema=POSITION_SCHEMA,
    )
    if general.num_rows == 0:
        return fast_table
    keys = np.concatenate([fast.line_idx, np.asarray(order, dtype=np.int64)])
    combined = pa.concat_tables([fast_table, general])
    return combined.take(from_numpy(np.argsort(keys, kind="stable")))
