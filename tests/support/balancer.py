"""A small load balancer for tests: the local Bot API's webhook pushes go through it to several
`advisorybot run` instances, round robin, as nginx's `proxy_next_upstream error` does: an
instance that refuses the connection is skipped, a request that reached an instance and got no
answer (the instance died) is answered 502 and not sent again (Telegram sends it again).

It records which instance took each update and which updates an instance never answered.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import Counter
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import aiohttp
from aiohttp import web

FORWARDED_HEADERS = ("Content-Type", "X-Telegram-Bot-Api-Secret-Token")


@dataclass
class Taken:
    """What the balancer saw: instances by update taken, and the updates left unanswered."""

    by_instance: Counter[str] = field(default_factory=Counter)
    interrupted: list[dict[str, Any]] = field(default_factory=list)  # their instance died

    def answered(self) -> int:
        return sum(self.by_instance.values())

    def interrupted_senders(self) -> set[int]:
        """Who sent the updates an instance took and never answered (in a private chat, the
        chat's id)."""
        return {
            int(value["from"]["id"])
            for update in self.interrupted
            for value in update.values()
            if isinstance(value, dict) and "from" in value
        }


class Balancer:
    """Round robin over `backends` (base URLs); the path and headers go through as they came."""

    def __init__(self, backends: list[str]) -> None:
        self.backends = backends
        self.taken = Taken()
        self._turn = itertools.count()
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._answered = asyncio.Condition()
        self.url = ""

    async def until_answered(self, count: int) -> None:
        """Until the instances have answered `count` updates in all."""
        async with self._answered:
            await self._answered.wait_for(lambda: self.taken.answered() >= count)

    def _took(self, backend: str) -> None:
        self.taken.by_instance[backend] += 1
        asyncio.get_running_loop().create_task(self._notify())

    async def _notify(self) -> None:
        async with self._answered:
            self._answered.notify_all()

    async def __aenter__(self) -> Balancer:
        app = web.Application()
        app.router.add_post("/{path:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"
        self._session = aiohttp.ClientSession()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._session is not None
        body = await request.read()
        headers = {
            name: request.headers[name] for name in FORWARDED_HEADERS if name in request.headers
        }
        start = next(self._turn)
        for offset in range(len(self.backends)):
            backend = self.backends[(start + offset) % len(self.backends)]
            try:
                async with self._session.post(
                    f"{backend}/{request.match_info['path']}", data=body, headers=headers
                ) as response:
                    text = await response.read()
                    self._took(backend)
                    return web.Response(status=response.status, body=text)
            except aiohttp.ClientConnectorError:
                continue  # refused: not sent, the next instance takes it
            except aiohttp.ClientError:  # sent, never answered: the instance died
                self.taken.interrupted.append(json.loads(body))
                return web.Response(status=502)
        return web.Response(status=502)
