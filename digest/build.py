"""The weekly digest as plain data: each JST's state, answering times, the programme's indicators
and the monthly activity, read from the database at one moment (templates and files render it).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from functools import cached_property
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.calendar import WorkCalendar
from digest.attention import Attention, needing_attention
from storage.indicators import Indicators, compute_indicators
from storage.models import AdviserAssignment, Cohort, Jst, MonthlyReport, TaskProgress
from storage.questions.stats import ResponseTimes, response_times
from storage.team import TeamView, team_views

CHART_MONTHS = 12


@dataclass(frozen=True)
class MonthActivity:
    """What arrived in one calendar month: monthly reports submitted and tasks accepted."""

    month: dt.date  # the first day
    reports: int
    tasks: int


@dataclass(frozen=True)
class Digest:
    """Everything one digest shows; `adviser_id` set means an adviser's own JSTs only."""

    now: dt.datetime
    week: str  # ISO week, e.g. "2026-W10"
    adviser_id: int | None
    teams: tuple[TeamView, ...]
    response: tuple[ResponseTimes, ...]
    indicators: Indicators
    months: tuple[MonthActivity, ...]
    attention: tuple[Attention, ...] = ()  # the JSTs needing attention, and why
    quiet: bool = False  # nothing changed in the week covered and nothing needs attention

    @property
    def people(self) -> set[int]:
        """Whom it names: the advisers of its answering times, who changed a task."""
        named = {r.adviser_id for r in self.response if r.adviser_id is not None}
        changes = (change for team in self.teams for change in team.history)
        return named | {c.actor_id for c in changes if c.actor_id is not None}

    @property
    def overdue(self) -> int:
        return sum(team.overdue for team in self.teams)

    @property
    def open_questions(self) -> int:
        return sum(team.open_questions for team in self.teams)

    @property
    def reports_missing(self) -> int:
        return sum(1 for team in self.teams if team.report and team.report.state != "submitted")

    def response_of(self, jst_id: int) -> tuple[ResponseTimes, ...]:
        return self._response_by_jst.get(jst_id, ())

    @cached_property
    def _response_by_jst(self) -> dict[int, tuple[ResponseTimes, ...]]:
        found: dict[int, list[ResponseTimes]] = defaultdict(list)
        for response in self.response:
            found[response.jst_id].append(response)
        return {jst_id: tuple(items) for jst_id, items in found.items()}


def iso_week(moment: dt.datetime, zone: dt.tzinfo) -> str:
    """The local ISO week of a moment, the digest's identity ("2026-W10")."""
    year, week, _ = moment.astimezone(zone).isocalendar()
    return f"{year}-W{week:02d}"


async def build_digest(
    session: AsyncSession,
    now: dt.datetime,
    *,
    adviser_id: int | None = None,
    zone: ZoneInfo,
    cohort_ids: Collection[int] | None = None,
) -> Digest:
    """Read the digest at `now`; the adviser's variant covers the JSTs they are assigned to,
    `cohort_ids` the JSTs of those cohorts (None: all)."""
    calendar = WorkCalendar(zone)  # for working days only: quiet hours play no part here
    today = now.astimezone(zone).date()
    jsts = select(Jst.id).order_by(Jst.name, Jst.teryt)
    if adviser_id is not None:
        jsts = jsts.join(AdviserAssignment, AdviserAssignment.jst_id == Jst.id).where(
            AdviserAssignment.adviser_id == adviser_id
        )
    if cohort_ids is not None:
        jsts = jsts.where(Jst.cohort_id.in_(cohort_ids))
    jst_ids = list(await session.scalars(jsts))
    teams = tuple(await team_views(session, jst_ids, today))
    wanted = set(jst_ids)
    response = tuple(r for r in await response_times(session, now=now) if r.jst_id in wanted)
    attention = await needing_attention(session, teams, now, calendar)
    months = await _months(session, jst_ids, today, zone)
    return Digest(
        now=now,
        week=iso_week(now, zone),
        adviser_id=adviser_id,
        teams=teams,
        response=response,
        indicators=await compute_indicators(session),
        months=months,
        attention=attention,
        quiet=not attention and not await _changed(session, jst_ids, now),
    )


async def _changed(session: AsyncSession, jst_ids: list[int], now: dt.datetime) -> bool:
    """Whether a task was accepted or a report submitted in the 7 days before `now`."""
    since = now - dt.timedelta(days=7)
    task = await session.scalar(
        select(TaskProgress.id)
        .where(TaskProgress.jst_id.in_(jst_ids), TaskProgress.accepted_at > since)
        .limit(1)
    )
    report = await session.scalar(
        select(MonthlyReport.id)
        .where(MonthlyReport.jst_id.in_(jst_ids), MonthlyReport.submitted_at > since)
        .limit(1)
    )
    return task is not None or report is not None


async def _months(
    session: AsyncSession, jst_ids: list[int], today: dt.date, zone: dt.tzinfo
) -> tuple[MonthActivity, ...]:
    """From the first cohort's start (at most CHART_MONTHS back) to this month, local months."""
    starts = list(await session.scalars(select(Cohort.start_date)))
    first = _month(max(min(starts, default=today), _months_back(today, CHART_MONTHS - 1)))
    reports = await session.scalars(
        select(MonthlyReport.submitted_at).where(
            MonthlyReport.jst_id.in_(jst_ids), MonthlyReport.submitted_at.is_not(None)
        )
    )
    tasks = await session.scalars(
        select(TaskProgress.accepted_at).where(
            TaskProgress.jst_id.in_(jst_ids), TaskProgress.accepted_at.is_not(None)
        )
    )
    per_report = Counter(_month(m.astimezone(zone).date()) for m in reports if m is not None)
    per_task = Counter(_month(m.astimezone(zone).date()) for m in tasks if m is not None)
    months = []
    month = first
    while month <= _month(today):
        months.append(MonthActivity(month, per_report[month], per_task[month]))
        month = _months_back(month, -1)
    return tuple(months)


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _months_back(day: dt.date, count: int) -> dt.date:
    """The first day of the month `count` months before `day`'s (negative: after)."""
    index = day.year * 12 + day.month - 1 - count
    return dt.date(index // 12, index % 12 + 1, 1)
