"""Benchmark 9: the web view's overview (the JST x step matrix) of a national coordinator, for
300 and for 2,800 JSTs.

Measured as a coordinator's browser asks for it: GET / over loopback HTTP from the web view
served by its own aiohttp server (web.server.build_app), with a session opened for a generated
coordinator, the page read whole. Baseline in the same run: the same for the pilot's 50 JSTs.
Each is the best of RUNS requests (the first one fills the process's team views, as the
running bot's first request does).
"""

from __future__ import annotations

import datetime as dt
import math
import time

import aiohttp
from sqlalchemy import select

from bench.databases import Databases, by_scale, services_for
from bench.digest import MONDAY
from bench.generate import FOLLOW_UP, NATIONAL, PILOT, Scale
from bench.results import Goal, Result
from bench.tick import START, STATE_AT
from storage.models import Person, Role
from storage.web_sessions import open_session
from web.server import WebView
from web.visit import COOKIE

GOALS = {FOLLOW_UP.name: Goal(1.0), NATIONAL.name: Goal(3.0)}
RUNS = 3
HOST = "127.0.0.1"


async def run(
    databases: Databases, scales: list[Scale], *, baseline: Scale = PILOT
) -> list[Result]:
    return await by_scale(
        databases,
        scales,
        baseline,
        overview_seconds,
        name="web.overview_{jsts}_jsts",
        size="page_bytes",
        goals=GOALS,
    )


async def overview_seconds(databases: Databases, kind: str, scale: Scale) -> tuple[float, int]:
    """Seconds from a coordinator's GET / to the page read whole (the best of RUNS), and the
    page's size in bytes."""
    url, _ = await databases.seeded(kind, scale, start=START, now=STATE_AT)
    services = services_for(url, MONDAY)
    try:
        async with services.sessionmaker.begin() as session:
            coordinator = await session.scalar(
                select(Person.id).where(Person.role == Role.COORDINATOR).limit(1)
            )
            assert coordinator is not None, "the generated data has coordinators"
            opened = await open_session(session, coordinator, MONDAY, dt.timedelta(days=1))
        view = WebView(services, HOST, 0, lambda: None)
        port = await view.start()
        best, size = math.inf, 0
        headers = {"Cookie": f"{COOKIE}={opened.token}", "Accept-Language": "pl"}
        try:
            async with aiohttp.ClientSession() as http:
                for _ in range(RUNS):
                    started = time.perf_counter()
                    async with http.get(f"http://{HOST}:{port}/", headers=headers) as response:
                        assert response.status == 200, response.status
                        size = len(await response.read())
                    best = min(best, time.perf_counter() - started)
        finally:
            await view.stop()
        return best, size
    finally:
        await services.close()
