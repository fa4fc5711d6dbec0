"""Which JSTs the weekly digest lists as needing attention, and why: tasks past their deadline,
report months past theirs unsent, monitoring not started for a resolution past its due date
(`resolution_late`, shared with /jst), and a team nobody of which is on Telegram
SILENT_WORKING_DAYS working days after it was first invited, until someone joins.

The silent team's moment is shared with the adviser's notice (reminders/silent_teams.py):
the digest lists the JST from the moment its adviser is told. /jst (reminders/attention.py)
says "nobody on Telegram" at once, for it is asked; the digest, read by every coordinator
weekly, waits the same 10 working days, so its first weeks are not a list of every JST.
Questions past their service level are in /jst only; the digest shows each JST's open
questions and how long the oldest has waited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from core.calendar import WorkCalendar
from storage.oversight import reports_overdue, silent_teams
from storage.team import TeamView

SILENT_WORKING_DAYS = 10
HOUR = 9  # local: the hour the adviser is told, as the reminder ladders go


def silent_from(invited_at: dt.datetime, calendar: WorkCalendar) -> dt.datetime:
    """When a team invited at `invited_at` that nobody of has joined needs attention: 09:00
    local, SILENT_WORKING_DAYS working days after the local day of the first invitation."""
    day = calendar.add_working_days(calendar.local_date(invited_at), SILENT_WORKING_DAYS)
    return calendar.at(day, HOUR)


def resolution_late(team: TeamView, today: dt.date, calendar: WorkCalendar) -> int | None:
    """Working days (0 on the days off right after it) since the due date of the resolution
    a JST's monitoring waits for; None when it waits for none, or not past its due date."""
    due = team.monitoring.resolution_due if team.monitoring else None
    if due is None or due >= today:
        return None
    return calendar.working_days_between(due, today)


@dataclass(frozen=True)
class Attention:
    """A JST the digest lists as needing attention: its view and what is late; `silent_since`:
    the day its team was first invited, when nobody of it has joined (for long enough);
    `resolution_late`: monitoring waits for a resolution this many working days late."""

    team: TeamView
    reports_overdue: int
    silent_since: dt.date | None
    resolution_late: int | None = None

    @property
    def reasons(self) -> int:
        return sum(
            (
                self.team.overdue > 0,
                self.reports_overdue > 0,
                self.silent_since is not None,
                self.resolution_late is not None,
                self.team.attendance_missing > 0,
            )
        )


async def needing_attention(
    session: AsyncSession, teams: Sequence[TeamView], now: dt.datetime, calendar: WorkCalendar
) -> tuple[Attention, ...]:
    """Those of these JSTs that need attention at `now`, most reasons first (else in the
    order given)."""
    ids = [team.jst_id for team in teams]
    if not ids:
        return ()
    today = calendar.local_date(now)
    reports = await reports_overdue(session, ids, today)
    silent = {
        jst_id: calendar.local_date(team.invited_at)
        for jst_id, team in (await silent_teams(session, ids)).items()
        if silent_from(team.invited_at, calendar) <= now
    }
    found = [
        Attention(
            team,
            reports[team.jst_id],
            silent.get(team.jst_id),
            resolution_late(team, today, calendar),
        )
        for team in teams
    ]
    return tuple(sorted((a for a in found if a.reasons), key=lambda a: -a.reasons))
