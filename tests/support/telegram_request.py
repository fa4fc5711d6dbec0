"""An in-process Bot API for tests, plugged in where PTB's own tests plug OfflineRequest.

`FakeBotApi` is a `telegram.request.BaseRequest`: a real `telegram.Bot` (or `ExtBot` with the
rate limiter) talks to it, so PTB's own error handling turns the scripted answers into
RetryAfter, Forbidden, BadRequest, NetworkError and TimedOut exactly as with Telegram.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from telegram import Bot, Chat, Document, Message, MessageId, PhotoSize, User
from telegram.error import TimedOut
from telegram.request import BaseRequest, RequestData
from typing_extensions import override

from core.clock import Clock, FixedClock

TOKEN = "123456:TEST-token-never-logged"
BOT_USER = User(id=123456, is_bot=True, first_name="Advisory", username="advisory_test_bot")


@dataclass(frozen=True)
class ApiCall:
    """One Bot API request as Telegram would receive it."""

    method: str
    params: dict[str, Any]


@dataclass(frozen=True)
class ApiError:
    """A Bot API error answer (`"ok": false`), with `retry_after` for flood control."""

    status: int
    description: str
    retry_after: int | None = None

    def body(self) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            answer["parameters"] = {"retry_after": self.retry_after}
        return answer


@dataclass(frozen=True)
class Timeout:
    """No answer in time: TimedOut from aiohttp's error, as outbox/transport.py raises it. A read
    timeout comes after the request went out (with `delivered` Telegram did take it); a
    connection timeout (none made, or none free in the pool) before."""

    delivered: bool = False
    connecting: bool = False

    def error(self) -> TimedOut:
        if self.connecting:
            cause: aiohttp.ServerTimeoutError = aiohttp.ConnectionTimeoutError()
        else:
            cause = aiohttp.SocketTimeoutError()
        error = TimedOut()
        error.__cause__ = cause
        return error


Outcome = ApiError | Timeout
Responder = Callable[[ApiCall], Outcome | None]

SERVER_ERROR = ApiError(500, "Internal Server Error")
BLOCKED = ApiError(403, "Forbidden: bot was blocked by the user")
CHAT_NOT_FOUND = ApiError(400, "Bad Request: chat not found")
NOT_FOUND = ApiError(404, "Not Found")  # what Telegram answers for a method it does not know
TIMEOUT = Timeout()  # the message did not arrive, but nothing tells the bot so
SLOW = Timeout(delivered=True)  # arrived; the answer came too late
CONNECT_TIMEOUT = Timeout(connecting=True)  # never left the bot


def flood(retry_after: int) -> ApiError:
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)


def failing_for(chat_id: int, outcome: Outcome) -> Responder:
    """Every send to this chat gets `outcome`; other chats work."""

    def respond(call: ApiCall) -> Outcome | None:
        return outcome if call.params.get("chat_id") == chat_id else None

    return respond


class FakeBotApi(BaseRequest):
    """Answers like Telegram; `fail_next` queues failures, `responder` decides per call."""

    def __init__(self, clock: Clock) -> None:
        self.calls: list[ApiCall] = []
        self.delivered: list[ApiCall] = []  # what reached the chat, whatever the bot heard
        self.responder: Responder | None = None
        self._clock = clock
        self._queued: deque[Outcome] = deque()
        self._message_ids = itertools.count(1)

    def fail_next(self, *outcomes: Outcome) -> None:
        """The next sends (not getMe) get these answers, in order; then success again."""
        self._queued.extend(outcomes)

    @property
    def sends(self) -> list[ApiCall]:
        return [call for call in self.calls if call.method != "getMe"]

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @override
    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        await asyncio.sleep(0)  # a real request yields: let concurrent senders interleave
        call = ApiCall(url.rsplit("/", 1)[-1], request_data.parameters if request_data else {})
        self.calls.append(call)
        outcome = self._scripted(call)
        if isinstance(outcome, Timeout):
            if outcome.delivered:
                self.delivered.append(call)
            raise outcome.error()
        if outcome is None:
            result = self._result(call)
            if result is not None:
                if call.method != "getMe":
                    self.delivered.append(call)
                return 200, json.dumps({"ok": True, "result": result}).encode()
            outcome = NOT_FOUND
        return outcome.status, json.dumps(outcome.body()).encode()

    def _scripted(self, call: ApiCall) -> Outcome | None:
        if call.method == "getMe":
            return None
        if self._queued:
            return self._queued.popleft()
        return self.responder(call) if self.responder else None

    def _result(self, call: ApiCall) -> dict[str, Any] | None:
        params = call.params
        if call.method == "getMe":
            return BOT_USER.to_dict()
        if call.method == "copyMessage":
            return MessageId(next(self._message_ids)).to_dict()
        media: dict[str, Any] = {}
        if call.method == "sendDocument":
            media["document"] = Document(params["document"], f"u-{params['document']}")
        elif call.method == "sendPhoto":
            media["photo"] = (PhotoSize(params["photo"], f"u-{params['photo']}", 800, 600),)
        elif call.method != "sendMessage":
            return None
        return Message(
            message_id=next(self._message_ids),
            date=self._clock.now(),
            chat=Chat(id=int(params["chat_id"]), type=Chat.PRIVATE),
            from_user=BOT_USER,
            text=params.get("text"),
            caption=params.get("caption"),
            **media,
        ).to_dict()


def offline_bot(api: FakeBotApi) -> Bot:
    """A plain Bot whose every request goes to `api`."""
    return Bot(TOKEN, request=api, get_updates_request=api)


@pytest.fixture
def api(clock: FixedClock) -> FakeBotApi:
    """Fixture: the scripted Bot API (test modules take it as `api = telegram_request.api`)."""
    return FakeBotApi(clock)


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    """Fixture: a started PTB Bot on the scripted API."""
    async with offline_bot(api) as started:
        yield started


@pytest.fixture
def timedelta_periods(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fixture: PTB 22's opt-in to timedelta time periods (RetryAfter.retry_after), as the
    bot runs."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
