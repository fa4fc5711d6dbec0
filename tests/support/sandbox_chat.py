"""The demo world in process (the sandbox over the local Bot API) and how tests talk to it:
people joined on first use, the bot's replies awaited by event, what a press may change."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path

from sqlalchemy import func, select

from core.clock import OffsetClock
from core.services import Services
from core.settings import load_settings
from localapi import ChatMessage, ControlClient, Limits
from localapi.client import Event
from sandbox.people import join, playable_people
from sandbox.runtime import Sandbox, isolated_settings
from storage.models import Answer, AuditEntry, OutboxMessage


@contextlib.asynccontextmanager
async def open_sandbox(database_url: str, directory: Path) -> AsyncIterator[Sandbox]:
    """The sandbox on its own database, without rate limits (set PTB_TIMEDELTA first)."""
    settings = load_settings(_env_file=None, **isolated_settings(database_url))
    async with Sandbox(
        settings, directory, OffsetClock(), limits=Limits(enabled=False), own_database=True
    ) as box:
        yield box


class People:
    """The demo's people by e-mail: their Telegram user ids, joined on first use."""

    def __init__(self, box: Sandbox) -> None:
        self.box = box
        self.ids: dict[str, int] = {}

    async def join(self, email: str) -> int:
        running = self.box.running
        async with running.services.sessionmaker() as session:
            (person,) = await playable_people(session, email)
        await join(running.services, running.control, running.mailbox, person)
        self.ids[email] = person.user_id
        return person.user_id


async def message_with(
    control: ControlClient, user_id: int, prefix: str, text: str = ""
) -> ChatMessage:
    """The newest message from the bot in the chat with this text and a button whose data
    starts with `prefix` (any message when `prefix` is None)."""
    for _ in range(300):
        for message in reversed(await control.messages(user_id)):
            data = [d or "" for _, d in message.buttons] if prefix else [""]
            found = message.from_bot and text in message.text
            if found and any(d.startswith(prefix) for d in data):
                return message
        await asyncio.sleep(0.05)
    raise AssertionError(f"no {prefix!r} button with {text!r} in chat {user_id}")


async def first_after(
    control: ControlClient, user_id: int, kind: str | tuple[str, ...], action: Awaitable[object]
) -> Event:
    """The first event of this kind (or these kinds) in the user's chat that follows `action`."""
    kinds = (kind,) if isinstance(kind, str) else kind
    seen = await control.events_since(0, ("message", "callback_answer"))
    mark = seen[-1].seq if seen else 0
    await action
    for _ in range(300):
        for event in await control.events_since(mark, kinds, within=0.05):
            if event.chat_id == user_id and (event.message is None or event.message.from_bot):
                return event
    raise AssertionError(f"no {kinds} in chat {user_id}")


async def changes(services: Services) -> tuple[int, int, int]:
    """What a press may change: answers shared, audit entries, messages to others than the
    caller (a reply to the caller, e.g. the hint for a stranger, changes nothing; nor do the
    reminders and digests the tick plans meanwhile)."""
    async with services.sessionmaker() as session:
        shared = await session.scalar(select(func.count()).where(Answer.to_team.is_(True)))
        audit = await session.scalar(select(func.count()).select_from(AuditEntry))
        rows = await session.scalar(
            select(func.count()).where(
                OutboxMessage.kind.not_like("reply:%"), OutboxMessage.planned_by.is_(None)
            )
        )
    return int(shared or 0), int(audit or 0), int(rows or 0)
