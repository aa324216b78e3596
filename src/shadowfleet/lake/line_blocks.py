"""Cut a byte stream into blocks of exactly N lines without splitting it into line objects.

A line ends at LF (so CR LF lines keep their CR, as `readlines` does); a last line without LF counts.
Blocks are what the NMEA chunk keys hash, so the cut points are those of N-line chunks. So that memory
stays bounded on input that is not line-structured (a huge file without newlines), a block is also cut
once it reaches `max_bytes`: after its last LF, or, with none, right there (its "line" then continues in
the next block). NMEA lines are under 300 bytes, so real logs never meet that limit.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

import numpy as np

READ_BYTES = 1 << 24
MAX_BLOCK_BYTES = 1 << 28
LF = 10


def iter_line_blocks(
    stream: BinaryIO, max_lines: int, read_bytes: int = READ_BYTES, max_bytes: int = MAX_BLOCK_BYTES
) -> Iterator[tuple[bytes, int]]:
    """(block, n_lines) pairs: `max_lines` whole lines each (line endings kept), the last one fewer."""
    if max_lines < 1:
        raise ValueError(f"chunk size must be at least one line, got {max_lines}")
    parts: list[bytes] = []
    have = 0  # lines in `parts`
    size = 0  # bytes in `parts`
    while block := stream.read(read_bytes):
        in_block = block.count(b"\n")
        if have + in_block < max_lines:
            parts.append(block)
            have += in_block
            size += len(block)
            if size >= max_bytes:
                yield _oversized(parts)
                parts = [parts[-1]] if parts[-1] else []
                size = len(parts[0]) if parts else 0
                have = 0
            continue
        # at least one cut falls in this block: locate its line ends once
        ends = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == LF) + 1
        pos = taken = 0
        while have + in_block - taken >= max_lines:
            taken += max_lines - have
            cut = int(ends[taken - 1])
            parts.append(block[pos:cut])
            yield b"".join(parts), max_lines
            parts, have, size, pos = [], 0, 0, cut
        if pos < len(block):
            parts.append(block[pos:])
            have = in_block - taken
            size = len(block) - pos
    if parts:
        data = b"".join(parts)
        yield data, have + (0 if data.endswith(b"\n") else 1)


def _oversized(parts: list[bytes]) -> tuple[bytes, int]:
    """Emit all of `parts` up to its last LF (or all of it, with none); leaves the rest as parts[-1]."""
    data = b"".join(parts)
    cut = data.rfind(b"\n") + 1 or len(data)
    parts[-1] = data[cut:]
    head = data[:cut]
    return head, head.count(b"\n") + (0 if head.endswith(b"\n") else 1)


def line_ends(data: bytes) -> np.ndarray:
    """Offset just past each line of `data` (a last line without LF ends at len(data))."""
    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == LF) + 1
    if data and not data.endswith(b"\n"):
        ends = np.append(ends, len(data))
    return ends
