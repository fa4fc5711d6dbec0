"""The deadline ladder and the review loop: reminders for every task of a cohort's programme.

The ladder is the cohort's template ([reminders] and [review]); these are the decisions around it.

- Team ladder. For each count d of `task_days_before` (14, 7, 1, 0) every member of the JST
  (not erased; one not yet on Telegram is left to the e-mail fallback) is reminded at 09:00
  local on the due date minus d days; "the day before" (d = 1) is the last working day before
  it (a Monday deadline: Friday). A due date never falls on a day off: a term that ends on one
  ends on the next working day (storage/workdays.py). On the day after it (T+1) the team and the
  adviser on duty
  are told the task is overdue; `task_overdue_alert_days` (7) after the due date every
  coordinator gets an e-mail alert. The due date is the JST's extension when it has one.
- The calendar moves each step to the next allowed time (weekends, Polish public holidays,
  quiet hours): a T-7 on Sunday 1 November 2026 goes out on Monday 2 November at 08:00.
- A step is superseded by the next one of its series. It is not sent once it would go out on or
  after the next step's day (a T-1 on the Saturday before a Sunday deadline would arrive on
  Monday, after the deadline: T+1 says it better), nor once the next step is due (`until`):
  after downtime only the latest step goes out, never a stale one. The last step of a series
  is stale `task_overdue_alert_days` after its moment, so a tick after a long outage or a
  member who joins late does not dig up old news.
- Only a pending task climbs the ladder. Submitted: the team waits and hears nothing; the
  adviser on duty is reminded once `first_review_days` (7; `rereview_days`, 5, after a return)
  have passed since the submission, at the same wall-clock time (a submission at 23:00 is
  reminded at 08:00 on the next working day). Returned: the team has `fix_days` (5) from the day
  of the return, to the next working day if that is a day off (the date
  storage.tasks.transitions tells them), and is reminded at 09:00 on the working day before and
  on that day. Accepted: nothing more, from the next tick on. Each submission
  and each return is a round of its own (`review_round` counts the returns).
- An extension: keys carry the due date, so the new date is a fresh ladder and the old one is
  no longer planned (no T-1, overdue notice or alert for a date that no longer holds). The team
  was told the new date when it was granted (notices.tasks), so the new ladder's steps
  that fell before the extension are skipped: the team gets the steps still ahead of it.
- Days left (or overdue, or waited) are counted on the local day the message goes out.

Keys: deadline:{jst}:{task}:{due}:{step}:{person}, step T-14 … T-0, T+1 or the alert's T+7;
review:{jst}:{task}:{round}:{step}:{person}, step review, fix-1 or fix-0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.calendar import WorkCalendar
from reminders.deadline_state import DeadlineState, JstTasks, TaskFacts, load_deadline_state
from reminders.schedule import Due
from storage.models import Channel, Delivery, TaskState

LADDER_HOUR = 9
ONE_DAY = dt.timedelta(days=1)
DUE = "task_due"
OVERDUE = "task_overdue"
OVERDUE_ADVISER = "task_overdue_adviser"
OVERDUE_ALERT = "task_overdue_alert"  # e-mail to the coordinators
REVIEW = "task_review"
FIX = "task_fix"
KeyOf = Callable[["Step", int], str]


@dataclass(frozen=True)
class Step:
    """One reminder of a series: its allowed moment, and when the next one takes over."""

    name: str
    at: dt.datetime
    until: dt.datetime
    next_day: dt.date | None  # the next step's local day; None for the last step

    def delivery(self, calendar: WorkCalendar, now: dt.datetime) -> dt.datetime | None:
        """When it goes out if due at `now`; None once superseded or stale by then."""
        if now >= self.until:
            return None
        moment = self.at if now <= self.at else calendar.next_allowed(now)
        if self.next_day is not None and calendar.local_date(moment) >= self.next_day:
            return None
        return None if moment >= self.until else moment


@lru_cache(maxsize=4096)  # the JSTs of a cohort share their dates: the calendar works once
def series(
    calendar: WorkCalendar,
    moments: tuple[tuple[str, dt.datetime], ...],
    *,
    last_for: dt.timedelta,
    since: dt.datetime | None = None,
) -> tuple[Step, ...]:
    """Steps from (name, moment) in time order; those that fell before `since` are left out."""
    steps = []
    for index, (name, moment) in enumerate(moments):
        at = calendar.next_allowed(moment)
        if index + 1 < len(moments):
            following = moments[index + 1][1]
            step = Step(name, at, calendar.next_allowed(following), calendar.local_date(following))
        else:
            step = Step(name, at, at + last_for, None)
        if since is None or at >= since:
            steps.append(step)
    return tuple(steps)


class DeadlineRule:
    """Every task of every JST: the deadline ladder, then the review loop."""

    name = "deadlines"

    async def load(self, session: AsyncSession, now: dt.datetime) -> DeadlineState:
        return await load_deadline_state(session, now)

    def plan(
        self, state: DeadlineState, calendar: WorkCalendar, until: dt.datetime | None = None
    ) -> list[Due]:
        return [
            due
            for jst in state.jsts
            for task in jst.tasks
            for due in _TaskPlan(state, calendar, jst, task, until).dues()
        ]


@dataclass(frozen=True)
class _TaskPlan:
    """The reminders of one task of one JST, as its state calls for."""

    state: DeadlineState
    calendar: WorkCalendar
    jst: JstTasks
    task: TaskFacts
    until: dt.datetime | None  # only steps due by then

    def dues(self) -> list[Due]:
        task = self.task
        if task.state is TaskState.PENDING:
            if self.until is not None and self._nine(self._first_day()) > self.until:
                return []  # a task further ahead: the calendar only moves its steps later
            return self._ladder() + self._alert()
        if task.state is TaskState.SUBMITTED and task.submitted_at is not None:
            return self._review(task.submitted_at)
        if task.state is TaskState.RETURNED and task.reviewed_at is not None:
            return self._fix(task.reviewed_at)
        return []

    def _first_day(self) -> dt.date:
        return self.task.due - max(self.jst.ladder.days_before, default=0) * ONE_DAY

    def _before(self, deadline: dt.date, days: int) -> dt.date:
        """`days` before a deadline; "the day before" is the last working day before it (a
        Monday deadline is announced on Friday, not on Sunday, superseded by Monday's)."""
        return (
            self.calendar.working_day_before(deadline) if days == 1 else deadline - days * ONE_DAY
        )

    def _ladder(self) -> list[Due]:
        due = self.task.due
        moments = [
            (f"T-{d}", self._nine(self._before(due, d))) for d in self.jst.ladder.days_before
        ]
        moments.append(("T+1", self._nine(due + ONE_DAY)))
        schedule = []
        for step, moment in self._deliveries(moments, since=self.task.extended_at):
            days = (due - self.calendar.local_date(moment)).days
            if step.name != "T+1":
                schedule += self._team(step, DUE, self._deadline_key, days=days)
                continue
            schedule += self._team(step, OVERDUE, self._deadline_key, days=-days)
            if self.jst.duty is not None:
                adviser = self.jst.duty.on(self.calendar.local_date(step.at))
                values = self._values(days=-days)
                key = self._deadline_key(step, adviser)
                schedule.append(self._due(step, adviser, OVERDUE_ADVISER, values, key))
        return schedule

    def _alert(self) -> list[Due]:
        """One e-mail per coordinator; values are JSON, the e-mail is rendered when sent."""
        task, jst, calendar = self.task, self.jst, self.calendar
        alert_days = jst.ladder.alert_days
        schedule = []
        alert = (f"T+{alert_days}", self._nine(task.due + alert_days * ONE_DAY))
        for step, moment in self._deliveries([alert], since=task.extended_at):
            adviser = None if jst.duty is None else jst.duty.on(calendar.local_date(step.at))
            values = self._values(days=(calendar.local_date(moment) - task.due).days) | {
                "due_on": task.due.isoformat(),
                "teryt": jst.teryt,
                "adviser": None if adviser is None else self.state.names.get(adviser),
            }
            for coordinator in self.state.coordinators:
                key = self._deadline_key(step, coordinator)
                schedule.append(
                    self._due(step, coordinator, OVERDUE_ALERT, values, key, email=True)
                )
        return schedule

    def _review(self, submitted_at: dt.datetime) -> list[Due]:
        """The adviser on duty, once the review has taken longer than the programme allows."""
        ladder, duty = self.jst.ladder, self.jst.duty
        wait = ladder.rereview_days if self.task.review_round else ladder.first_review_days
        if duty is None:
            return []
        schedule = []
        reminder = ("review", self._later(submitted_at, wait))
        for step, moment in self._deliveries([reminder], since=None):
            adviser = duty.on(self.calendar.local_date(step.at))
            waited = self.calendar.local_date(moment) - self.calendar.local_date(submitted_at)
            values = self._values(
                days=waited.days, submitted_at=submitted_at, review_round=self.task.review_round
            )
            key = self._review_key(step, adviser)
            schedule.append(self._due(step, adviser, REVIEW, values, key))
        return schedule

    def _fix(self, reviewed_at: dt.datetime) -> list[Due]:
        """The team: the day before the date to fix by, and on that day."""
        reviewed_on = self.calendar.local_date(reviewed_at)
        fix_on = self.calendar.next_working_day(reviewed_on + self.jst.ladder.fix_days * ONE_DAY)
        moments = [("fix-1", self._nine(self._before(fix_on, 1))), ("fix-0", self._nine(fix_on))]
        schedule = []
        for step, moment in self._deliveries(moments, since=reviewed_at):
            days = (fix_on - self.calendar.local_date(moment)).days
            schedule += self._team(step, FIX, self._review_key, days=days, fix_on=fix_on)
        return schedule

    def _deliveries(
        self, moments: Sequence[tuple[str, dt.datetime]], *, since: dt.datetime | None
    ) -> list[tuple[Step, dt.datetime]]:
        """The steps still worth sending at `now`, with when each would go out."""
        last_for = self.jst.ladder.alert_days * ONE_DAY
        steps = series(self.calendar, tuple(moments), last_for=last_for, since=since)
        until = self.until
        found = [
            (step, step.delivery(self.calendar, self.state.now))
            for step in steps
            if until is None or step.at <= until
        ]
        return [(step, moment) for step, moment in found if moment is not None]

    def _team(self, step: Step, template: str, key: KeyOf, **values: Any) -> list[Due]:
        shared = self._values(**values)
        return [
            self._due(step, member, template, shared, key(step, member))
            for member in self.jst.members
        ]

    def _values(self, **extra: Any) -> dict[str, Any]:
        task = self.task
        return {
            "code": task.code,
            "title_pl": task.title_pl,
            "title_en": task.title_en,
            "label_pl": task.label_pl,
            "label_en": task.label_en,
            "jst_name": self.jst.name,
            "due_on": task.due,
            "extended": task.extended_until is not None,
            "resolution": task.resolution,
            **extra,
        }

    def _due(
        self,
        step: Step,
        person_id: int,
        template: str,
        values: dict[str, Any],
        key: str,
        *,
        email: bool = False,
    ) -> Due:
        """A Telegram reminder (at most once), or an e-mail alert that may not be lost."""
        return Due(
            key=key,
            person_id=person_id,
            template=template,
            at=step.at,
            values=values,
            until=step.until,
            jst_id=self.jst.jst_id,
            channel=Channel.EMAIL if email else Channel.TELEGRAM,
            delivery=Delivery.AT_LEAST_ONCE if email else Delivery.AT_MOST_ONCE,
        )

    def _deadline_key(self, step: Step, person_id: int) -> str:
        task = f"{self.jst.jst_id}:{self.task.code}:{self.task.due.isoformat()}"
        return f"deadline:{task}:{step.name}:{person_id}"

    def _review_key(self, step: Step, person_id: int) -> str:
        task = f"{self.jst.jst_id}:{self.task.code}:{self.task.review_round}"
        return f"review:{task}:{step.name}:{person_id}"

    def _nine(self, day: dt.date) -> dt.datetime:
        return self.calendar.at(day, LADDER_HOUR)

    def _later(self, moment: dt.datetime, days: int) -> dt.datetime:
        """The same local wall-clock time `days` later: daylight-saving changes shift nothing."""
        local = moment.astimezone(self.calendar.zone)
        later = dt.datetime.combine(
            local.date() + days * ONE_DAY, local.time(), self.calendar.zone
        )
        return later.astimezone(dt.UTC)
