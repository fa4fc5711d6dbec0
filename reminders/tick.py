"""The tick: what is due now becomes outbox rows (dedupe keys make it idempotent)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.email_policy import reminder_email
from bot.outbox import enqueue
from bot.services import Services
from reminders.calendar import WorkCalendar
from reminders.schedule import Due, Rule
from storage.models import Channel, Person

log = logging.getLogger(__name__)


@dataclass
class TickStats:
    due: int = 0
    enqueued: int = 0


def work_calendar(services: Services) -> WorkCalendar:
    settings = services.settings
    return WorkCalendar(settings.zone, settings.quiet_hours)


async def planned(
    session: AsyncSession, rules: Sequence[Rule], now: dt.datetime, calendar: WorkCalendar
) -> list[Due]:
    """Every message the rules would send, given the state at `now`."""
    schedule: list[Due] = []
    for rule in rules:
        schedule.extend(rule.plan(await rule.load(session, now), calendar))
    return sorted(schedule, key=lambda due: (due.at, due.key))


async def run_tick(services: Services, rules: Sequence[Rule], now: dt.datetime) -> TickStats:
    """Enqueue every message due at `now`, each once, never inside quiet hours."""
    calendar = work_calendar(services)
    stats = TickStats()
    async with services.sessionmaker.begin() as session:
        due = [d for d in await planned(session, rules, now, calendar) if d.is_due(now)]
        people = await _people(session, {d.person_id for d in due})
        for item in due:
            person = people.get(item.person_id)
            if person is None or person.erased_at is not None:
                continue
            stats.due += 1
            row = await enqueue(
                session,
                dedupe_key=item.key,
                channel=item.channel,
                kind=item.template,
                payload=_payload(services, item, person),
                person_id=person.id,
                delivery=item.delivery,
                now=now,
                not_before=calendar.next_allowed(max(item.at, now)),
            )
            stats.enqueued += row is not None
    if stats.enqueued:
        log.info("tick at %s: %d due, %d new", now.isoformat(), stats.due, stats.enqueued)
    return stats


def _payload(services: Services, item: Due, person: Person) -> dict[str, Any]:
    """Telegram text is rendered now, in the person's language, with its e-mail version for a
    person Telegram cannot reach (`outbox.leave_for_email`); e-mail rows render at sending."""
    if item.channel is Channel.EMAIL:
        return {"template": item.template, "values": item.values}
    text = services.templates.render(
        person.language.value, f"tg/reminders/{item.template}.html.j2", **item.values
    )
    return {
        "method": "sendMessage",
        "params": {"text": text, "parse_mode": "HTML"},
        "email": reminder_email(text),
    }


async def _people(session: AsyncSession, ids: set[int]) -> dict[int, Person]:
    if not ids:
        return {}
    found = await session.scalars(select(Person).where(Person.id.in_(ids)))
    return {person.id: person for person in found}
