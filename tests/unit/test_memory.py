"""bot/memory.py: what the C heap freed goes back to the system, where glibc can do it."""

from __future__ import annotations

import ctypes
import gc
import platform
import weakref

import pytest

from bot import memory

CHUNK = 64 * 1024  # under glibc's threshold for a mapping of its own: these come from the heap
CHUNKS = 320  # 20 MB


def resident_kb() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")
def test_freed_heap_memory_is_given_back() -> None:
    chunks = [bytearray(CHUNK) for _ in range(CHUNKS)]
    for chunk in chunks:
        chunk[::4096] = b"x" * len(chunk[::4096])  # touched: resident
    keeper = bytearray(1024)  # above them in the heap: free() alone cannot shrink it
    before = resident_kb()
    del chunks
    assert memory.give_back()
    assert resident_kb() < before - CHUNKS * CHUNK // 1024 // 2
    assert keeper  # held to the end


def test_without_glibc_nothing_is_done(monkeypatch: pytest.MonkeyPatch) -> None:
    memory._malloc_trim.cache_clear()
    monkeypatch.setattr(ctypes, "CDLL", lambda _name: object())  # no malloc_trim in it
    try:
        assert memory.give_back() is False
    finally:
        memory._malloc_trim.cache_clear()


class Node:
    """Half of a reference cycle: freed by the collector only."""

    other: Node | None = None


def test_after_a_tick_the_garbage_cycles_waiting_are_collected() -> None:
    thresholds = gc.get_threshold()
    memory.collect_rarely()  # as `advisorybot` runs: a collection every 50,000 new objects
    gc.collect()  # the count starts from nothing: no collection comes on its own below
    try:
        first, second = Node(), Node()
        first.other, second.other = second, first
        gone = weakref.ref(first)
        del first, second
        assert gone() is not None  # waiting for a collection
        memory.after_tick()
        assert gone() is None
    finally:
        gc.set_threshold(*thresholds)
