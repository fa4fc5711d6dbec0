"""Injected faults and call counters: what a test arranges to go wrong, and what happened.

A fault matches the next calls of one method (or of any method but getUpdates, so a polling
loop cannot swallow it) and optionally only calls aimed at one chat. Kinds:
`retry_after` (429 with retry_after), `server_error` (500), `bad_gateway` (502 with an HTML body
as a proxy sends it), `forbidden` (403 as if the user blocked the bot), `hang` (answer after
`seconds`: with `deliver` the call then takes effect, otherwise it fails with 504: a black hole
when `seconds` outlasts the client's patience) and `slow` (the call takes effect at once, its
answer comes after `seconds`: a timeout after delivery).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from localapi.errors import BLOCKED, ApiError, JSONDict, forbidden, too_many_requests

KINDS = frozenset({"retry_after", "server_error", "bad_gateway", "forbidden", "hang", "slow"})


@dataclass
class Fault:
    kind: str
    count: int = 1
    method: str | None = None
    chat_id: int | None = None
    retry_after: int = 1
    seconds: float = 0.0
    deliver: bool = False

    def matches(self, method: str, chat_id: int | None) -> bool:
        if self.method is None:
            method_matches = method != "getupdates"
        else:
            method_matches = self.method.lower() == method
        return method_matches and (self.chat_id is None or self.chat_id == chat_id)

    def error(self) -> ApiError:
        if self.kind == "retry_after":
            return too_many_requests(self.retry_after)
        if self.kind == "forbidden":
            return forbidden(BLOCKED)
        if self.kind == "hang":
            return ApiError(504, "Gateway Timeout")
        return ApiError(500, "Internal Server Error")


@dataclass
class Faults:
    """Armed faults, consumed in the order they were added."""

    armed: list[Fault] = field(default_factory=list)

    def add(self, spec: dict[str, Any]) -> Fault:
        fault = Fault(**spec)
        if fault.kind not in KINDS or fault.count < 1 or fault.retry_after < 1:
            raise ValueError(fault.kind)
        self.armed.append(fault)
        return fault

    def take(self, method: str, chat_id: int | None) -> Fault | None:
        for fault in self.armed:
            if fault.matches(method, chat_id):
                fault.count -= 1
                if fault.count == 0:
                    self.armed.remove(fault)
                return fault
        return None

    def clear(self) -> None:
        self.armed.clear()


@dataclass
class Counters:
    """Calls per method and answers per status, for benchmarks and tests to assert on."""

    calls: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    injected: int = 0

    def snapshot(self, extra: JSONDict) -> JSONDict:
        return {
            "calls": dict(self.calls),
            "statuses": {str(code): count for code, count in self.statuses.items()},
            "too_many_requests": self.statuses[429],
            "injected_faults": self.injected,
            **extra,
        }

    def clear(self) -> None:
        self.calls.clear()
        self.statuses.clear()
        self.injected = 0
