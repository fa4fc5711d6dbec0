"""Memory a burst of work freed, given back to the system (glibc's `malloc_trim`).

A national tick pass reads and plans tens of thousands of objects and lets them go; CPython
returns its small-object arenas once empty, but what the C allocator (glibc's malloc) holds
for larger objects and for SQLite's threads stays with the process until trimmed: ~3-5 MB of
the idle bot's memory after a pass (bench/README.md, issue 23). Elsewhere (musl, macOS) there
is no such call and nothing is done.
"""

from __future__ import annotations

import ctypes
import functools
from collections.abc import Callable


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim  # the libc already loaded
    except AttributeError:
        return None
    return trim


def give_back() -> bool:
    """Return the free pages of the C heap to the system; False where it cannot be done (no
    glibc) or nothing was returned."""
    trim = _malloc_trim()
    return trim is not None and trim(0) == 1
