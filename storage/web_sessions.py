"""Signing in to the web view (web/): one-time links and browser sessions.

A link is e-mailed to an adviser or a coordinator who asks with their address; it is used once,
within its minutes. Using it opens a session: the browser keeps a random token in a cookie, the
database its SHA-256 (a copy of the database opens no session), with the session's form token
(CSRF). A session ends at sign-out, after its idle time, at its end whatever happens, and when
its person is erased or no longer one who may sign in (read at every request: storage.people).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit
from storage.models import Person, Role, WebLink, WebSession
from storage.people import person_by_email

SIGNING_IN = frozenset({Role.ADVISER, Role.COORDINATOR})  # who the web view is for
LINKS_AT_ONCE = 3  # links a person may hold unused at once: more asks send no more e-mail
SEEN_EVERY = dt.timedelta(minutes=1)  # a session's last request is written at most this often


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


async def signing_in(session: AsyncSession, email: str) -> Person | None:
    """The adviser or coordinator (not erased) with this address, whatever its case."""
    person = await person_by_email(session, email)
    return person if person is not None and person.role in SIGNING_IN else None


async def issue_link(
    session: AsyncSession, person_id: int, now: dt.datetime, life: dt.timedelta
) -> str | None:
    """A new link's token for the person; None when they hold LINKS_AT_ONCE unused ones
    still valid (someone asking again and again sends no flood of e-mails)."""
    held = await session.scalar(
        select(func.count(WebLink.id)).where(
            WebLink.person_id == person_id, WebLink.used_at.is_(None), WebLink.expires_at > now
        )
    )
    if held and held >= LINKS_AT_ONCE:
        return None
    token = new_token()
    session.add(
        WebLink(
            token_hash=token_hash(token),
            person_id=person_id,
            created_at=now,
            expires_at=now + life,
        )
    )
    return token


def link_address(base: str, token: str) -> str:
    """The address of a sign-in link on the web view at `base`."""
    return f"{base}/sign-in/{token}"


async def link_valid(session: AsyncSession, token: str, now: dt.datetime) -> bool:
    """Whether the link can still be used (its page asks to confirm before it is used)."""
    found = await session.scalar(
        select(WebLink.id).where(
            WebLink.token_hash == token_hash(token),
            WebLink.used_at.is_(None),
            WebLink.expires_at > now,
        )
    )
    return found is not None


async def use_link(session: AsyncSession, token: str, now: dt.datetime) -> int | None:
    """Use the link once: its person, or None when it is unknown, used or expired (two
    browsers using one link at once: one of them gets the person)."""
    person_id: int | None = await session.scalar(
        update(WebLink)
        .where(
            WebLink.token_hash == token_hash(token),
            WebLink.used_at.is_(None),
            WebLink.expires_at > now,
        )
        .values(used_at=now)
        .returning(WebLink.person_id)
    )
    return person_id


@dataclass(frozen=True)
class OpenSession:
    """A session as a request sees it: whose, its form token, and its cookie's token (only
    when it was just opened)."""

    id: int
    person_id: int
    csrf: str
    token: str | None = None


async def open_session(
    session: AsyncSession, person_id: int, now: dt.datetime, life: dt.timedelta
) -> OpenSession:
    token, csrf = new_token(), new_token()
    row = WebSession(
        token_hash=token_hash(token),
        csrf=csrf,
        person_id=person_id,
        created_at=now,
        seen_at=now,
        expires_at=now + life,
    )
    session.add(row)
    await session.flush()
    audit.record(
        session,
        now,
        actor=f"person:{person_id}",
        action="web_signed_in",
        entity="person",
        entity_id=person_id,
    )
    return OpenSession(row.id, person_id, csrf, token)


async def current_session(
    session: AsyncSession, token: str, now: dt.datetime, idle: dt.timedelta
) -> OpenSession | None:
    """The session of this cookie's token, if it has not ended; its last request is now."""
    row = (
        await session.execute(
            select(WebSession.id, WebSession.person_id, WebSession.csrf, WebSession.seen_at).where(
                WebSession.token_hash == token_hash(token),
                WebSession.ended_at.is_(None),
                WebSession.expires_at > now,
                WebSession.seen_at > now - idle,
            )
        )
    ).first()
    if row is None:
        return None
    if row.seen_at <= now - SEEN_EVERY:
        await session.execute(
            update(WebSession).where(WebSession.id == row.id).values(seen_at=now)
        )
    return OpenSession(row.id, row.person_id, row.csrf)


async def end_session(session: AsyncSession, session_id: int, now: dt.datetime) -> None:
    await session.execute(
        update(WebSession)
        .where(WebSession.id == session_id, WebSession.ended_at.is_(None))
        .values(ended_at=now)
    )


async def end_sessions_of(session: AsyncSession, person_id: int, now: dt.datetime) -> None:
    """End every session of the person and spoil their unused links (an erasure)."""
    await session.execute(
        update(WebSession)
        .where(WebSession.person_id == person_id, WebSession.ended_at.is_(None))
        .values(ended_at=now)
    )
    await session.execute(
        update(WebLink)
        .where(WebLink.person_id == person_id, WebLink.used_at.is_(None))
        .values(used_at=now)
    )
