"""A realistic generated AIVDM corpus for the ingest benchmark, built with NumPy in blocks.

Message mix (by message): 80% types 1/2/3, 7% type 18, 6% type 5 (two sentences each), 5% type 24
(parts A and B alternating), 2% type 4 (base stations). Plain lines as AIS-catcher or rtl-ais print
them (no tag block), channels A/B, valid checksums; a fleet of `n_vessels` MMSIs with plausible values.

    python -m bench.ingest_corpus OUT.nmea --lines 1000000
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import numpy as np

MIX = {"pos": 0.80, "t18": 0.07, "t5": 0.06, "t24": 0.05, "t4": 0.02}
_TEXT_CHARS = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ ", dtype=np.uint8)


def _armour(values: np.ndarray) -> np.ndarray:
    return np.where(values < 40, values + 48, values + 56).astype(np.uint8)


def _bits(fields: list[tuple[np.ndarray, int]], n: int, fill_to: int) -> np.ndarray:
    """(n, total bits padded to a multiple of 6) uint8 bit matrix from (values, width) fields."""
    cols = []
    for values, width in fields:
        v = np.asarray(values, dtype=np.int64) & ((1 << width) - 1)
        shifts = np.arange(width - 1, -1, -1, dtype=np.int64)
        cols.append(((v[:, None] >> shifts) & 1).astype(np.uint8))
    bits = np.concatenate(cols, axis=1)
    pad = fill_to - bits.shape[1]
    if pad:
        bits = np.concatenate([bits, np.zeros((n, pad), dtype=np.uint8)], axis=1)
    return bits


def _payload(bits: np.ndarray) -> np.ndarray:
    groups = bits.reshape(bits.shape[0], -1, 6)
    values = (groups * np.array([32, 16, 8, 4, 2, 1], dtype=np.uint8)).sum(axis=2)
    return _armour(values)


def _text(rng: np.random.Generator, n: int, chars: int) -> list[tuple[np.ndarray, int]]:
    """`chars` six-bit characters per row: random capitals and spaces, '@'-padded tails."""
    codes = rng.choice(_TEXT_CHARS, size=(n, chars)).astype(np.int64)
    length = rng.integers(chars // 3, chars + 1, size=n)
    codes[np.arange(chars)[None, :] >= length[:, None]] = ord("@")
    sixbit = np.where(codes >= 64, codes - 64, codes)
    return [(sixbit[:, i], 6) for i in range(chars)]


def _sentences(payload: np.ndarray, head: list[bytes], fill: int) -> list[bytes]:
    """NMEA lines from a payload matrix; `head[i]` is everything between '!' and the payload."""
    out = []
    tail = b",%d" % fill
    for h, p in zip(head, payload, strict=True):
        body = h + p.tobytes() + tail
        cs = 0
        for b in body:
            cs ^= b
        out.append(b"!" + body + b"*%02X\n" % cs)
    return out


def _checksummed(body: np.ndarray) -> np.ndarray:
    """Append '*hh\\n' to fixed-width bodies (the bytes between '!' and '*') in one vectorised pass."""
    cs = np.bitwise_xor.reduce(body, axis=1)
    hexdigits = np.frombuffer(b"0123456789ABCDEF", dtype=np.uint8)
    n = body.shape[0]
    tail = np.empty((n, 4), dtype=np.uint8)
    tail[:, 0] = ord("*")
    tail[:, 1] = hexdigits[cs >> 4]
    tail[:, 2] = hexdigits[cs & 15]
    tail[:, 3] = ord("\n")
    bang = np.full((n, 1), ord("!"), dtype=np.uint8)
    return np.concatenate([bang, body, tail], axis=1)


def _single(payload: np.ndarray, channels: np.ndarray, fill: int) -> np.ndarray:
    """Single-part sentences as a byte matrix (all rows the same width)."""
    n = payload.shape[0]
    prefix = np.frombuffer(b"AIVDM,1,1,,A,", dtype=np.uint8)
    head = np.tile(prefix, (n, 1))
    head[:, 11] = channels
    suffix = np.tile(np.frombuffer(b",%d" % fill, dtype=np.uint8), (n, 1))
    return _checksummed(np.concatenate([head, payload, suffix], axis=1))


def _tagged(message: bytes, epoch_s: int) -> bytes:
    tag = b"c:%d" % epoch_s
    cs = 0
    for b in tag:
        cs ^= b
    prefix = b"\\" + tag + b"*%02X\\" % cs
    return b"".join(prefix + line for line in message.splitlines(keepends=True))


class CorpusGenerator:
    def __init__(self, seed: int = 7, n_vessels: int = 20_000) -> None:
        self.rng = np.random.default_rng(seed)
        self.mmsi = self.rng.integers(200_000_000, 775_999_999, size=n_vessels)
        self.seq = 0

    def block(self, n_messages: int, *, tag_epoch_s: int | None = None) -> bytes:
        """`n_messages` messages in random order; with `tag_epoch_s`, each line gets an NMEA 4 tag block
        `\\c:<unix seconds>*hh\\` (one second per message from `tag_epoch_s`), as aggregators send."""
        rng = self.rng
        kinds = rng.choice(list(MIX), size=n_messages, p=list(MIX.values()))
        channels = rng.choice(np.frombuffer(b"AB", dtype=np.uint8), size=n_messages)
        lines: list[np.ndarray | list[bytes]] = []
        order: list[np.ndarray] = []
        for kind in MIX:
            idx = np.flatnonzero(kinds == kind)
            n = idx.size
            if n == 0:
                continue
            mmsi = rng.choice(self.mmsi, size=n)
            if kind in ("pos", "t18", "t4"):
                lon = rng.uniform(-80, -55, n)
                lat = rng.uniform(5, 20, n)
                lon_raw = np.round(lon * 600_000).astype(np.int64)
                lat_raw = np.round(lat * 600_000).astype(np.int64)
            if kind == "pos":
                msg_type = rng.choice([1, 2, 3], size=n, p=[0.75, 0.05, 0.20])
                fields = [
                    (msg_type, 6),
                    (np.zeros(n), 2),
                    (mmsi, 30),
                    (rng.integers(0, 9, n), 4),
                    (rng.integers(-126, 127, n), 8),
                    (rng.integers(0, 230, n), 10),
                    (rng.integers(0, 2, n), 1),
                    (lon_raw, 28),
                    (lat_raw, 27),
                    (rng.integers(0, 3600, n), 12),
                    (rng.integers(0, 360, n), 9),
                    (rng.integers(0, 60, n), 6),
                    (np.zeros(n), 2),
                    (np.zeros(n), 3),
                    (np.zeros(n), 1),
                    (rng.integers(0, 1 << 19, n), 19),
                ]
                lines.append(_single(_payload(_bits(fields, n, 168)), channels[idx], 0))
                order.append(idx)
            elif kind == "t18":
                fields = [
                    (np.full(n, 18), 6),
                    (np.zeros(n), 2),
                    (mmsi, 30),
                    (np.zeros(n), 8),
                    (rng.integers(0, 150, n), 10),
                    (rng.integers(0, 2, n), 1),
                    (lon_raw, 28),
                    (lat_raw, 27),
                    (rng.integers(0, 3600, n), 12),
                    (rng.choice([511, 90, 180], n), 9),
                    (rng.integers(0, 60, n), 6),
                    (np.zeros(n), 2),
                    (np.ones(n), 1),
                    (np.zeros(n), 5),
                    (np.zeros(n), 1),
                    (rng.integers(0, 1 << 20, n), 20),
                ]
                lines.append(_single(_payload(_bits(fields, n, 168)), channels[idx], 0))
                order.append(idx)
            elif kind == "t4":
                fields = [
                    (np.full(n, 4), 6),
                    (np.zeros(n), 2),
                    (rng.integers(2_000_000, 7_999_999, n), 30),
                    (np.full(n, 2024), 14),
                    (rng.integers(1, 13, n), 4),
                    (rng.integers(1, 29, n), 5),
                    (rng.integers(0, 24, n), 5),
                    (rng.integers(0, 60, n), 6),
                    (rng.integers(0, 60, n), 6),
                    (np.ones(n), 1),
                    (lon_raw, 28),
                    (lat_raw, 27),
                    (np.ones(n), 4),
                    (np.zeros(n), 10),
                    (np.zeros(n), 1),
                    (rng.integers(0, 1 << 19, n), 19),
                ]
                lines.append(_single(_payload(_bits(fields, n, 168)), channels[idx], 0))
                order.append(idx)
            elif kind == "t24":
                part_b = rng.integers(0, 2, n).astype(bool)
                for is_b in (False, True):
                    sub = idx[part_b == is_b]
                    m = sub.size
                    if m == 0:
                        continue
                    sub_mmsi = mmsi[part_b == is_b]
                    if not is_b:
                        fields = [(np.full(m, 24), 6), (np.zeros(m), 2), (sub_mmsi, 30), (np.zeros(m), 2)]
                        fields += _text(rng, m, 20)
                        lines.append(_single(_payload(_bits(fields, m, 162)), channels[sub], 2))
                    else:
                        fields = [
                            (np.full(m, 24), 6),
                            (np.zeros(m), 2),
                            (sub_mmsi, 30),
                            (np.ones(m), 2),
                            (rng.choice([36, 37, 30, 52], m), 8),
                            *_text(rng, m, 3),
                            (rng.integers(0, 16, m), 4),
                            (rng.integers(0, 1 << 20, m), 20),
                            *_text(rng, m, 7),
                            (rng.integers(5, 30, m), 9),
                            (rng.integers(2, 10, m), 9),
                            (rng.integers(1, 5, m), 6),
                            (rng.integers(1, 5, m), 6),
                            (np.zeros(m), 6),
                        ]
                        lines.append(_single(_payload(_bits(fields, m, 168)), channels[sub], 0))
                    order.append(sub)
            else:  # t5: two sentences per message
                fields = [
                    (np.full(n, 5), 6),
                    (np.zeros(n), 2),
                    (mmsi, 30),
                    (np.zeros(n), 2),
                    (rng.integers(9_000_000, 9_999_999, n), 30),
                    *_text(rng, n, 7),
                    *_text(rng, n, 20),
                    (rng.choice([80, 81, 82, 70, 71, 60], n), 8),
                    (rng.integers(50, 300, n), 9),
                    (rng.integers(10, 60, n), 9),
                    (rng.integers(5, 25, n), 6),
                    (rng.integers(5, 25, n), 6),
                    (np.ones(n), 4),
                    (rng.integers(1, 13, n), 4),
                    (rng.integers(1, 29, n), 5),
                    (rng.integers(0, 24, n), 5),
                    (rng.integers(0, 60, n), 6),
                    (rng.integers(30, 200, n), 8),
                    *_text(rng, n, 20),
                    (np.zeros(n), 1),
                    (np.zeros(n), 1),
                ]
                payload = _payload(_bits(fields, n, 426))
                pairs: list[bytes] = []
                for i in range(n):
                    seq = self.seq % 10
                    self.seq += 1
                    ch = channels[idx[i] : idx[i] + 1].tobytes()
                    pairs.append(
                        b"".join(
                            _sentences(payload[i : i + 1, :60], [b"AIVDM,2,1,%d,%s," % (seq, ch)], 0)
                            + _sentences(payload[i : i + 1, 60:], [b"AIVDM,2,2,%d,%s," % (seq, ch)], 2)
                        )
                    )
                lines.append(pairs)
                order.append(idx)
        # back to the random message order
        by_msg: list[bytes] = [b""] * n_messages
        for group, positions in zip(lines, order, strict=True):
            rows = [r.tobytes() for r in group] if isinstance(group, np.ndarray) else group
            for pos, row in zip(positions.tolist(), rows, strict=True):
                by_msg[pos] = row
        if tag_epoch_s is not None:
            by_msg = [_tagged(msg, tag_epoch_s + i) for i, msg in enumerate(by_msg)]
        return b"".join(by_msg)


def generate(
    path: Path,
    n_lines: int,
    *,
    seed: int = 7,
    block_messages: int = 100_000,
    tag_epoch_s: int | None = None,
) -> int:
    """Write about `n_lines` lines (type 5 adds two per message) to `path`; returns lines written.

    With `tag_epoch_s`, lines carry tag-block receive times (one second apart per message)."""
    gen = CorpusGenerator(seed)
    written = messages = 0
    with open(path, "wb") as out:
        while written < n_lines:
            n = min(block_messages, max(1, int((n_lines - written) / 1.06)))
            epoch = None if tag_epoch_s is None else tag_epoch_s + messages
            data = gen.block(n, tag_epoch_s=epoch)
            out.write(data)
            written += data.count(b"\n")
            messages += n
    return written


def iter_blocks(n_messages: int, *, seed: int = 7) -> Iterator[bytes]:
    gen = CorpusGenerator(seed)
    while n_messages > 0:
        k = min(100_000, n_messages)
        yield gen.block(k)
        n_messages -= k


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    n = generate(args.out, args.lines, seed=args.seed)
    print(f"wrote {n:,} lines to {args.out}")


if __name__ == "__main__":
    main()
