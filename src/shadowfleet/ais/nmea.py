"""NMEA 0183 framing of one line: tag block, `!xxVDM`/`!xxVDO` sentence, checksum, USCG trailer,
Gatehouse `$PGHP` timestamps. Pure functions; multi-part assembly and state live in the decoder."""

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from shadowfleet.ais.sixbit import payload_is_valid

STRIP_BYTES = b" \t\r\n\x00\x1a"
MAX_EPOCH_S = 4_102_444_800  # 2100-01-01: later receive times are treated as garbage
_HEX = b"0123456789ABCDEFabcdef"


def nmea_checksum(body: bytes) -> int:
    """XOR of all bytes between the start delimiter and '*'."""
    # Fold the bytes as one big integer: XOR of the halves keeps the XOR of all bytes.
    n = len(body)
    x = int.from_bytes(body, "big")
    while n > 1:
        half = n // 2
        x = (x >> (8 * half)) ^ (x & ((1 << (8 * half)) - 1))
        n -= half
    return x


def _checksum_ok(body: bytes, hex2: bytes) -> bool:
    if len(hex2) != 2 or hex2[0] not in _HEX or hex2[1] not in _HEX:
        return False
    return nmea_checksum(body) == int(hex2, 16)


@dataclass(slots=True)
class Sentence:
    talker: bytes
    own_ship: bool  # VDO rather than VDM
    total: int
    number: int
    seq_id: bytes
    channel: bytes
    payload: bytes
    fill_bits: int


@dataclass(slots=True)
class ParsedLine:
    sentence: Sentence | None = None
    tag: dict[str, str] | None = None
    trailer_us: int | None = None  # receive time from a USCG-style trailer
    receiver: str | None = None  # station id from the tag block (s:) or the trailer (r.../b...)
    gatehouse_us: int | None = None  # set on a $PGHP,1 line: stamps the next sentence
    trailer_ignored: bool = False  # text after the checksum that is not a comma-separated trailer


def epoch_us(seconds_or_ms: str) -> int | None:
    """A tag block `c:` or trailer time: UNIX seconds, or milliseconds when it is too big for seconds."""
    try:
        value = float(seconds_or_ms)
    except ValueError:
        return None
    if math.isnan(value) or value <= 0:
        return None
    if value > MAX_EPOCH_S:
        value /= 1000.0
        if value > MAX_EPOCH_S:
            return None
    return round(value * 1_000_000)


def parse_tag_block(text: bytes) -> dict[str, str] | str:
    """`s:r003669945,c:1241544035*4A` -> {"s": ..., "c": ...}; a reason string when malformed."""
    star = text.rfind(b"*")
    if star >= 0:
        body = text[:star]
        if not _checksum_ok(body, text[star + 1 :]):
            return "bad_tag_block"
    else:
        body = text
    fields: dict[str, str] = {}
    try:
        decoded = body.decode("ascii")
    except UnicodeDecodeError:
        return "bad_tag_block"
    for item in decoded.split(","):
        key, sep, value = item.partition(":")
        if not sep or not key:
            return "bad_tag_block"
        fields[key] = value
    if "c" in fields and epoch_us(fields["c"]) is None:
        return "bad_tag_block"
    return fields


def tag_time_us(tag: dict[str, str]) -> int | None:
    c = tag.get("c")
    return epoch_us(c) if c is not None else None


def parse_group(tag: dict[str, str]) -> tuple[int, int, str] | None:
    """`g:1-2-1234` -> (sentence number, sentence count, group id); None when absent or malformed."""
    g = tag.get("g")
    if g is None:
        return None
    parts = g.split("-")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    return int(parts[0]), int(parts[1]), parts[2]


def parse_trailer(trailer: bytes, receiver: str | None = None) -> tuple[str | None, int | None]:
    """USCG-style fields after the checksum (`,r003669946,1325394060`, `,b003660465`, `,s36310,...`):
    (station, receive time in us). A station already known (`receiver`, from a tag block) is kept."""
    time_us: int | None = None
    for field in trailer.split(b",")[1:]:
        if receiver is None and field[:1] in (b"r", b"b") and field[1:].isalnum() and len(field) > 1:
            receiver = field.decode("ascii", "replace")
        elif time_us is None and field.isdigit() and 9 <= len(field) <= 13:
            time_us = epoch_us(field.decode("ascii"))
    return receiver, time_us


