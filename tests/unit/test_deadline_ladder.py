"""A whole cohort (27 months) walked through the deadline ladder and review loop, fake clock.

The cohort starts on 9 September 2024 with the shipped template (storage/programme/ore-2024.toml):
ZW1 due Tue 8 Apr 2025, ZW2 Fri 8 Aug 2025, ZW3 and HDR_ORE Sun 8 Mar 2026, UCHWALA Wed 8 Apr
2026, the programme's end Tue 8 Dec 2026 (DP and UPOW follow each JST's monitoring: planned for
June and July 2027, after the walk). Four JSTs act on a script; the
clock jumps from one moment to the next at which anything can change (an action, a reminder's
start or end). That is exactly what a tick every minute would see: between two such moments
the state stays the same and no reminder starts or ends. It takes well under a second.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo

from core.calendar import WorkCalendar
from core.templates import Templates
from reminders.deadline_state import DeadlineState, JstTasks, Ladder, TaskFacts
from reminders.deadlines import DeadlineRule
from reminders.schedule import Due
from storage.models import Channel, TaskState
from storage.programme import default_template_path, load_template
from storage.programme_calendar import TASK, compute_calendar, programme_end
from storage.rosters import Duty, StandIn

WARSAW = ZoneInfo("Europe/Warsaw")
CALENDAR = WorkCalendar(WARSAW)
TEMPLATE = load_template(default_template_path())
START = dt.date(2024, 9, 9)
RULE = DeadlineRule()
COORDINATORS = (81, 82)
DAY = dt.timedelta(days=1)
TASKS = tuple(
    TaskFacts(s.code, s.title_pl, s.title_en, s.due_on, resolution=s.code == "UCHWALA")
    for s in compute_calendar(TEMPLATE, START)
    if s.kind == TASK and s.due_on is not None
)
DUE_ON = {task.code: task.due_on for task in TASKS}
Row = tuple[int, str, str, dt.datetime]  # person, template, task, local time it goes out


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=WARSAW)


@dataclass(frozen=True)
class Act:
    """Something a JST or its adviser does to a task at a moment."""

    at: dt.datetime
    code: str
    change: dict[str, Any]


def submitted(at: dt.datetime, code: str) -> Act:
    return Act(at, code, {"state": TaskState.SUBMITTED, "submitted_at": at})


def accepted(at: dt.datetime, code: str) -> Act:
    return Act(at, code, {"state": TaskState.ACCEPTED})


def returned(at: dt.datetime, code: str, review_round: int) -> Act:
    changes = {"state": TaskState.RETURNED, "reviewed_at": at, "review_round": review_round}
    return Act(at, code, changes)


def extended(at: dt.datetime, code: str, until: dt.date) -> Act:
    return Act(at, code, {"extended_until": until, "extended_at": at})


def handed_in(days_after_due: int, skip: Iterable[str] = ()) -> list[Act]:
    """Every task submitted `days_after_due` after its date (negative: early), accepted 2 later."""
    acts = []
    for task in TASKS:
        if task.code not in skip:
            day = task.due_on + days_after_due * DAY
            acts += [submitted(on(day, 10), task.code), accepted(on(day + 2 * DAY, 10), task.code)]
    return acts


def on(day: dt.date, hour: int) -> dt.datetime:
    return local(day.year, day.month, day.day, hour)


@dataclass(frozen=True)
class Team:
    jst_id: int
    members: tuple[int, ...]
    adviser: int
    script: tuple[Act, ...]
    duty: Duty | None = None

    def state_at(self, now: dt.datetime) -> JstTasks:
        """The JST as the database would show it at `now`."""
        tasks = {task.code: task for task in TASKS}
        for act in sorted(self.script, key=lambda a: a.at):
            if act.at <= now:
                tasks[act.code] = replace(tasks[act.code], **act.change)
        return JstTasks(
            self.jst_id,
            f"JST {self.jst_id}",
            "1401011",
            Ladder.of(TEMPLATE),
            self.members,
            self.duty or Duty(self.adviser),
            tuple(tasks.values()),
        )


def walk(teams: Iterable[Team], start: dt.datetime, end: dt.datetime) -> dict[int, set[Row]]:
    """What each JST's people receive between `start` and `end`, by JST."""
    found: dict[int, set[Row]] = {}
    for due, row in ticks(teams, start, end):
        found.setdefault(due.jst_id or 0, set()).add(row)
    return found


