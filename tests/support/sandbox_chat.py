"""The demo world in process (the sandbox over the local Bot API) and how tests talk to it:
people joined on first use, the bot's replies awaited by event, what a press may change, and
waiting until everything due is delivered. tests/support/team_world.py puts other teams in the
same sandbox; tests/support/dialog.py lets a test read like a conversation with it."""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select

from core.clock import OffsetClock
from core.services import Services
from core.settings import load_settings
from localapi import ChatMessage, ControlClient, Limits
from localapi.client import Event
from outbox.claims import TAKEN, sendable
from outbox.email_sender import EmailDelivery, deliver_all
from outbox.telegram_files import BotFiles
from reminders.tick import work_calendar
from sandbox.people import join, playable_people
from sandbox.runtime import BOT_USERNAME, Sandbox, isolated_settings
from storage.models import Answer, AuditEntry, OutboxMessage

SETTLE_POLL_SECONDS = 0.01
FIRST_AFTER_SECONDS = 15.0  # a guard against hangs, not a measure


@contextlib.asynccontextmanager
async def open_sandbox(
    database_url: str, directory: Path, clock: OffsetClock | None = None, **settings: Any
) -> AsyncIterator[Sandbox]:
    """The sandbox on its own database (the demo cohort when it is empty), without rate
    limits, with these settings changed (set PTB_TIMEDELTA first)."""
    built = load_settings(_env_file=None, **(isolated_settings(database_url) | settings))
    async with Sandbox(
        built, directory, clock or OffsetClock(), limits=Limits(enabled=False), own_database=True
    ) as box:
        yield box


async def settle(box: Sandbox) -> None:
    """Until the bot has handled every update and delivered everything due now, on Telegram
    and by e-mail (as the sandbox's walk waits between its moments)."""
    running = box.running
    files = BotFiles(running.application.bot)
    emails = EmailDelivery(running.services, bot_username=BOT_USERNAME, files=files)
    while True:
        await running.control.until_delivered()
        running.application.bot_data.outbox_wakeup.set()
        await deliver_all(emails)
        if not await _busy(running.services):
            return
        await asyncio.sleep(SETTLE_POLL_SECONDS)


async def _busy(services: Services) -> bool:
    """Whether a message is on its way or due now."""
    now = services.clock.now()
    working = work_calendar(services).is_working_time(now)
    async with services.sessionmaker() as session:
        count = await session.scalar(
            select(func.count(OutboxMessage.id)).where(
                or_(OutboxMessage.state.in_(TAKEN), sendable(now, working=working))
            )
        )
    return bool(count)


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


_newest_seen: weakref.WeakKeyDictionary[ControlClient, int] = weakref.WeakKeyDictionary()


async def newest_event(control: ControlClient) -> int:
    """The number of the newest message or answer to a press so far (0: none); asks only for
    those after the newest this client was told of, not for the whole history each time."""
    newer = await control.events_since(
        _newest_seen.get(control, 0), ("message", "callback_answer")
    )
    if newer:
        _newest_seen[control] = newer[-1].seq
    return _newest_seen.get(control, 0)


async def first_after(
    control: ControlClient, user_id: int, kind: str | tuple[str, ...], action: Awaitable[object]
) -> Event:
    """The first event of this kind (or these kinds) in the user's chat that follows `action`."""
    kinds = (kind,) if isinstance(kind, str) else kind
    mark = await newest_event(control)
    await action
    loop = asyncio.get_running_loop()
    deadline = loop.time() + FIRST_AFTER_SECONDS
    while loop.time() < deadline:
        for event in await control.events_since(mark, kinds, within=0.2):
            if event.chat_id == user_id and (event.message is None or event.message.from_bot):
                return event
            mark = event.seq  # another chat's (the tick's reminders): wait past it next time
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
