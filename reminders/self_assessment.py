"""The competence self-assessment asked of every member on Telegram, twice, and reminded once.

- Before: asked as soon as the member has joined (or, for who joined earlier, when this rule
  first runs) while "before" is open, that is until the day before the first training round;
  reminded REMIND_BEFORE working days before that round starts, at 09:00 local.
- After: asked at 09:00 on the first working day after the last round ends; reminded halfway
  through the days it stays open (the template's `after_working_days`).
- A moment answered plans nothing (a pending message is withdrawn); a message is stale once its
  moment has closed.

Keys: self-assessment:{person}:{before|after}:{ask|remind}.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from core.calendar import WorkCalendar
from forms.self_assessment import Window, windows
from reminders.schedule import Due
from storage.competences import (
    AFTER,
    Assessed,
    AssessmentSetting,
    assessed_members,
    cohort_settings,
)

TEMPLATE = "self_assessment"
HOUR = 9
REMIND_BEFORE = 3  # working days before the first round


@dataclass(frozen=True)
class AssessmentState:
    members: tuple[Assessed, ...]
    settings: dict[int, AssessmentSetting]
    # When it was read: a moment closed by then plans nothing. Its messages would all be stale
    # (never sent, never shown by a preview from then on); at national scale, months after the
    # first round, they were 20,000 planned every minute (bench/README.md, issue 23).
    read_at: dt.datetime | None = None


class SelfAssessmentRule:
    """Members asked to fill in the self-assessment before the first round and after the last."""

    name = "self_assessment"

    async def load(self, session: AsyncSession, now: dt.datetime) -> AssessmentState:
        settings = await cohort_settings(session)
        if not settings:
            return AssessmentState((), {}, now)
        return AssessmentState(tuple(await assessed_members(session)), settings, now)

    def plan(
        self, state: AssessmentState, calendar: WorkCalendar, until: dt.datetime | None = None
    ) -> list[Due]:
        plan = []
        for member in state.members:
            setting = state.settings.get(member.cohort_id)
            if setting is None:
                continue
            for window in windows(setting, calendar):
                closed = calendar.at(window.closes + dt.timedelta(days=1), 0)
                if window.moment in member.answered or (
                    state.read_at is not None and closed <= state.read_at
                ):
                    continue
                for due in _dues(member, setting, window, closed, calendar):
                    if until is None or due.at <= until:
                        plan.append(due)
        return plan


def _dues(
    member: Assessed,
    setting: AssessmentSetting,
    window: Window,
    closed: dt.datetime,
    calendar: WorkCalendar,
) -> list[Due]:
    """The first ask and the one reminder of a moment, while it is open (until `closed`)."""
    if window.moment == AFTER:
        assert window.opens is not None
        ask = calendar.at(calendar.next_working_day(window.opens), HOUR)
        half = max(1, setting.competences.after_working_days // 2)
        remind = calendar.at(calendar.add_working_days(setting.last_round_ends, half), HOUR)
    else:
        ask, day = member.joined_at, setting.first_round_starts
        for _ in range(REMIND_BEFORE):
            day = calendar.working_day_before(day)
        remind = calendar.at(day, HOUR)
    values = {
        "moment": window.moment,
        "closes_on": window.closes,
        "total": len(setting.competences.question),
    }
    key = f"self-assessment:{member.person_id}:{window.moment}"
    times = {"ask": ask, "remind": remind} if ask < remind < closed else {"ask": ask}
    return [
        Due(
            f"{key}:{step}",
            member.person_id,
            TEMPLATE,
            at,
            values | {"reminder": step == "remind"},
            until=closed,
            jst_id=member.jst_id,
        )
        for step, at in times.items()
    ]
