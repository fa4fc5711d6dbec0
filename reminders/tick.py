"""The tick: what is due now becomes outbox rows (dedupe keys make it idempotent)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup

from core.calendar import WorkCalendar, shared_calendar
from core.services import Services
from notices.message import Email, keyboard, single_text_payload
from outbox.email_policy import reminder_payload
from outbox.plans import WITHDRAWN, revive, unplanned, withdraw
from outbox.rows import NewMessage, enqueue_many, queued
from reminders.schedule import Due, Rule
from storage.db import among
from storage.models import Channel, Person

log = logging.getLogger(__name__)
LABELS = "tg/labels.txt.j2"  # a reminder's button labels


# New rows one pass adds at most. Telegram takes ~1,700 messages a minute (29/s), so 10,000 are
# six minutes of sending: the passes of the next minutes add the rest long before the sender
# runs dry, and a pass on the heaviest day (25,000 new at once: the month's report request and
# the missing-report alerts of the whole country) stays well under a second (bench/README.md).
PASS_LIMIT = 10_000


@dataclass
class TickStats:
    due: int = 0
    enqueued: int = 0
    left: int = 0  # due, not queued yet, over the pass's limit: the next pass takes them
    withdrawn: int = 0  # queued before, planned no more: not to be sent
    revived: int = 0  # withdrawn before, planned again


def work_calendar(services: Services) -> WorkCalendar:
    settings = services.settings
    return shared_calendar(settings.zone, settings.quiet_hours)


async def planned(
    session: AsyncSession,
    rules: Sequence[Rule],
    now: dt.datetime,
    calendar: WorkCalendar,
    until: dt.datetime | None = None,
) -> list[Due]:
    """Every message the rules would send, given the state at `now` (those due by `until`),
    in time order."""
    plans = _plans(rules, lambda rule: rule.load(session, now), calendar, until)
    return _in_order([due async for _name, dues in plans for due in dues])


async def _plans(
    rules: Sequence[Rule],
    read: Callable[[Rule], Awaitable[Any]],
    calendar: WorkCalendar,
    until: dt.datetime | None = None,
) -> AsyncIterator[tuple[str, list[Due]]]:
    """Each rule's name and plan, a rule at a time: a rule's state is read and planned, and
    let go before the next rule's is read. A national state is up to a few MB of objects; all
    of them held at once made the pass's peak, and the allocator kept much of it for good
    (bench/README.md, issue 23).

    Plans are pure and take a while at national scale: they run in a worker thread, so the
    bot's event loop keeps taking updates and sending meanwhile."""
    for rule in rules:
        plan = await asyncio.to_thread(rule.plan, await read(rule), calendar, until)
        yield rule.name, plan
        del plan


def _in_order(schedule: list[Due]) -> list[Due]:
    return sorted(schedule, key=lambda due: (due.at, due.key))


async def run_tick(
    services: Services,
    rules: Sequence[Rule],
    now: dt.datetime,
    *,
    limit: int | None = PASS_LIMIT,
) -> TickStats:
    """Enqueue the messages due at `now`, each once, never inside quiet hours; at most `limit`
    new ones, those that go stale soonest first (`stats.left` says how many wait for the next
    pass; None takes everything: a walk that ticks once a day). Queued rows the rules plan no
    more are withdrawn (outbox/plans.py).

    No transaction is open while the rules plan or the texts are rendered (on SQLite a
    writing transaction holds the write lock, storage.db). Most ticks find everything due already
    queued: those keys are looked up first, so only new messages are sorted and rendered, and
    they go in in one statement.
    """
    calendar = work_calendar(services)
    stats = TickStats()
    rule_of: dict[str, str] = {}
    due: list[Due] = []
    async for name, dues in _plans(rules, lambda rule: _read(services, now, rule), calendar, now):
        for item in dues:
            if item.is_due(now):
                rule_of[item.key] = name
                due.append(item)
    stats.due = len(due)
    async with services.sessionmaker() as session:
        found = await queued(session, list(rule_of))
        fresh = [item for item in due if item.key not in found]
        languages = await _languages(session, {item.person_id for item in fresh})
        names = [rule.name for rule in rules]
        gone = await unplanned(session, rules=names, planned=rule_of.keys(), now=now)
    again = [key for key, error in found.items() if error == WITHDRAWN]
    stats.withdrawn, stats.revived = await _withdraw_and_revive(services, gone, again, now)
    fresh = [item for item in fresh if item.person_id in languages]  # not erased
    fresh, stats.left = _within(limit, fresh)
    new = _new_messages(services, calendar, fresh, rule_of=rule_of, languages=languages, now=now)
    # A row queued meanwhile (a second instance's tick) is skipped by the INSERT itself.
    async with services.sessionmaker.begin() as session:
        stats.enqueued = await enqueue_many(session, new, now=now)
    _log_pass(stats, now)
    return stats


