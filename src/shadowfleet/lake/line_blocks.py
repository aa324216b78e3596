"""Cut a byte stream into blocks of exactly N lines without splitting it into line objects.

A line ends at LF (so CR LF lines keep their CR, as `readlines` does); a last line without LF counts.
Blocks are what the NMEA chunk keys hash, so the cut points are those of N-line chunks.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

import numpy as np

READ_BYTES = 1 << 24
LF = 10


def iter_line_blocks(
    stream: BinaryIO, max_lines: int, read_bytes: int = READ_BYTES
) -> Iterator[tuple[bytes, int]]:
    """(block, n_lines) pairs: `max_lines` whole lines each (line endings kept), the last one fewer."""
    if max_lines < 1:
        raise ValueError(f"chunk size must be at least one line, got {max_lines}")
    parts: list[bytes] = []
    have = 0  # lines in `parts`
    while block := stream.read(read_bytes):
        in_block = block.count(b"\n")
        if have + in_block < max_lines:
            parts.append(block)
            have += in_block
            continue
        # at least one cut falls in this block: locate its line ends once
        ends = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == LF) + 1
        pos = taken = 0
        while have + in_block - taken >= max_lines:
            taken += max_lines - have
            cut = int(ends[taken - 1])
            parts.append(block[pos:cut])
            yield b"".join(parts), max_lines
            parts, have, pos = [], 0, cut
        if pos < len(block):
            parts.append(block[pos:])
            have = in_block - taken
    if parts:
        data = b"".join(parts)
        yield data, have + (0 if data.endswith(b"\n") else 1)


def line_ends(data: bytes) -> np.ndarray:
    """Offset just past each line of `data` (a last line without LF ends at len(data))."""
    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == LF) + 1
    if data and not data.endswith(b"\n"):
        ends = np.append(ends, len(data))
    return ends