def _parse_trailer(trailer: bytes, out: ParsedLine) -> None:
    out.receiver, out.trailer_us = parse_trailer(trailer, out.receiver)


def _parse_gatehouse(body: bytes, out: ParsedLine) -> ParsedLine | str:
    fields = body.split(b",")
    if len(fields) < 9 or fields[1] != b"1":
        return "not_ais"
    try:
        year, month, day, hour, minute, second, ms = (int(f) for f in fields[2:9])
        stamp = datetime(year, month, day, hour, minute, second, ms * 1000, tzinfo=UTC)
    except ValueError:
        return "bad_gatehouse"
    out.gatehouse_us = round(stamp.timestamp() * 1_000_000)
    return out


def parse_line(line: bytes) -> ParsedLine | str:
    """Frame one line. Returns the parsed parts, or a short reason when the line cannot be used.

    "blank" and "comment" are not errors (the decoder counts them without rejecting).
    """
    line = line.strip(STRIP_BYTES)
    if not line:
        return "blank"
    if line[:1] == b"#":
        return "comment"
    out = ParsedLine()
    if line[:1] == b"\\":
        end = line.find(b"\\", 1)
        if end < 0:
            return "bad_tag_block"
        tag = parse_tag_block(line[1:end])
        if isinstance(tag, str):
            return tag
        out.tag = tag
        out.receiver = tag.get("s")
        line = line[end + 1 :]
        if not line:
            return "truncated"
    start = line[:1]
    if start not in (b"!", b"$"):
        return "not_nmea"
    star = line.find(b"*")
    if star < 0 or len(line) < star + 3:
        return "truncated"
    body = line[1:star]
    if not _checksum_ok(body, line[star + 1 : star + 3]):
        if line[star + 1 : star + 3].isalnum():
            return "bad_checksum"
        return "truncated"
    trailer = line[star + 3 :]
    if trailer[:1] == b",":
        _parse_trailer(trailer, out)
    elif trailer:
        # Junk after the checksum (e.g. a literal "\x0d\x0a") cannot change the checksummed sentence.
        out.trailer_ignored = True
    if start == b"$":
        if body[:4] == b"PGHP":
            return _parse_gatehouse(body, out)
        return "not_ais"
    fields = body.split(b",")
    address = fields[0]
    if len(address) != 5 or address[2:] not in (b"VDM", b"VDO"):
        return "not_ais"
    if len(fields) != 7:
        return "bad_sentence"
    total, number, seq_id, channel, payload, fill = fields[1:]
    if not (total.isdigit() and number.isdigit() and fill.isdigit() and len(fill) == 1):
        return "bad_sentence"
    n_total, n_number = int(total), int(number)
    if not 1 <= n_number <= n_total <= 9 or len(seq_id) > 1 or len(channel) > 1:
        return "bad_sentence"
    if not payload:
        return "empty_payload"
    if not payload_is_valid(payload):
        return "bad_payload"
    out.sentence = Sentence(
        talker=address[:2],
        own_ship=address[2:] == b"VDO",
        total=n_total,
        number=n_number,
        seq_id=seq_id,
        channel=channel,
        payload=payload,
        fill_bits=int(fill),
    )
    return out


def build_sentence(
    payload: bytes,
    fill_bits: int,
    *,
    talker: bytes = b"AI",
    channel: bytes = b"A",
    total: int = 1,
    number: int = 1,
    seq_id: bytes = b"",
) -> bytes:
    """One `!AIVDM` sentence with its checksum."""
    body = b"%sVDM,%d,%d,%s,%s,%s,%d" % (talker, total, number, seq_id, channel, payload, fill_bits)
    return b"!%s*%02X" % (body, nmea_checksum(body))
