"""Failed messages in the web view (coordinators): channel, kind, person, JST, when and why,
never the message; sent again one by one or all at once, as `advisorybot outbox retry` does
(outbox.queue.requeue_failed)."""

from __future__ import annotations

import contextlib

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from outbox.queue import PayloadExpired, requeue_failed
from storage.audit import record_reads
from storage.models import OutboxState
from storage.outbox_views import failed_messages
from web.visit import Visit, page, whole_number

LIMIT = 200
DONE = ("requeued", "expired", "not_failed")


@page("outbox")
async def listing(visit: Visit) -> web.StreamResponse:
    query = visit.request.query
    async with visit.services.sessionmaker.begin() as session:
        rows = await failed_messages(session, limit=LIMIT)
        named = [row.person_id for row in rows if row.person_id is not None and row.person]
        await record_reads(session, visit.now, actor=visit.actor, people=named, via="web outbox")
    return visit.render(
        "outbox.html.j2",
        words="ops",
        rows=rows,
        limit=LIMIT,
        done=query.get("done") if query.get("done") in DONE else None,
        count=whole_number(query.get("count")) or 0,
    )


@page("outbox")
async def retry(visit: Visit) -> web.StreamResponse:
    """`row`: one row's number, or "all" failed rows (those shown: the newest LIMIT)."""
    wanted = visit.field("row")
    number = whole_number(wanted)
    if wanted != "all" and number is None:
        raise web.HTTPSeeOther("/outbox?done=not_failed")
    async with visit.services.sessionmaker.begin() as session:
        if number is None:  # those that can never go again (payload expired) stay failed
            requeued = 0
            for row in await failed_messages(session, limit=LIMIT):
                with contextlib.suppress(PayloadExpired):
                    requeued += await _requeue(visit, session, row.row_id)
        else:
            try:
                if not await _requeue(visit, session, number):
                    raise web.HTTPSeeOther("/outbox?done=not_failed")
            except PayloadExpired:
                raise web.HTTPSeeOther("/outbox?done=expired") from None
            requeued = 1
    visit.wake_outbox()
    raise web.HTTPSeeOther(f"/outbox?done=requeued&count={requeued}")


async def _requeue(visit: Visit, session: AsyncSession, row_id: int) -> bool:
    before = await requeue_failed(session, row_id, now=visit.now, actor=visit.actor)
    return before is OutboxState.FAILED


def add_routes(app: web.Application) -> None:
    app.router.add_get("/outbox", listing)
    app.router.add_post("/outbox/retry", retry)
