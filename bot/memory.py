"""Memory of a long-lived process that makes short-lived objects in bursts: the garbage
collector's settings, and what a tick pass freed given back."""

from __future__ import annotations

import ctypes
import functools
import gc
from collections.abc import Callable

FIRST_GENERATION_THRESHOLD = 50_000  # CPython's default is 700


def collect_rarely() -> None:
    """The first generation collected after FIRST_GENERATION_THRESHOLD new container objects.

    Called before `advisorybot` imports its modules: they make some 140,000 objects that live
    as long as the process, and the default (a collection every 700 of them) spent ~0.08 s of
    the start's CPU on passes that found nothing to free (bench/README.md, issue 23).
    """
    _, second, third = gc.get_threshold()
    gc.set_threshold(FIRST_GENERATION_THRESHOLD, second, third)


def tune_gc() -> None:
    """Call once, after start-up.

    What start-up made (modules, classes, settings) lives as long as the process: `gc.freeze`
    takes it out of every later collection. And the first generation is collected after 50,000
    new container objects instead of 700: a tick at national scale makes a few hundred thousand
    short-lived ones (rows read, messages planned), and with the defaults a quarter of its time
    went to collections that found nothing to free (bench/README.md). Memory held by garbage
    cycles waits a little longer; none is kept.
    """
    gc.freeze()
    collect_rarely()


def after_tick() -> None:
    """Once a minute, at the tick (its pass, where this instance holds it): the first
    generation's garbage cycles collected (a pass over the objects made since the last
    collection: under a millisecond when idle), and the C heap's free pages given back to the
    system.

    With the first generation collected every 50,000 new objects, an idle bot (a tick a
    minute, the sender's and the intake's waits) took ~40 minutes to reach one, and the cycles
    it made meanwhile (~0.4 MB a minute) waited for it: its memory crept for as long. A pass
    frees what it read and planned; glibc's malloc keeps the pages of larger objects and of
    SQLite's threads until trimmed (bench/README.md, issue 23).
    """
    gc.collect(0)
    give_back()


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim  # the libc already loaded
    except AttributeError:  # not glibc (musl, macOS): no such call
        return None
    return trim


def give_back() -> bool:
    """Return the free pages of the C heap to the system; False where it cannot be done (no
    glibc) or nothing was returned."""
    trim = _malloc_trim()
    return trim is not None and trim(0) == 1
