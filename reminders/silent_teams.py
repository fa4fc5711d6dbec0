"""A team nobody of which is on Telegram: its adviser on duty is told, once.

- Counted from the team's first invite code (storage.oversight.silent_teams: by `advisorybot
  invites`, or by the first e-mail that carried a join link), not from the import: before
  anyone is invited nobody could have joined. SILENT_WORKING_DAYS (10) working days later, at
  09:00 local (digest/attention.silent_from), the adviser on duty that day is told on Telegram
  (by e-mail if they cannot be reached there): the JST, its members and their addresses, what
  they and the team can do. From the same moment the weekly digest lists the JST under
  "needs attention", until someone joins.
- Told once: the key is the JST's and the adviser's; the message is never stale (late rather
  than never, e.g. for teams invited before this rule existed). Someone joining before it goes
  withdraws it (the rule plans it no more). A JST given another adviser while still silent
  tells the new one too.

Keys: team-silent:{jst}:{adviser}.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.calendar import WorkCalendar
from digest.attention import SILENT_WORKING_DAYS, silent_from
from reminders.schedule import Due
from storage.models import Jst
from storage.oversight import SilentTeam, silent_teams
from storage.rosters import Duty, load_duties

TEMPLATE = "team_silent_adviser"


@dataclass(frozen=True)
class SilentJst:
    """A JST nobody of whose team has joined, with who advises it."""

    name: str
    teryt: str
    duty: Duty
    team: SilentTeam


class SilentTeamRule:
    """Teams nobody of which is on Telegram 10 working days after their first invitation."""

    name = "silent_teams"

    async def load(self, session: AsyncSession, now: dt.datetime) -> tuple[SilentJst, ...]:
        teams = await silent_teams(session)
        if not teams:
            return ()
        duties = await load_duties(session)
        rows = await session.execute(
            select(Jst.id, Jst.name, Jst.teryt).where(Jst.id.in_(list(teams))).order_by(Jst.id)
        )
        return tuple(
            SilentJst(name, teryt, duties[jst_id], teams[jst_id])
            for jst_id, name, teryt in rows
            if jst_id in duties
        )

    def plan(
        self,
        state: tuple[SilentJst, ...],
        calendar: WorkCalendar,
        until: dt.datetime | None = None,
    ) -> list[Due]:
        plan = []
        for jst in state:
            at = silent_from(jst.team.invited_at, calendar)
            if until is not None and at > until:
                continue
            adviser = jst.duty.on(calendar.local_date(at))
            values = {
                "jst_name": jst.name,
                "teryt": jst.teryt,
                "invited_on": calendar.local_date(jst.team.invited_at),
                "working_days": SILENT_WORKING_DAYS,
                "members": [
                    {"name": m.name, "email": m.email, "gender": m.gender}
                    for m in jst.team.members
                ],
            }
            key = f"team-silent:{jst.team.jst_id}:{adviser}"
            plan.append(Due(key, adviser, TEMPLATE, at, values=values, jst_id=jst.team.jst_id))
        return plan
