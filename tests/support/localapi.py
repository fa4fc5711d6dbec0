"""Fixtures for tests against the local Bot API: the server, its control client, a PTB Bot.

Test modules take them by name: `local_api = localapi.local_api` (etc.) at module level.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import telegram

from core.clock import FixedClock
from localapi import ControlClient, Core, Limits, LocalBotApi, Options, WebhookTiming


class FakeMonotonic:
    """A monotonic clock for flood-limit windows that moves only when a test moves it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def monotonic() -> FakeMonotonic:
    return FakeMonotonic()


@pytest.fixture
async def local_api(clock: FixedClock, monotonic: FakeMonotonic) -> AsyncIterator[LocalBotApi]:
    """A running server; flood limits start off (tests about limits switch them on)."""
    options = Options(
        limits=Limits(enabled=False),
        webhook=WebhookTiming(first_retry=0.01, max_retry=0.05, answer_timeout=5.0),
    )
    server = LocalBotApi(Core(options, clock, monotonic))
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def control(local_api: LocalBotApi) -> AsyncIterator[ControlClient]:
    async with ControlClient(local_api.url) as client:
        yield client


@pytest.fixture
async def ptb_bot(local_api: LocalBotApi) -> AsyncIterator[telegram.Bot]:
    """python-telegram-bot's real Bot, pointed at the local server."""
    bot = telegram.Bot(
        local_api.token, base_url=local_api.base_url, base_file_url=local_api.base_file_url
    )
    async with bot:
        yield bot
