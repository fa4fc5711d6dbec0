"""Garbage collection for a long-lived process that makes short-lived objects in bursts."""

from __future__ import annotations

import gc

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
