"""The tick: what is due now becomes outbox rows (dedupe keys make it idempotent)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.email_policy import reminder_email
from bot.outbox_rows import NewMessage, enqueue_many, queued_keys
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
    """Enqueue every message due at `now`, each once, never inside quiet hours.

    Most ticks find everything due already queued: those keys are looked up first, so only new
    messages are rendered, and they are added in one statement.
    """
    calendar = work_calendar(services)
    stats = TickStats()
    async with services.sessionmaker.begin() as session:
        due = [d for d in await planned(session, rules, now, calendar) if d.is_due(now)]
        people = await _people(session, {d.person_id for d in due})
        wanted = [
            (item, person)
            for item in due
            if (person := people.get(item.person_id)) is not None and person.erased_at is None
        ]
        stats.due = len(wanted)
        queued = await queued_keys(session, [item.key for item, _ in wanted])
        payloads = _Payloads(services)
        new = [
            NewMessage(
                dedupe_key=item.key,
                channel=item.channel,
                kind=item.template,
                payload=payloads.of(item, person),
                person_id=person.id,
                delivery=item.delivery,
                not_before=calendar.next_allowed(max(item.at, now)),
            )
            for item, person in wanted
            if item.key not in queued
        ]
        stats.enqueued = await enqueue_many(session, new, now=now)
    if stats.enqueued:
        log.info("tick at %s: %d due, %d new", now.isoformat(), stats.due, stats.enqueued)
    return stats


class _Payloads:
    """Telegram text is rendered now, in the person's language, with its e-mail version for a
    person Telegram cannot reach (`outbox.leave_for_email`); e-mail rows render at sending.

    A team's members share one text: it is rendered once per template, language and values.
    """

    def __init__(self, services: Services) -> None:
        self._templates = services.templates
        self._rendered: dict[Hashable, dict[str, Any]] = {}

    def of(self, item: Due, person: Person) -> dict[str, Any]:
        if item.channel is Channel.EMAIL:
            return {"template": item.template, "values": item.values}
        language = person.language.value
        try:
            key: Hashable = (item.template, language, frozenset(item.values.items()))
        except TypeError:  # a value that cannot be a key: rendered every time
            return self._render(item, language)
        if key not in self._rendered:
            self._rendered[key] = self._render(item, language)
        return self._rendered[key]

    def _render(self, item: Due, language: str) -> dict[str, Any]:
        text = self._templates.render(
            language, f"tg/reminders/{item.template}.html.j2", **item.values
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
