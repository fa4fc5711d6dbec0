"""The weekly digest as plain data, read from the database at one moment (templates and files
render it): the JSTs needing attention, what changed in the week it covers, the programme's
indicators, the traffic-light matrix of every JST and step, each JST's state, answering times.

A digest is the one of the local ISO week it is sent in (its identity, "2026-W50"), and covers
the seven days before that week's Monday: the Monday 7 December digest reports on 30 November -
6 December, whenever in its week it is built. A coordinator's digest covers the JSTs of their
cohorts (`cohort_ids`; None: every cohort), an adviser's the JSTs assigned to them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import cached_property
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.calendar import WorkCalendar
from digest.attention import Attention, needing_attention
from digest.matrix import Matrix, build_matrix
from storage.changes import Change, ChangeKind, changes_between
from storage.indicators import Indicators, StaffTally, compute_indicators, staff_tallies
from storage.models import AdviserAssignment, Cohort, Jst, ProgrammeStep
from storage.oversight import overdue_reports
from storage.questions.stats import ResponseTimes, response_times
from storage.team import TeamView, TeamViews, team_views

LIST_CAP = 25  # JSTs in the e-mail's lists and the chart's matrix; the rest: in the XLSX


@dataclass(frozen=True)
class Digest:
    """Everything one digest shows; `adviser_id` set means an adviser's own JSTs only."""

    now: dt.datetime
    today: dt.date  # the local day of `now`
    week: str  # the ISO week it is sent in, e.g. "2026-W50"
    start: dt.date  # the first day of the week covered (a Monday)
    adviser_id: int | None
    teams: tuple[TeamView, ...]  # by name
    attention: tuple[Attention, ...]  # riskiest first
    changes: tuple[Change, ...]  # in the week covered, oldest first
    matrix: Matrix  # the rows: those needing attention first, in their order, then the rest
    response: tuple[ResponseTimes, ...]
    indicators: Indicators  # the programme's, every cohort's
    staff: tuple[StaffTally, ...]  # every team member's part in them

    @property
    def end(self) -> dt.date:
        """The last day of the week covered (a Sunday)."""
        return self.start + dt.timedelta(days=6)

    @property
    def cap(self) -> int:
        return LIST_CAP

    @property
    def covered(self) -> str:
        """The ISO week covered ("2026-W49"), for the templates' `week_span`."""
        year, week, _ = self.start.isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def quiet(self) -> bool:
        """Nothing changed in the week covered and nothing needs attention."""
        return not self.attention and not self.changes

    @cached_property
    def calm(self) -> tuple[TeamView, ...]:
        """The JSTs not needing attention, by name."""
        listed = {item.team.jst_id for item in self.attention}
        return tuple(team for team in self.teams if team.jst_id not in listed)

    @cached_property
    def changed(self) -> Counter[ChangeKind]:
        return Counter(change.kind for change in self.changes)

    @property
    def people(self) -> set[int]:
        """Whom it names: the advisers of its answering times, who changed a task."""
        named = {r.adviser_id for r in self.response if r.adviser_id is not None}
        changes = (change for team in self.teams for change in team.history)
        return named | {c.actor_id for c in changes if c.actor_id is not None}


def iso_week(moment: dt.datetime, zone: dt.tzinfo) -> str:
    """The local ISO week of a moment, the digest's identity ("2026-W10")."""
    year, week, _ = moment.astimezone(zone).isocalendar()
    return f"{year}-W{week:02d}"


async def build_digest(
    session: AsyncSession,
    now: dt.datetime,
    *,
    zone: ZoneInfo,
    adviser_id: int | None = None,
    cohort_ids: Collection[int] | None = None,
) -> Digest:
    """Read the digest at `now`: an adviser's covers the JSTs assigned to them, a
    coordinator's those of `cohort_ids` (None: all)."""
    calendar = WorkCalendar(zone)  # for working days only: quiet hours play no part here
    today = now.astimezone(zone).date()
    monday = today - dt.timedelta(days=today.weekday())
    start = monday - dt.timedelta(days=7)
    jsts = select(Jst.id).order_by(Jst.name, Jst.teryt)
    if adviser_id is not None:
        jsts = jsts.join(AdviserAssignment, AdviserAssignment.jst_id == Jst.id).where(
            AdviserAssignment.adviser_id == adviser_id
        )
    if cohort_ids is not None:
        jsts = jsts.where(Jst.cohort_id.in_(list(cohort_ids)))
    jst_ids = list(await session.scalars(jsts))
    teams, attention, matrix = await overview(session, jst_ids, now, calendar)
    wanted = set(jst_ids)
    response = tuple(r for r in await response_times(session, now=now) if r.jst_id in wanted)
    local = (calendar.at(start, 0), calendar.at(monday, 0))
    staff = await staff_tallies(session)
    return Digest(
        now=now,
        today=today,
        week=iso_week(now, zone),
        start=start,
        adviser_id=adviser_id,
        teams=teams,
        attention=attention,
        changes=tuple(await changes_between(session, jst_ids, *local)),
        matrix=matrix,
        response=response,
        indicators=await compute_indicators(session, staff),
        staff=tuple(staff),
    )


async def overview(
    session: AsyncSession,
    jst_ids: Sequence[int],
    now: dt.datetime,
    calendar: WorkCalendar,
    kept: TeamViews | None = None,
) -> tuple[tuple[TeamView, ...], tuple[Attention, ...], Matrix]:
    """These JSTs' views (by name), those needing attention (riskiest first) and the matrix
    (those first, in their order, then the rest): the digest's, and the web view's live
    (`kept`: the process's team views, storage.team.TeamViews)."""
    today = calendar.local_date(now)
    teams = tuple(await team_views(session, jst_ids, today, kept=kept))
    late_reports = await overdue_reports(session, jst_ids, today)
    attention = await needing_attention(session, teams, now, calendar, late_reports)
    listed = {item.team.jst_id for item in attention}
    ordered = [item.team for item in attention] + [t for t in teams if t.jst_id not in listed]
    matrix = build_matrix(
        ordered,
        await _steps(session, {team.cohort for team in teams}),
        {jst_id: len(months) for jst_id, months in late_reports.items()},
        today,
    )
    return teams, attention, matrix


async def _steps(session: AsyncSession, cohorts: set[str]) -> dict[str, list[ProgrammeStep]]:
    """The steps of these cohorts (by name) in their calendar's order."""
    found: dict[str, list[ProgrammeStep]] = defaultdict(list)
    rows = await session.execute(
        select(Cohort.name, ProgrammeStep)
        .join(ProgrammeStep, ProgrammeStep.cohort_id == Cohort.id)
        .where(Cohort.name.in_(cohorts))
        .order_by(ProgrammeStep.cohort_id, ProgrammeStep.position)
    )
    for name, step in rows:
        found[name].append(step)
    return found
