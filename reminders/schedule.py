"""Reminders are data: rules turn the database state into a schedule of messages.

A rule reads what it needs (`load`), then a pure function of that state and the calendar lists
every message it would send (`Due`), each with a stable dedupe key and the moment it becomes
due. The tick enqueues those due now; `reminders preview` lists those due soon. Nothing is
scheduled as a job, so a restart or a second instance changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from core.calendar import WorkCalendar
from storage.models import Channel, Delivery


@dataclass(frozen=True, slots=True)  # slots: a national tick plans hundreds of thousands
class Due:
    """One message a rule would send: to whom, what (a template and its values), when."""

    key: str
    person_id: int
    template: str
    at: dt.datetime
    values: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    until: dt.datetime | None = None  # stale after this: a later step of the ladder replaces it
    jst_id: int | None = None  # the JST it is about, for previews and digests
    channel: Channel = Channel.TELEGRAM
    delivery: Delivery = Delivery.AT_MOST_ONCE
    # Buttons under a Telegram reminder: (a label macro of tg/labels.txt.j2, callback data).
    buttons: tuple[tuple[str, str], ...] = field(default=(), hash=False, compare=False)

    def is_due(self, now: dt.datetime) -> bool:
        return self.at <= now and (self.until is None or now < self.until)


class Rule(Protocol):
    """A source of reminders: `load` reads the state, `plan` is a pure function of it."""

    name: str

    async def load(self, session: AsyncSession, now: dt.datetime) -> Any: ...

    def plan(
        self, state: Any, calendar: WorkCalendar, until: dt.datetime | None = None
    ) -> list[Due]:
        """Every message, or those due at `until` at the latest (the tick: now; a preview:
        its horizon), so that a tick does not build a year of reminders it leaves out."""
        ...