def ticks(teams: Iterable[Team], start: dt.datetime, end: dt.datetime) -> list[tuple[Due, Row]]:
    """Tick at every moment anything can change; each key counts once, as the outbox does."""
    teams = list(teams)
    actions = sorted({act.at for team in teams for act in team.script})
    names = {team.adviser: f"Adviser {team.jst_id}" for team in teams}
    sent: dict[str, tuple[Due, Row]] = {}
    now = start
    while now < end:
        state = DeadlineState(now, tuple(t.state_at(now) for t in teams), COORDINATORS, names)
        schedule = RULE.plan(state, CALENDAR)
        assert _due_keys(windowed(state), now) == _due_keys(schedule, now)
        for due in schedule:
            if due.is_due(now) and due.key not in sent:
                when = CALENDAR.next_allowed(max(due.at, now)).astimezone(WARSAW)
                row = (due.person_id, due.template, due.values["code"], when)
                sent[due.key] = (due, row)
        later = [m for m in actions if m > now]
        later += [d.at for d in schedule if d.at > now]
        later += [d.until for d in schedule if d.until is not None and d.until > now]
        now = min(later, default=end)
    return list(sent.values())


def windowed(state: DeadlineState) -> list[Due]:
    """What the tick plans: the tasks the database load keeps (`Ladder.may_speak`), the
    steps due by now."""
    today = state.now.astimezone(dt.UTC).date()
    jsts = tuple(
        replace(jst, tasks=tuple(t for t in jst.tasks if jst.ladder.may_speak(t, today)))
        for jst in state.jsts
    )
    return RULE.plan(replace(state, jsts=jsts), CALENDAR, state.now)


def _due_keys(schedule: Iterable[Due], now: dt.datetime) -> set[str]:
    return {due.key for due in schedule if due.is_due(now)}


def rows(people: Iterable[int], template: str, code: str, *moments: dt.datetime) -> set[Row]:
    return {(person, template, code, moment) for person in people for moment in moments}


# T-14 and T-7 of each task due in the walk. ZW3 and HDR_ORE end their phase on Sunday 8 March
# 2026: their deadlines are the Monday after (issue 21), and so are their steps.
EARLY_STEPS = {
    "ZW1": (local(2025, 3, 25, 9), local(2025, 4, 1, 9)),
    "ZW2": (local(2025, 7, 25, 9), local(2025, 8, 1, 9)),
    "ZW3": (local(2026, 2, 23, 9), local(2026, 3, 2, 9)),
    "HDR_ORE": (local(2026, 2, 23, 9), local(2026, 3, 2, 9)),
    "UCHWALA": (local(2026, 3, 25, 9), local(2026, 4, 1, 9)),
}


def early_steps(members: tuple[int, ...]) -> set[Row]:
    return set().union(*(rows(members, "task_due", c, *m) for c, m in EARLY_STEPS.items()))


# T-1 and T-0 of the tasks a late team still hears them for: "the day before" a Monday deadline
# (ZW3, HDR_ORE) is the Friday before it.
LAST_DAYS = {
    "ZW1": (local(2025, 4, 7, 9), local(2025, 4, 8, 9)),
    "ZW2": (local(2025, 8, 7, 9), local(2025, 8, 8, 9)),
    "ZW3": (local(2026, 3, 6, 9), local(2026, 3, 9, 9)),
    "HDR_ORE": (local(2026, 3, 6, 9), local(2026, 3, 9, 9)),
    "UCHWALA": (local(2026, 4, 7, 9), local(2026, 4, 8, 9)),
}
# T+1 (the team's and the adviser's overdue notice) and T+7 (the coordinators' alert).
OVERDUE = {
    "ZW1": (local(2025, 4, 9, 9), local(2025, 4, 15, 9)),
    # T+1 on Saturday -> Monday 08:00; the alert on 15 August (a holiday) -> Monday 18th
    "ZW2": (local(2025, 8, 11, 8), local(2025, 8, 18, 8)),
    "ZW3": (local(2026, 3, 10, 9), local(2026, 3, 16, 9)),
    "HDR_ORE": (local(2026, 3, 10, 9), local(2026, 3, 16, 9)),
    "UCHWALA": (local(2026, 4, 9, 9), local(2026, 4, 15, 9)),
}


def late_steps(team: Team) -> set[Row]:
    """What a team that hands in every task after its date is sent, and who else is told."""
    found = early_steps(team.members)
    for code, (overdue, alert) in OVERDUE.items():
        found |= rows(team.members, "task_due", code, *LAST_DAYS.get(code, ()))
        found |= rows(team.members, "task_overdue", code, overdue)
        found |= rows((team.adviser,), "task_overdue_adviser", code, overdue)
        found |= rows(COORDINATORS, "task_overdue_alert", code, alert)
    return found


