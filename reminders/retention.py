"""Retention (issue 20): the schedule from the settings, applied by a daily pass in batches.

What goes, and when (README, "Retention"):
- outbox payloads `RETENTION_OUTBOX_DAYS` after the message finished (sent, skipped, failed);
- forms left unfinished `RETENTION_DRAFTS_DAYS` after their last step, failed invitation
  codes typed `RETENTION_INVITE_ATTEMPTS_DAYS` after, and as long after they expired the web
  view's sign-in links and sessions;
- what people wrote in a cohort (storage/retention/messages.py) `RETENTION_MESSAGES_MONTHS`
  after the cohort's end, and never later than its people go;
- the cohort's members and advisers, anonymised `RETENTION_MONTHS_AFTER_COHORT` after its end
  (an adviser after the last of their cohorts).
A cohort's dated limits count from the day after: kept through the day N months after its
end, gone from the next. Every step finds only what is still there, so a pass can run at any
time, twice, or on two instances, and a pass cut short loses nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial

from dateutil.relativedelta import relativedelta
from sqlalchemy.ext.asyncio import AsyncSession

from core.calendar import WorkCalendar
from core.services import Services
from core.settings import Settings
from storage.models import Role
from storage.retention.cohorts import CohortEnd, cohort_ends
from storage.retention.messages import TARGETS, CohortTexts, Target, blank_texts, cohort_texts
from storage.retention.outbox import expire_payloads
from storage.retention.people import Tied, anonymise, people_tied
from storage.retention.traces import DRAFTS, TRACES, Trace, forget_traces

log = logging.getLogger(__name__)

BATCH_ROWS = 500  # rows changed in one transaction (on SQLite it holds the write lock)
BATCH_PEOPLE = 50  # people anonymised in one transaction
PASS_ROWS = 5_000  # rows of one kind the bot's pass changes at most; the next minute goes on
RETENTION_HOUR = 3  # local: the bot's daily pass, in the night's quiet
ONE_DAY = dt.timedelta(days=1)
OUTBOX = "outbox"
ROLE_WORDS = {Role.MEMBER: "members", Role.ADVISER: "advisers"}
Step = Callable[[AsyncSession, int, int], Awaitable[list[int]]]  # (session, limit, after)


@dataclass(frozen=True)
class Schedule:
    """The retention periods of the settings, and the dates they give."""

    messages_months: int
    outbox_days: int
    drafts_days: int
    invite_attempts_days: int
    people_months: int

    @classmethod
    def of(cls, settings: Settings) -> Schedule:
        return cls(
            messages_months=settings.retention_messages_months,
            outbox_days=settings.retention_outbox_days,
            drafts_days=settings.retention_drafts_days,
            invite_attempts_days=settings.retention_invite_attempts_days,
            people_months=settings.retention_months_after_cohort,
        )

    def texts_go_on(self, end: dt.date) -> dt.date:
        """The first day without the texts of a cohort that ended on `end`."""
        return _after(end, min(self.messages_months, self.people_months))

    def people_go_on(self, end: dt.date) -> dt.date:
        return _after(end, self.people_months)

    def trace_days(self, trace: Trace) -> int:
        return self.drafts_days if trace is DRAFTS else self.invite_attempts_days

    def person_goes_on(self, tied: Tied, ends: dict[int, CohortEnd]) -> dt.date | None:
        """When a person goes: after the last of their cohorts (None: one never ends)."""
        if not tied.cohort_ids <= ends.keys():
            return None
        return max(self.people_go_on(ends[c].end) for c in tied.cohort_ids)


def _after(end: dt.date, months: int) -> dt.date:
    return end + relativedelta(months=months) + ONE_DAY


@dataclass
class RetentionStats:
    """What one pass removed, by kind (storage/retention: a target's name, `outbox`, a trace's
    name, `members`, `advisers`); `left`: a kind reached the pass's limit, the next goes on."""

    gone: Counter[str] = field(default_factory=Counter)
    left: bool = False


