"""Training rounds (zjazdy): the members of a cohort's JSTs are reminded before each dated round
and told when one is moved or withdrawn.

- Reminders: `round_working_days_before` of the cohort's template ([reminders]; 7 and 1) working
  days before the round's day, at 09:00 local, to every member (not erased; one not on
  Telegram gets it by e-mail): the date, hours, place or link and what to bring. A step is
  superseded by the next one and the last is stale a day later, as the task ladder's
  (reminders.deadlines.series): after downtime only the latest goes, never one after the round.
- A change (`cohort event set` moved the date, hours or place, or dated a withdrawn round
  again): the members are told at once (in working time) what holds now and the date before;
  keys carry the round's date, so the new date has reminders of its own and the old date's
  unsent ones are withdrawn; steps that fell before the change are skipped (the notice says it).
  Only the latest change is planned: an unsent notice of an earlier one is withdrawn.
- A reminder and a change's notice carry a button that sends the round's calendar file.
- Withdrawn (`cohort event clear`) while the round was still ahead: the members are told.
- Notices go stale when the round's day (the withdrawn one's) has passed.

Keys: round:{event}:{day}:T-{d}:{person}; round:{event}:changed:{time}:{person};
round:{event}:cancelled:{time}:{person} ({time}: when it happened, in seconds).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access import button
from core.calendar import WorkCalendar
from reminders.deadlines import Step, series
from reminders.schedule import Due
from storage.cohorts import cohort_templates
from storage.models import Jst
from storage.rosters import member_ids_by_jst
from storage.round_views import RoundView, rounds_by_cohort

HOUR = 9
FILE = button("rounds_file")
ONE_DAY = dt.timedelta(days=1)
REMINDER, CHANGED, CANCELLED = "round_reminder", "round_changed", "round_cancelled"
# One message to every member: its key (the person's id follows), template, moment, when it
# goes stale, values.
Message = tuple[str, str, dt.datetime, dt.datetime, dict[str, Any]]


@dataclass(frozen=True)
class CohortRounds:
    """A cohort's rounds that have an event, its members by JST and its template's days."""

    days_before: tuple[int, ...]  # working days before a round, earliest reminder first
    rounds: tuple[RoundView, ...]
    teams: tuple[tuple[int, tuple[int, ...]], ...]  # (JST, its members)


@dataclass(frozen=True)
class RoundState:
    now: dt.datetime
    cohorts: tuple[CohortRounds, ...]


async def load_round_state(session: AsyncSession, now: dt.datetime) -> RoundState:
    """Every cohort with a valid template and a round set (dated or withdrawn)."""
    templates = await cohort_templates(session)
    rounds = await rounds_by_cohort(session, list(templates))
    set_rounds = {
        cohort: tuple(r for r in found if r.event_id is not None)
        for cohort, found in rounds.items()
    }
    if not any(set_rounds.values()):
        return RoundState(now, ())
    members = await member_ids_by_jst(session)
    teams: dict[int, list[tuple[int, tuple[int, ...]]]] = {}
    for jst_id, cohort_id in await session.execute(select(Jst.id, Jst.cohort_id).order_by(Jst.id)):
        teams.setdefault(cohort_id, []).append((jst_id, tuple(members.get(jst_id, ()))))
    return RoundState(
        now,
        tuple(
            CohortRounds(
                tuple(sorted(set(templates[cohort].reminders.round_working_days_before))[::-1]),
                found,
                tuple(teams.get(cohort, ())),
            )
            for cohort, found in set_rounds.items()
            if found
        ),
    )


def working_days_before(calendar: WorkCalendar, day: dt.date, count: int) -> dt.date:
    """The working day `count` working days before `day` (1: the last one before it)."""
    for _ in range(count):
        day = calendar.working_day_before(day)
    return day


def round_values(found: RoundView) -> dict[str, Any]:
    """What every message about a round says (dates under `_on` keys: e-mail keeps them)."""
    return {
        "code": found.code,
        "number": found.number,
        "title_pl": found.title_pl,
        "title_en": found.title_en,
        "held_on": found.held_on,
        "start_time": found.start_time,
        "end_time": found.end_time,
        "mode": found.mode,
        "place": found.place,
        "link": found.link,
        "bring": found.bring,
        "previous_on": found.previous_on,
    }


@dataclass(frozen=True)
class _Planner:
    calendar: WorkCalendar
    now: dt.datetime
    until: dt.datetime | None  # only messages due by then

    def cohort(self, cohort: CohortRounds) -> list[Due]:
        plan = []
        for found in cohort.rounds:
            messages = (
                self._reminders(found, cohort.days_before)
                + self._changed(found)
                + self._cancelled(found)
            )
            plan += [
                Due(
                    f"{key}:{person}",
                    person,
                    template,
                    at,
                    values=values,
                    until=stale,
                    jst_id=jst_id,
                    buttons=_calendar_button(found) if template != CANCELLED else (),
                )
                for key, template, at, stale, values in messages
                for jst_id, members in cohort.teams
                for person in members
            ]
        return plan

    def _wanted(self, at: dt.datetime, stale: dt.datetime) -> bool:
        return self.now < stale and (self.until is None or at <= self.until)

    def _reminders(self, found: RoundView, days_before: tuple[int, ...]) -> list[Message]:
        if found.held_on is None:
            return []
        calendar = self.calendar
        moments = tuple(
            (f"T-{days}", calendar.at(working_days_before(calendar, found.held_on, days), HOUR))
            for days in days_before
        )
        steps = series(self.calendar, moments, last_for=ONE_DAY, since=found.changed_at)
        shared = round_values(found)
        planned = []
        for step in steps:
            moment = self._delivery(step)
            if moment is None:
                continue
            days = (found.held_on - self.calendar.local_date(moment)).days
            key = f"round:{found.event_id}:{found.held_on.isoformat()}:{step.name}"
            planned.append((key, REMINDER, step.at, step.until, shared | {"days": days}))
        return planned

    def _delivery(self, step: Step) -> dt.datetime | None:
        if self.until is not None and step.at > self.until:
            return None
        return step.delivery(self.calendar, self.now)

    def _changed(self, found: RoundView) -> list[Message]:
        if found.held_on is None or found.changed_at is None:
            return []
        stale = self.calendar.at(found.held_on + ONE_DAY, 0)
        if not self._wanted(found.changed_at, stale):
            return []
        key = f"round:{found.event_id}:changed:{int(found.changed_at.timestamp())}"
        return [(key, CHANGED, found.changed_at, stale, round_values(found))]

    def _cancelled(self, found: RoundView) -> list[Message]:
        if found.cancelled_at is None or found.previous_on is None:
            return []
        stale = self.calendar.at(found.previous_on + ONE_DAY, 0)
        if self.calendar.local_date(found.cancelled_at) > found.previous_on:
            return []  # withdrawn after it was held: a correction, nobody to tell
        if not self._wanted(found.cancelled_at, stale):
            return []
        key = f"round:{found.event_id}:cancelled:{int(found.cancelled_at.timestamp())}"
        return [(key, CANCELLED, found.cancelled_at, stale, round_values(found))]


def _calendar_button(found: RoundView) -> tuple[tuple[str, str], ...]:
    """The round's calendar file, one press away (handlers/rounds.py sends it)."""
    return (("round_file", f"{FILE.prefix}:{found.code}"),)


class RoundRule:
    """Training rounds: reminders before each, notices of a change or a withdrawal."""

    name = "rounds"

    async def load(self, session: AsyncSession, now: dt.datetime) -> RoundState:
        return await load_round_state(session, now)

    def plan(
        self, state: RoundState, calendar: WorkCalendar, until: dt.datetime | None = None
    ) -> list[Due]:
        planner = _Planner(calendar, state.now, until)
        return [due for cohort in state.cohorts for due in planner.cohort(cohort)]