ON_TIME = Team(1, (11, 12), 91, tuple(handed_in(-4)))  # before the working day before
LATE = Team(2, (21, 22), 92, tuple(handed_in(10)))
EXTENDED = Team(
    3,
    (31, 32),
    93,
    (
        *handed_in(-4, skip={"ZW2"}),
        extended(local(2025, 8, 4, 10), "ZW2", dt.date(2025, 9, 7)),
        submitted(local(2025, 9, 4, 10), "ZW2"),
        accepted(local(2025, 9, 6, 10), "ZW2"),
    ),
)
RETURNED_TWICE = Team(
    4,
    (41, 42),
    94,
    (
        *handed_in(-4, skip={"ZW1"}),
        submitted(local(2025, 4, 5, 10), "ZW1"),  # Saturday, three days early
        returned(local(2025, 4, 14, 12), "ZW1", 1),  # after the reminder: fix by Sat 19 April
        submitted(local(2025, 4, 22, 23), "ZW1"),  # late at night, after both fix reminders
        returned(local(2025, 4, 29, 10), "ZW1", 2),  # fix by Sun 4 May
        submitted(local(2025, 5, 5, 10), "ZW1"),
        accepted(local(2025, 5, 7, 10), "ZW1"),
    ),
)


def test_a_whole_cohort_gets_exactly_the_reminders_its_teams_call_for() -> None:
    end = on(programme_end(TEMPLATE, START) + DAY, 0)
    found = walk((ON_TIME, LATE, EXTENDED, RETURNED_TWICE), on(START, 0), end)

    assert found[1] == early_steps(ON_TIME.members), "on time: T-14 and T-7, nothing more"

    assert found[2] == late_steps(LATE), "late: the whole ladder, the adviser, the coordinators"

    # The old T-14 and T-7, then the new date's T-14 and T-7 (Sundays 24 and 31 August):
    # nothing about 8 August any more, no overdue notice, no alert.
    new_ladder = rows(
        EXTENDED.members, "task_due", "ZW2", local(2025, 8, 25, 8), local(2025, 9, 1, 8)
    )
    assert found[3] == early_steps(EXTENDED.members) | new_ladder

    team, adviser = RETURNED_TWICE.members, (RETURNED_TWICE.adviser,)
    review_loop = (
        rows(adviser, "task_review", "ZW1", local(2025, 4, 14, 8))  # 7 days: Sat 12 -> Mon
        # 5 days to fix end on Sat 19 April; Easter Monday: the term ends on Tue 22 April, and
        # "the day before" is the working day before it, Fri 18 April
        | rows(team, "task_fix", "ZW1", local(2025, 4, 18, 9), local(2025, 4, 22, 9))
        | rows(adviser, "task_review", "ZW1", local(2025, 4, 28, 8))  # 5 days: Sun 23:00 -> Mon
        # round 2: fix by Sun 4 May -> Mon 5 May; the working day before is Fri 2 May
        | rows(team, "task_fix", "ZW1", local(2025, 5, 2, 9), local(2025, 5, 5, 9))
    )
    assert found[4] == early_steps(team) | review_loop


def test_an_extension_inside_the_new_ladder_skips_what_the_team_was_just_told() -> None:
    """ZW1 (8 April) extended on 6 April to 16 April: the new T-14 (2 April) has passed."""
    team = Team(5, (51,), 95, (extended(local(2025, 4, 6, 10), "ZW1", dt.date(2025, 4, 16)),))
    found = walk([team], local(2025, 3, 1, 0), local(2025, 4, 17, 12))
    old = rows((51,), "task_due", "ZW1", local(2025, 3, 25, 9), local(2025, 4, 1, 9))  # T-14, T-7
    new = rows((51,), "task_due", "ZW1", *(local(2025, 4, day, 9) for day in (9, 15, 16)))
    overdue = rows((51,), "task_overdue", "ZW1", local(2025, 4, 17, 9))
    overdue |= rows((95,), "task_overdue_adviser", "ZW1", local(2025, 4, 17, 9))
    assert found[5] == old | new | overdue, "the new T-7, T-1 and T-0; then T+1"


def test_after_downtime_only_the_latest_step_goes_out_and_never_after_its_day() -> None:
    team = Team(6, (61,), 96, ())
    state = DeadlineState(local(2025, 4, 7, 12), (team.state_at(local(2025, 4, 7, 12)),), (), {})
    due_now = [d for d in RULE.plan(state, CALENDAR) if d.is_due(state.now)]
    assert [(d.values["code"], d.key.split(":")[4]) for d in due_now] == [("ZW1", "T-1")]
    assert due_now[0].values["days"] == 1

    evening = local(2025, 4, 8, 21)  # T-0 missed all day; tomorrow 08:00 would be after the day
    state = DeadlineState(evening, (team.state_at(evening),), (), {})
    assert [d for d in RULE.plan(state, CALENDAR) if d.is_due(evening)] == []


