"""Traces kept for a while only: forms left unfinished, failed invitation codes typed, the web
view's sign-in links and sessions once they expired."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from storage.models import Form, InviteAttempt, WebLink, WebSession


@dataclass(frozen=True)
class Trace:
    """A table whose rows go some time after a moment of their own."""

    name: str
    id_column: InstrumentedAttribute[int]
    since: InstrumentedAttribute[dt.datetime]


# A form's data holds what the person typed so far (a question's draft, a hand-in's evidence);
# one untouched for the period was abandoned (the person's next message starts afresh).
DRAFTS = Trace("drafts", Form.id, Form.updated_at)
# The limit on guessing codes reads 15 minutes of them; the Telegram id stays a while longer.
INVITE_ATTEMPTS = Trace("invite_attempts", InviteAttempt.id, InviteAttempt.at)
# Who signed in to the web view, and when: kept as long as the codes typed, from the moment a
# link or a session could no longer be used.
WEB_LINKS = Trace("web_links", WebLink.id, WebLink.expires_at)
WEB_SESSIONS = Trace("web_sessions", WebSession.id, WebSession.expires_at)
TRACES = (DRAFTS, INVITE_ATTEMPTS, WEB_LINKS, WEB_SESSIONS)


async def forget_traces(
    session: AsyncSession, trace: Trace, before: dt.datetime, limit: int, *, after: int = 0
) -> list[int]:
    """Delete at most `limit` rows of this trace older than the moment, with ids above
    `after`; their ids."""
    ids = list(
        await session.scalars(
            select(trace.id_column)
            .where(trace.id_column > after, trace.since < before)
            .order_by(trace.id_column)
            .limit(limit)
        )
    )
    if ids:
        table = trace.id_column.class_
        await session.execute(delete(table).where(trace.id_column.in_(ids)))
    return ids


async def traces_kept(session: AsyncSession, trace: Trace) -> list[dt.datetime]:
    """The moment of each row of the trace (few: they go after days)."""
    return list(await session.scalars(select(trace.since)))
