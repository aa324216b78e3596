"""Process-wide allocator settings for long batch jobs (the ingest command).

Decoding a chunk allocates and frees hundreds of MB of arrays. glibc hands allocations above its mmap
threshold (at most 32 MiB by default) straight back to the kernel when they are freed, so the next chunk
maps them again and pays a page fault for every 4 KiB it touches: on virtual machines that was a third of
the decoding time. Raising the threshold keeps freed memory in the heap for the next chunk; peak
resident memory is unchanged, it is just not returned before the job ends.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
KEEP_BYTES = 1 << 30


def keep_freed_memory() -> bool:
    """Ask glibc to reuse freed memory instead of returning it; False where that is not glibc."""
    if not sys.platform.startswith("linux"):
        return False
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # musl and others have no mallopt
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, KEEP_BYTES)) and bool(mallopt(M_TRIM_THRESHOLD, 2 * KEEP_BYTES))
