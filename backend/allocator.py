"""Keep freed heap memory mapped: glibc's malloc tuned for numpy's per-tick temporaries.

A tick allocates and frees hundreds of numpy arrays of 0.1 to a few MB. With glibc's defaults
the larger ones are mmapped and unmapped every time and the top of the heap is trimmed back
to the OS, so each tick page-faults its temporaries in again (measured: the delegator about
20 % slower at 10,000 satellites). These settings serve such arrays from the heap and keep
its top mapped; the process then holds on to its peak working set (tens of MB) between
ticks. Entry points call `keep_heap()` once; `MALLOC_TUNING=0` turns it off. The
simulation core never calls it: it is a property of the process, not of the library.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD, M_ARENA_MAX = -1, -2, -3, -8  # glibc <malloc.h>
MB = 1 << 20
# Two arenas at most: each thread that allocates under contention otherwise gets its own arena,
# and with the settings above every arena keeps its freed top. Under ASYNC_MODE=threading (a
# thread per client) 10 connects at 100,000 satellites grew RSS by ~290 MB with the default
# arena count and by ~170-180 MB with one or two (benchmarks/RESULTS.md, overload section).
SETTINGS = ((M_MMAP_THRESHOLD, 32 * MB), (M_TRIM_THRESHOLD, 256 * MB), (M_TOP_PAD, 16 * MB), (M_ARENA_MAX, 2))


def keep_heap(environ=os.environ) -> bool:
    """Apply SETTINGS with mallopt; False (and nothing changed) off glibc or when disabled."""
    if environ.get("MALLOC_TUNING", "1").strip().lower() in ("0", "false", "no", "off"):
        return False
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        mallopt = libc.mallopt if libc is not None else None
    except (OSError, AttributeError):  # not glibc (musl, macOS): no mallopt
        return False
    if mallopt is None:
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return all(mallopt(param, value) == 1 for param, value in SETTINGS)