async def run_retention(
    services: Services, now: dt.datetime, *, limit: int | None = PASS_ROWS
) -> RetentionStats:
    """Remove what the schedule says is due at `now`: at most `limit` rows of each kind (None:
    all; `advisorybot tick`), in short transactions of a few hundred rows."""
    schedule = Schedule.of(services.settings)
    today = now.astimezone(services.settings.zone).date()
    stats = RetentionStats()
    batches = _Batches(services, stats, limit)
    before = now - dt.timedelta(days=schedule.outbox_days)
    await batches.run(OUTBOX, partial(_expire, before=before))
    for trace in TRACES:
        since = now - dt.timedelta(days=schedule.trace_days(trace))
        await batches.run(trace.name, partial(_forget, trace=trace, before=since))
    async with services.sessionmaker() as session:
        ends = await cohort_ends(session)
        due = [c.cohort_id for c in ends if schedule.texts_go_on(c.end) <= today]
        texts = [await cohort_texts(session, cohort_id) for cohort_id in due]
        tied = await people_tied(session)
    for cohort in texts:
        for target in TARGETS:
            await batches.run(target.name, partial(_blank, cohort=cohort, target=target))
    by_id = {end.cohort_id: end for end in ends}
    going = [t for t in tied if (day := schedule.person_goes_on(t, by_id)) and day <= today]
    await _anonymise(services, stats, going, now, limit)
    if stats.gone:
        log.info("retention at %s: %s", now.isoformat(), dict(sorted(stats.gone.items())))
    return stats


async def _expire(
    session: AsyncSession, limit: int, after: int, *, before: dt.datetime
) -> list[int]:
    return await expire_payloads(session, before, limit, after=after)


async def _forget(
    session: AsyncSession, limit: int, after: int, *, trace: Trace, before: dt.datetime
) -> list[int]:
    return await forget_traces(session, trace, before, limit, after=after)


async def _blank(
    session: AsyncSession, limit: int, after: int, *, cohort: CohortTexts, target: Target
) -> list[int]:
    return await blank_texts(session, cohort, target, limit, after=after)


@dataclass
class _Batches:
    services: Services
    stats: RetentionStats
    limit: int | None

    async def run(self, name: str, step: Step) -> None:
        """Run `step` in transactions of BATCH_ROWS, each after the last row of the one
        before, until it finds less, or the limit."""
        budget, after = self.limit, 0
        while budget is None or budget > 0:
            size = BATCH_ROWS if budget is None else min(BATCH_ROWS, budget)
            async with self.services.sessionmaker.begin() as session:
                done = await step(session, size, after)
            if done:
                self.stats.gone[name] += len(done)
                after = max(done)
            if len(done) < size:
                return
            if budget is not None:
                budget -= len(done)
        self.stats.left = True


async def _anonymise(
    services: Services,
    stats: RetentionStats,
    going: list[Tied],
    now: dt.datetime,
    limit: int | None,
) -> None:
    if limit is not None and len(going) > limit:
        going, stats.left = going[:limit], True
    for first in range(0, len(going), BATCH_PEOPLE):
        async with services.sessionmaker.begin() as session:
            for person in going[first : first + BATCH_PEOPLE]:
                if await anonymise(session, person.person_id, now):
                    stats.gone[ROLE_WORDS[person.role]] += 1


@dataclass
class DailyRetention:
    """When the bot's next pass is due: at its start, then each day at RETENTION_HOUR local;
    the next minute again while a pass left work over its limit."""

    calendar: WorkCalendar
    next_at: dt.datetime | None = None

    def due(self, now: dt.datetime) -> bool:
        return self.next_at is None or now >= self.next_at

    def passed(self, now: dt.datetime, stats: RetentionStats) -> None:
        if stats.left:
            self.next_at = now
            return
        today = self.calendar.local_date(now)
        at = self.calendar.at(today, RETENTION_HOUR)
        self.next_at = at if at > now else self.calendar.at(today + ONE_DAY, RETENTION_HOUR)
