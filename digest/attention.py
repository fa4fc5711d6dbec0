"""Which JSTs the weekly digest lists as needing attention, why, and since when: tasks past their
deadline, report months past theirs unsent, questions unanswered past the service level, a team
nobody of which is on Telegram SILENT_WORKING_DAYS working days after it was first invited,
support asked for in the latest monthly report, monitoring not started for a resolution past its
due date (`resolution_late`, shared with /jst), training rounds over with no attendance recorded.

Each reason says how many and since when (working days, weekends and holidays not counted).
The riskiest JSTs come first: most kinds of trouble, then the longest-lasting one, then by
name; a coordinator reads down the list until it stops mattering.

The silent team's moment is shared with the adviser's notice (reminders/silent_teams.py):
the digest lists the JST from the moment its adviser is told. /jst (reminders/attention.py)
says "nobody on Telegram" at once, for it is asked; the digest, read by every coordinator
weekly, waits the same 10 working days, so its first weeks are not a list of every JST.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from core.calendar import WorkCalendar
from core.service_level import first_day, past_service_level
from storage.oversight import silent_since, support_asked
from storage.programme_calendar import CalendarStep
from storage.questions.waiting import open_questions
from storage.team import TeamView

SILENT_WORKING_DAYS = 10
HOUR = 9  # local: the hour the adviser is told, as the reminder ladders go


def silent_from(invited_at: dt.datetime, calendar: WorkCalendar) -> dt.datetime:
    """When a team invited at `invited_at` that nobody of has joined needs attention: 09:00
    local, SILENT_WORKING_DAYS working days after the local day of the first invitation."""
    day = calendar.add_working_days(calendar.local_date(invited_at), SILENT_WORKING_DAYS)
    return calendar.at(day, HOUR)


def resolution_overdue(team: TeamView, today: dt.date) -> dt.date | None:
    """The due date of the resolution a JST's monitoring waits for, once it is past; None when
    it waits for none, or not past its due date."""
    due = team.monitoring.resolution_due if team.monitoring else None
    return due if due is not None and due < today else None


def resolution_late(team: TeamView, today: dt.date, calendar: WorkCalendar) -> int | None:
    """Working days (0 on the days off right after it) since the due date of the resolution
    a JST's monitoring waits for; None when it waits for none, or not past its due date."""
    due = resolution_overdue(team, today)
    return None if due is None else calendar.working_days_between(due, today)


class ReasonKind(StrEnum):
    """In the order a JST's reasons are listed."""

    TASKS_LATE = "tasks_late"
    REPORTS_LATE = "reports_late"
    QUESTIONS_LATE = "questions_late"
    SUPPORT_ASKED = "support_asked"
    RESOLUTION_LATE = "resolution_late"
    ATTENDANCE_MISSING = "attendance_missing"
    NOBODY_JOINED = "nobody_joined"


@dataclass(frozen=True)
class Reason:
    """One kind of trouble: how many (tasks, reports, questions, rounds; 1 otherwise), since
    which day it counts (a deadline, a question's first working day, a report's sending, the
    first invitation), and for how many working days since then; `subject`: what the reader
    needs beside the count (the report month asking for support)."""

    kind: ReasonKind
    count: int
    since: dt.date
    working_days: int
    subject: str | None = None


@dataclass(frozen=True)
class Attention:
    """A JST the digest lists as needing attention: its view and its reasons, in ReasonKind's
    order."""

    team: TeamView
    reasons: tuple[Reason, ...]

    @property
    def longest(self) -> int:
        return max(reason.working_days for reason in self.reasons)

    def reason(self, kind: ReasonKind) -> Reason | None:
        return next((reason for reason in self.reasons if reason.kind is kind), None)


async def needing_attention(
    session: AsyncSession,
    teams: Sequence[TeamView],
    now: dt.datetime,
    calendar: WorkCalendar,
    reports: Mapping[int, Sequence[CalendarStep]],
) -> tuple[Attention, ...]:
    """Those of these JSTs that need attention at `now`, riskiest first; `reports`: each one's
    report months past their deadline unsent (storage.oversight.overdue_reports)."""
    ids = [team.jst_id for team in teams]
    if not ids:
        return ()
    today = calendar.local_date(now)
    silent = {
        jst_id: calendar.local_date(invited)
        for jst_id, invited in (await silent_since(session, ids)).items()
        if silent_from(invited, calendar) <= now
    }
    waiting: dict[int, list[dt.date]] = defaultdict(list)
    for question in await open_questions(session, ids):
        if past_service_level(question, now, calendar):
            waiting[question.jst_id].append(first_day(question, calendar))
    support = await support_asked(session, ids)
    found = []
    for team in teams:
        reasons = _Reasons(calendar, today)
        reasons.tasks(team)
        reasons.add(ReasonKind.REPORTS_LATE, [s.due_on for s in reports[team.jst_id] if s.due_on])
        reasons.add(ReasonKind.QUESTIONS_LATE, waiting[team.jst_id])
        if team.jst_id in support:
            asked = support[team.jst_id]
            day = calendar.local_date(asked.submitted_at)
            reasons.add(ReasonKind.SUPPORT_ASKED, [day], asked.code)
        reasons.monitoring(team)
        if team.jst_id in silent:
            reasons.add(ReasonKind.NOBODY_JOINED, [silent[team.jst_id]])
        if reasons.found:
            found.append(Attention(team, tuple(reasons.found)))
    return tuple(sorted(found, key=lambda a: (-len(a.reasons), -a.longest)))


class _Reasons:
    """A JST's reasons as they are found, in ReasonKind's order."""

    def __init__(self, calendar: WorkCalendar, today: dt.date) -> None:
        self.calendar, self.today = calendar, today
        self.found: list[Reason] = []

    def add(self, kind: ReasonKind, days: Sequence[dt.date], subject: str | None = None) -> None:
        """A reason counting `days` (one per late item: since when each is late), if any."""
        if not days:
            return
        since = min(days)
        lasted = self.calendar.working_days_between(since, self.today) if since < self.today else 0
        self.found.append(Reason(kind, len(days), since, lasted, subject))

    def tasks(self, team: TeamView) -> None:
        self.add(ReasonKind.TASKS_LATE, [task.due_on for task in team.tasks if task.overdue])

    def monitoring(self, team: TeamView) -> None:
        """The resolution monitoring waits for, past its due date; rounds with no attendance."""
        due = resolution_overdue(team, self.today)
        self.add(ReasonKind.RESOLUTION_LATE, [] if due is None else [due])
        self.add(ReasonKind.ATTENDANCE_MISSING, [r.ends_on for r in team.unrecorded_rounds])