async def _read(services: Services, now: dt.datetime, rule: Rule) -> Any:
    """A rule's state, in a read-only transaction of its own (on SQLite it leaves the write
    lock to the updates meanwhile), closed before the rule plans."""
    async with services.reader() as session:
        return await rule.load(session, now)


async def _withdraw_and_revive(
    services: Services, gone: Sequence[int], again: Sequence[str], now: dt.datetime
) -> tuple[int, int]:
    """Withdraw rows the rules plan no more; put back withdrawn ones they plan again."""
    if not gone and not again:
        return 0, 0
    async with services.sessionmaker.begin() as session:
        return await withdraw(session, gone), await revive(session, again, now=now)


def _within(limit: int | None, fresh: list[Due]) -> tuple[list[Due], int]:
    """At most `limit` new messages, those that go stale soonest; and how many wait."""
    if limit is None or len(fresh) <= limit:
        return fresh, 0
    return sorted(fresh, key=_urgency)[:limit], len(fresh) - limit


def _new_messages(
    services: Services,
    calendar: WorkCalendar,
    fresh: list[Due],
    *,
    rule_of: dict[str, str],
    languages: dict[int, str],
    now: dt.datetime,
) -> list[NewMessage]:
    """The outbox rows of the new messages, rendered, in time order, none in quiet hours."""
    payloads = _Payloads(services)
    return [
        NewMessage(
            dedupe_key=item.key,
            channel=item.channel,
            kind=item.template,
            payload=payloads.of(item, languages[item.person_id]),
            person_id=item.person_id,
            delivery=item.delivery,
            not_before=calendar.next_allowed(max(item.at, now)),
            planned_by=rule_of[item.key],
            stale_at=item.until,
        )
        for item in _in_order(fresh)
    ]


def _log_pass(stats: TickStats, now: dt.datetime) -> None:
    if stats.enqueued or stats.withdrawn or stats.revived:
        log.info(
            "tick at %s: %d due, %d new, %d for the next pass, %d withdrawn, %d planned again",
            now.isoformat(),
            stats.due,
            stats.enqueued,
            stats.left,
            stats.withdrawn,
            stats.revived,
        )


def _urgency(item: Due) -> tuple[bool, dt.datetime, dt.datetime, str]:
    """Over a pass's limit, what goes stale first goes first; then the oldest."""
    return (item.until is None, item.until or item.at, item.at, item.key)


class _Payloads:
    """Telegram text is rendered now, in the person's language; its e-mail version, queued if
    Telegram cannot reach the person (`outbox.leave_for_email`), holds the template and its
    values and is rendered when sent, as e-mail rows are.

    People who would read the same text share one rendering: the same template and language,
    and the same values of the names the template reads (`Templates.reads`; a value that
    cannot be a key, or a template whose reads cannot be told, is rendered every time). At a
    national deadline that is a few texts for 10,000 messages, not one per team.
    """

    def __init__(self, services: Services) -> None:
        self._templates = services.templates
        self._rendered: dict[Hashable, dict[str, Any]] = {}

    def of(self, item: Due, language: str) -> dict[str, Any]:
        if item.channel is Channel.EMAIL:
            return Email(item.template, item.values).payload()
        return self._text(item, language) | {"email": reminder_payload(item.template, item.values)}

    def _text(self, item: Due, language: str) -> dict[str, Any]:
        reads = self._templates.reads(language, self._name(item))
        if reads is None:
            return self._render(item, language)
        try:
            used = frozenset((k, value) for k, value in item.values.items() if k in reads)
            key: Hashable = (item.template, language, used, item.buttons)
            found = self._rendered.get(key)
        except TypeError:  # a value that cannot be a key: rendered every time
            return self._render(item, language)
        if found is None:
            found = self._rendered[key] = self._render(item, language)
        return found

    @staticmethod
    def _name(item: Due) -> str:
        return f"tg/reminders/{item.template}.html.j2"

    def _render(self, item: Due, language: str) -> dict[str, Any]:
        text = self._templates.render(language, self._name(item), **item.values)
        return single_text_payload(text, buttons=self._buttons(item, language))

    def _buttons(self, item: Due, language: str) -> InlineKeyboardMarkup | None:
        """The reminder's buttons, labelled in the reader's language."""
        if not item.buttons:
            return None
        labels = [self._templates.macro(language, LABELS, macro) for macro, _ in item.buttons]
        return keyboard([list(zip(labels, (data for _, data in item.buttons), strict=True))])


async def _languages(session: AsyncSession, ids: set[int]) -> dict[int, str]:
    """The language of each of these people who is not erased (an erased one gets nothing)."""
    if not ids:
        return {}
    rows = await session.execute(
        select(Person.id, Person.language).where(
            among(session, Person.id, sorted(ids)), Person.erased_at.is_(None)
        )
    )
    return {person_id: language.value for person_id, language in rows}
