"""Telegram's documented limits: text lengths, keyboards, and the flood limits that give 429.

Flood limits (switchable) are token buckets on an injected monotonic clock:
- every chat: a burst of `chat_burst` messages, then `chat_rate` per second (Telegram: "avoid
  more than one message per second ... short bursts may be allowed");
- groups additionally: `group_per_minute` messages per minute (Telegram: 20);
- the whole bot: `overall_rate` messages per second (Telegram: about 30).
A refused request takes no token and gets `retry_after` = whole seconds until it would pass;
`refused_by` counts it under each limit that refused it ("all", "chat", "group"), so a test can
tell a bot over its overall rate from a chat sent a burst.
`busiest_second` is the most messages accepted within any one second (a sliding window): with
several bot instances sending at once, their combined rate, for a test to hold to the limit.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import ForceReply, InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove

from localapi.errors import bad_request, too_many_requests
from localapi.markup import Formatted

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
BAD_MARKUP = "can't parse reply keyboard markup JSON object"
ReplyMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply


def check_text(formatted: Formatted) -> None:
    if not formatted.text:
        raise bad_request("message text is empty")
    if len(formatted.text) > MAX_TEXT:
        raise bad_request("message is too long")


def check_caption(formatted: Formatted) -> None:
    if len(formatted.text) > MAX_CAPTION:
        raise bad_request("message caption is too long")


def reply_markup(data: dict[str, Any] | None) -> ReplyMarkup | None:
    """Parses reply_markup of any kind, refusing what Telegram refuses in inline keyboards."""
    if data is None:
        return None
    try:
        return _markup(data)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise bad_request(BAD_MARKUP) from error


def _markup(data: dict[str, Any]) -> ReplyMarkup:
    if "inline_keyboard" in data:
        markup = InlineKeyboardMarkup.de_json(data, None)
        for row in markup.inline_keyboard:
            for button in row:
                _check_button(button.to_dict())
        return markup
    if "keyboard" in data:
        return ReplyKeyboardMarkup.de_json(data, None)
    if data.get("remove_keyboard"):
        return ReplyKeyboardRemove.de_json(data, None)
    if data.get("force_reply"):
        return ForceReply.de_json(data, None)
    raise bad_request(BAD_MARKUP)


def _check_button(button: dict[str, Any]) -> None:
    data = button.get("callback_data")
    if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
        raise bad_request("BUTTON_DATA_INVALID")
    if set(button) == {"text"}:
        raise bad_request("text buttons are unallowed in the inline keyboard")


@dataclass
class Limits:
    """Flood limits; `enabled=False` (benchmarks) lets everything through."""

    enabled: bool = True
    chat_burst: int = 3
    chat_rate: float = 1.0
    group_per_minute: int = 20
    overall_rate: float = 30.0


@dataclass
class _Bucket:
    capacity: float
    rate: float
    tokens: float
    updated: float

    def wait(self, now: float) -> float:
        """Seconds until one token is available (0 when one is there now)."""
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


@dataclass
class RateLimiter:
    """Per-chat, per-group and overall token buckets; raises 429 like Telegram."""

    limits: Limits
    monotonic: Callable[[], float]
    refused: int = 0
    refused_by: Counter[str] = field(default_factory=Counter)
    busiest_second: int = 0
    _buckets: dict[tuple[str, int], _Bucket] = field(default_factory=dict)
    _last_second: deque[float] = field(default_factory=deque)

    def take(self, chat_id: int, is_group: bool) -> None:
        now = self.monotonic()
        if not self.limits.enabled:
            self._count(now)
            return
        limits = self.limits
        buckets = {
            "all": self._bucket(("all", 0), limits.overall_rate, limits.overall_rate, now),
            "chat": self._bucket(("chat", chat_id), limits.chat_burst, limits.chat_rate, now),
        }
        if is_group:
            per_minute = limits.group_per_minute
            buckets["group"] = self._bucket(("group", chat_id), per_minute, per_minute / 60, now)
        waits = {kind: bucket.wait(now) for kind, bucket in buckets.items()}
        if (wait := max(waits.values())) > 0:
            self.refused += 1
            self.refused_by.update(kind for kind, waiting in waits.items() if waiting > 0)
            raise too_many_requests(max(1, math.ceil(wait)))
        for bucket in buckets.values():
            bucket.tokens -= 1
        self._count(now)

    def _count(self, now: float) -> None:
        """An accepted message, in the sliding second that ends now."""
        recent = self._last_second
        recent.append(now)
        while recent[0] <= now - 1.0:
            recent.popleft()
        self.busiest_second = max(self.busiest_second, len(recent))

    def reset(self) -> None:
        self._buckets.clear()
        self._last_second.clear()
        self.refused = 0
        self.refused_by.clear()
        self.busiest_second = 0

    def _bucket(self, key: tuple[str, int], capacity: float, rate: float, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(capacity, rate, capacity, now)
        return bucket
