"""Benchmark 4: the coordinators' weekly digest for 300 and for 2,800 JSTs.

Measured as the e-mail sender makes it on Monday 08:00: an outbox row of the digest, rendered by
the sender's own code (outbox/email_render.py: the digest built from the database, its chart, its
workbook, the text and HTML parts) and serialised to the bytes that go to the SMTP server.
Baseline in the same run: the same for the pilot's 50 JSTs. Each is the best of RUNS renderings
of the same row (as timeit takes the minimum: a busy machine only adds to a run).
"""

from __future__ import annotations

import datetime as dt
import math
import time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bench.databases import Databases, by_scale, services_for
from bench.generate import FOLLOW_UP, NATIONAL, PILOT, Scale
from bench.results import Goal, Result
from bench.tick import START, STATE_AT
from digest.build import iso_week
from digest.enclosures import COORDINATOR_TEMPLATE, enclose
from outbox.email_render import Renderer
from outbox.queue import enqueue
from reminders.digest_rule import digest_due
from storage.models import OutboxMessage, Person, Role

MONDAY = dt.datetime(2026, 8, 3, 6, tzinfo=dt.UTC)  # 08:00 in Warsaw, the week after STATE_AT
GOALS = {FOLLOW_UP.name: Goal(5.0), NATIONAL.name: Goal(3.0)}  # issue 23: 2,800 JSTs < 3 s
MAIL_FROM = "advisorybot@ore.example.pl"
RUNS = 3


async def run(
    databases: Databases, scales: list[Scale], *, baseline: Scale = PILOT
) -> list[Result]:
    return await by_scale(
        databases,
        scales,
        baseline,
        digest_seconds,
        name="digest.{jsts}_jsts",
        size="email_bytes",
        goals=GOALS,
    )


async def digest_seconds(databases: Databases, kind: str, scale: Scale) -> tuple[float, int]:
    """Seconds to render one coordinator's digest e-mail (the best of RUNS: a busy machine only
    adds), and its size in bytes."""
    url, _ = await databases.seeded(kind, scale, start=START, now=STATE_AT)
    services = services_for(url, MONDAY)
    services.settings.mail_from = MAIL_FROM
    try:
        async with services.sessionmaker.begin() as session:
            row = await _queued_digest(session, iso_week(MONDAY, services.settings.zone))
            renderer = Renderer(services, None, dt.timedelta(minutes=10))
            best, size = math.inf, 0
            for _ in range(RUNS):
                started = time.perf_counter()
                rendered = await renderer.render(session, [row], now=MONDAY, working=True)
                (outgoing,) = rendered.ready
                enclose(outgoing.message, [build() for build in outgoing.builds])  # the files
                size = len(outgoing.message.as_bytes())
                best = min(best, time.perf_counter() - started)
            return best, size
    finally:
        await services.close()


async def _queued_digest(session: AsyncSession, week: str) -> OutboxMessage:
    """The first coordinator's digest of the week, queued as the rule queues it."""
    coordinator = await session.scalar(
        select(Person).where(Person.role == Role.COORDINATOR).order_by(Person.id)
    )
    assert coordinator is not None
    due = digest_due(COORDINATOR_TEMPLATE, coordinator.id, week, MONDAY, None)
    row = await enqueue(
        session,
        dedupe_key=due.key,
        channel=due.channel,
        kind=due.template,
        payload={"template": due.template, "values": due.values},
        person_id=coordinator.id,
        delivery=due.delivery,
        now=MONDAY,
    )
    assert row is not None
    return await session.get_one(OutboxMessage, row)
