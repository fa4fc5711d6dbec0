"""`until_stopped`: a stop cancels the work, even work that swallowed a cancellation (Python
3.11's `asyncio.wait_for` does when what it waits for completes at the same moment): the
sandbox's walk once waited out a 15-second time-out after SIGTERM and ended in a traceback."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import pytest

from bot.intake import Stopped, until_stopped

GUARD_SECONDS = 5  # far above the stop's own time; a stop that waits out the work fails here


async def _swallows_one_cancellation(started: asyncio.Event) -> str:
    started.set()
    with contextlib.suppress(asyncio.CancelledError):  # as a swallowed one looks from outside
        await asyncio.sleep(3600)
    await asyncio.sleep(3600)
    return "finished"


async def _fails_when_cancelled(started: asyncio.Event) -> str:
    started.set()
    try:
        await asyncio.sleep(3600)
    except asyncio.CancelledError:
        raise LookupError("the time-out of what it waited for") from None
    return "finished"


@pytest.mark.parametrize("work", [_swallows_one_cancellation, _fails_when_cancelled])
async def test_a_stop_ends_the_work_whatever_it_does_with_the_cancellation(
    work: Callable[[asyncio.Event], Awaitable[str]], caplog: pytest.LogCaptureFixture
) -> None:
    started, stop = asyncio.Event(), asyncio.Event()
    waiting = asyncio.ensure_future(until_stopped(work(started), stop))
    await started.wait()
    stop.set()
    with pytest.raises(Stopped):
        await asyncio.wait_for(waiting, GUARD_SECONDS)
    failed = work is _fails_when_cancelled
    assert ("ended with LookupError" in caplog.text) is failed


async def test_work_done_before_a_stop_gives_its_result() -> None:
    async def work() -> str:
        return "done"

    assert await until_stopped(work(), asyncio.Event()) == "done"
