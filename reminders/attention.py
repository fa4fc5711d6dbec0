"""Which JSTs need attention at `now`, and why, as /jst shows them: tasks past their deadline,
report months past theirs unsent, monitoring not started for a resolution past its due date
(digest.attention.resolution_late), nobody of the team on Telegram, questions unanswered past the
service level (questions_sla.past_service_level). Read only; the caller says which JSTs."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from core.calendar import WorkCalendar
from core.service_level import REMIND_AFTER, past_service_level
from digest.attention import resolution_late
from storage.oversight import MemberView, reports_overdue, team_members
from storage.questions.waiting import open_questions
from storage.team import TeamView, team_views

SERVICE_LEVEL_DAYS = REMIND_AFTER  # working days a question may wait for its answer


@dataclass(frozen=True)
class JstState:
    """One JST as /jst shows it: its team's view, who joined, and what is late."""

    team: TeamView
    members: tuple[MemberView, ...]
    reports_overdue: int
    questions_late: int
    resolution_late: int | None = None  # working days; None: monitoring waits for nothing late

    @property
    def nobody_joined(self) -> bool:
        """No member of the team is on Telegram (or the team has no members yet)."""
        return not any(member.joined for member in self.members)

    @property
    def reasons(self) -> int:
        """How many kinds of trouble the JST has: 0 when it needs no attention."""
        return sum(
            (
                self.team.overdue > 0,
                self.reports_overdue > 0,
                self.nobody_joined,
                self.questions_late > 0,
                self.resolution_late is not None,
                self.team.attendance_missing > 0,
            )
        )


async def jst_states(
    session: AsyncSession, jst_ids: Collection[int], now: dt.datetime, calendar: WorkCalendar
) -> list[JstState]:
    """These JSTs, those needing attention first: most reasons first, then by name."""
    ids = sorted(set(jst_ids))
    if not ids:
        return []
    today = calendar.local_date(now)
    members = await team_members(session, ids)
    reports = await reports_overdue(session, ids, today)
    late = Counter(
        question.jst_id
        for question in await open_questions(session, ids)
        if past_service_level(question, now, calendar)
    )
    states = [
        JstState(
            team,
            members[team.jst_id],
            reports[team.jst_id],
            late[team.jst_id],
            resolution_late(team, today, calendar),
        )
        for team in await team_views(session, ids, today)
    ]
    return sorted(states, key=lambda s: (-s.reasons, _alphabetical(s.team.jst_name), s.team.teryt))


def _alphabetical(name: str) -> tuple[str, str]:
    """A name as Polish orders it, near enough: "Łódź" among the L's, not after "Żary"."""
    plain = unicodedata.normalize("NFKD", name.casefold().replace("ł", "l"))
    return "".join(c for c in plain if not unicodedata.combining(c)), name
