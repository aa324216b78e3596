"""Process-wide allocator settings for long batch commands (ingest). Not a command module.

Decoding a chunk allocates and frees hundreds of MB of arrays. glibc hands allocations above its mmap
threshold (at most 32 MiB by default) straight back to the kernel when they are freed, so the next chunk
maps them again and pays a page fault for every 4 KiB it touches: on virtual machines that cost up to a third of
the decoding time. Raising the threshold keeps freed memory in the heap for the next chunk; one arena for
all threads keeps that memory shared between the reader, decoder and writer threads. Peak resident
memory is unchanged; it is just not returned before the job ends.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
KEEP_BYTES = 1 << 30


def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
        libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        libc.mallopt.restype = ctypes.c_int
    except (OSError, AttributeError):  # musl and others have no mallopt
        return None
    return libc


def keep_freed_memory() -> bool:
    """Ask glibc to reuse freed memory instead of returning it; False where that is not glibc."""
    libc = _libc()
    if libc is None:
        return False
    return all(
        libc.mallopt(option, value)
        for option, value in (
            (M_ARENA_MAX, 1),
            (M_MMAP_THRESHOLD, KEEP_BYTES),
            (M_TRIM_THRESHOLD, 2 * KEEP_BYTES),
        )
    )