def test_a_review_reminder_keeps_its_wall_clock_time_across_daylight_saving() -> None:
    """Submitted Tue 20 Oct 2026 18:00 (CEST): reminded Tue 27 Oct 18:00 (CET), not 17:00."""
    dp = "DP"
    team = Team(7, (71,), 97, (submitted(local(2026, 10, 20, 18), dp),))
    found = walk([team], local(2026, 10, 20, 0), local(2026, 10, 29, 0))
    assert found[7] == rows((97,), "task_review", dp, local(2026, 10, 27, 18))


def test_the_stand_in_on_the_day_gets_the_adviser_reminders() -> None:
    stand_in = StandIn(98, dt.date(2025, 4, 9), dt.date(2025, 4, 11))
    team = Team(8, (801,), 90, (), duty=Duty(90, stand_in))
    found = walk([team], local(2025, 4, 8, 21), local(2025, 4, 10, 0))
    assert found[8] == rows((98,), "task_overdue_adviser", "ZW1", local(2025, 4, 9, 9)) | rows(
        (801,), "task_overdue", "ZW1", local(2025, 4, 9, 9)
    )


def test_an_accepted_task_has_nothing_left() -> None:
    team = Team(9, (901,), 99, tuple(accepted(local(2024, 9, 9, 12), t.code) for t in TASKS))
    now = local(2025, 4, 7, 9)
    assert RULE.plan(DeadlineState(now, (team.state_at(now),), COORDINATORS, {}), CALENDAR) == []


def test_every_reminder_renders_in_both_languages_and_alerts_are_json() -> None:
    end = on(programme_end(TEMPLATE, START) + DAY, 0)
    sent = ticks((LATE, EXTENDED, RETURNED_TWICE), on(START, 0), end)
    templates = Templates(WARSAW)
    assert {due.template for due, _ in sent} == {
        "task_due",
        "task_overdue",
        "task_overdue_adviser",
        "task_overdue_alert",
        "task_review",
        "task_fix",
    }
    for due, _ in sent:
        if due.channel is Channel.EMAIL:
            assert json.loads(json.dumps(due.values)) == due.values
            continue
        for lang in ("pl", "en"):
            text = templates.render(lang, f"tg/reminders/{due.template}.html.j2", **due.values)
            assert f"<b>{due.values['code']}</b>" in text


def test_days_are_counted_on_the_day_the_message_goes_out() -> None:
    """DP extended to Wed 18 Nov 2026: its T-7 falls on 11 November (a holiday) and goes out on
    Thursday 12th at 08:00, counting 6 days, not 7."""
    extension = extended(local(2026, 10, 20, 10), "DP", dt.date(2026, 11, 18))
    texts = {
        row[3]: Templates(WARSAW).render("pl", "tg/reminders/task_due.html.j2", **due.values)
        for due, row in ticks(
            [Team(10, (1001,), 100, (extension,))], local(2026, 10, 20, 0), local(2026, 11, 18, 23)
        )
        if row[0] == 1001
    }
    assert "18 listopada 2026</b> – za 14 dni" in texts[local(2026, 11, 4, 9)]
    assert "za 6 dni" in texts[local(2026, 11, 12, 8)]


def test_the_load_leaves_out_only_tasks_that_cannot_speak_again() -> None:
    ladder = Ladder.of(TEMPLATE)  # alert 7 days after the due date, stale 7 days after that
    today = dt.date(2026, 5, 1)
    task = TaskFacts("ZW1", "Zadanie", "Task", today - 60 * DAY)
    assert not ladder.may_speak(task, today)  # pending, its alert long stale
    assert ladder.may_speak(replace(task, due_on=today - 20 * DAY), today)  # alert may wait
    assert ladder.may_speak(replace(task, due_on=today + 300 * DAY), today)  # ahead
    assert ladder.may_speak(replace(task, extended_until=today + 3 * DAY), today)
    assert not ladder.may_speak(replace(task, due_on=today, state=TaskState.ACCEPTED), today)
    submitted_long_ago = replace(
        task, state=TaskState.SUBMITTED, submitted_at=local(2025, 1, 2, 9)
    )
    assert ladder.may_speak(submitted_long_ago, today)  # the review loop plans for itself
