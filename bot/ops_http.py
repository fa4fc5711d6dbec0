"""The operator's endpoint of `advisorybot run` on OPS_LISTEN: /healthz, /readyz and /metrics
(docs/monitoring.md). aiohttp is imported only when it is on, as for the webhook.

/healthz answers while the process serves HTTP. /readyz asks the database for `SELECT 1` and
the Bot API for getMe (an answer is trusted for a few seconds: a balancer polling every second
does not turn into a getMe a second); 503 with the part that did not answer. /metrics reads the
database's gauges at most every few seconds, however many scrapers ask.
"""

from __future__ import annotations

import asyncio
import logging
import math
from typing import TYPE_CHECKING

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from sqlalchemy import text

from core import metrics
from handlers.context import BotApplication

if TYPE_CHECKING:  # loaded when OPS_LISTEN is set, as the webhook loads it
    from aiohttp import web

log = logging.getLogger(__name__)

READY_TIMEOUT_SECONDS = 3.0
BOT_API_FRESH_SECONDS = 10.0
DATABASE_FRESH_SECONDS = 5.0
OK = "ok"


class OpsEndpoint:
    """The three paths on one loopback address; `start` raises OSError if it is taken."""

    def __init__(self, application: BotApplication, host: str, port: int) -> None:
        self._application = application
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None
        self._bot_api_ok_at = -math.inf
        self._database_read_at = -math.inf
        self._database_up = True
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        from aiohttp import web  # noqa: PLC0415 - see the TYPE_CHECKING import

        async def healthz(_request: web.Request) -> web.Response:
            return web.json_response({"alive": True})

        async def readyz(_request: web.Request) -> web.Response:
            checks = await self.readiness()
            ready = all(answer == OK for answer in checks.values())
            return web.json_response({"ready": ready, **checks}, status=200 if ready else 503)

        async def exposition(_request: web.Request) -> web.Response:
            body = await self.exposition()
            return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

        server = web.Application()
        server.router.add_get("/healthz", healthz)
        server.router.add_get("/readyz", readyz)
        server.router.add_get("/metrics", exposition)
        self._runner = web.AppRunner(server, access_log=None)
        await self._runner.setup()
        try:
            await web.TCPSite(self._runner, self._host, self._port).start()
        except OSError:
            await self.stop()
            raise
        log.info("serving /healthz, /readyz and /metrics on %s:%d", self._host, self._port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def readiness(self) -> dict[str, str]:
        """Each part: "ok", or why it is not ready."""
        return {"database": await self._database(), "bot_api": await self._bot_api()}

    async def exposition(self) -> bytes:
        """Every metric in Prometheus' text format, the database's read afresh if due."""
        await self._read_database()
        return generate_latest(REGISTRY)

    async def _database(self) -> str:
        """ "ok", or the kind of error the trivial query met."""
        services = self._application.bot_data.services
        try:
            async with asyncio.timeout(READY_TIMEOUT_SECONDS), services.reader() as session:
                await session.execute(text("SELECT 1"))
        except Exception as error:  # any failure is "not ready", told by its kind
            self._database_changed(up=False, error=error)
            return type(error).__name__
        self._database_changed(up=True)
        return OK

    async def _bot_api(self) -> str:
        """ "ok" when getMe answered in the last few seconds; "not_running" while the bot starts
        (it has not reached the Bot API yet) or stops."""
        if not self._application.running:
            return "not_running"
        async with self._lock:
            loop = asyncio.get_running_loop()
            if loop.time() - self._bot_api_ok_at < BOT_API_FRESH_SECONDS:
                return OK
            try:
                async with asyncio.timeout(READY_TIMEOUT_SECONDS):
                    await self._application.bot.get_me()
            except Exception as error:
                self._bot_api_ok_at = -math.inf
                return type(error).__name__
            self._bot_api_ok_at = loop.time()
            return OK

    async def _read_database(self) -> None:
        """The outbox and people gauges, unless read in the last few seconds."""
        now = asyncio.get_running_loop().time()
        if now - self._database_read_at < DATABASE_FRESH_SECONDS:
            return
        self._database_read_at = now
        services = self._application.bot_data.services
        try:
            async with asyncio.timeout(READY_TIMEOUT_SECONDS):
                await metrics.read_database(services.reader, services.clock.now())
        except Exception as error:  # the gauges keep their last values
            self._database_changed(up=False, error=error)
            return
        self._database_changed(up=True)

    def _database_changed(self, *, up: bool, error: BaseException | None = None) -> None:
        """advisorybot_database_up; one log line when the database goes away or comes back."""
        metrics.DATABASE_UP.set(int(up))
        if up != self._database_up:
            if up:
                log.info("the database answers the operator's endpoint again")
            else:
                log.warning("the database does not answer: %s", type(error).__name__)
        self._database_up = up
