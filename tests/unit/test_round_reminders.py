"""Training round reminders: 7 and 1 working days before (counted over holidays), each once; a
change tells the members and plans the new date's reminders; a withdrawal tells them too."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

from core.calendar import WorkCalendar
from reminders.rounds import CANCELLED, CHANGED, REMINDER, CohortRounds, RoundRule, RoundState
from reminders.schedule import Due
from storage.round_views import RoundView

ZONE = ZoneInfo("Europe/Warsaw")
CALENDAR = WorkCalendar(ZONE)
TEAMS = ((1, (11, 12)), (2, (21,)))
MEMBERS = 3
# Thursday 12 November 2026: the day before it, 11 November, is a public holiday.
ROUND_DAY = dt.date(2026, 11, 12)
SET_AT = dt.datetime(2026, 10, 1, 10, 0, tzinfo=dt.UTC)


def _round(**changes: object) -> RoundView:
    found = RoundView(
        cohort_id=1,
        code="Z1",
        number=1,
        title_pl="I zjazd szkoleniowy",
        title_en="Training round I",
        phase_starts_on=dt.date(2026, 10, 1),
        phase_ends_on=dt.date(2026, 11, 30),
        event_id=5,
        held_on=ROUND_DAY,
        start_time="10:00",
        end_time="15:30",
        mode="on_site",
        place="Warszawa, ul. Spokojna 13A",
        bring="laptop",
        set_at=SET_AT,
    )
    return replace(found, **changes)  # type: ignore[arg-type]


def _plan(found: RoundView, now: dt.datetime, until: dt.datetime | None = None) -> list[Due]:
    state = RoundState(now, (CohortRounds((7, 1), (found,), TEAMS),))
    return RoundRule().plan(state, CALENDAR, until)


def _walk(
    found: RoundView, start: dt.datetime, end: dt.datetime, sent: dict[str, Due] | None = None
) -> dict[str, Due]:
    """Tick every hour from `start` to `end`: what is due and not sent yet is sent."""
    sent = {} if sent is None else sent
    now = start
    while now < end:
        for due in _plan(found, now, now):
            if due.is_due(now) and due.key not in sent:
                sent[due.key] = replace(due, at=CALENDAR.next_allowed(now))
        now += dt.timedelta(hours=1)
    return sent


def _local(day: dt.date, hour: int) -> dt.datetime:
    return CALENDAR.at(day, hour)


def test_seven_and_one_working_days_before_counted_over_the_holiday() -> None:
    sent = _walk(_round(), SET_AT, _local(ROUND_DAY, 18))
    by_step: dict[str, list[Due]] = {}
    for due in sent.values():
        assert due.template == REMINDER
        by_step.setdefault(due.key.split(":")[3], []).append(due)
    assert sorted(by_step) == ["T-1", "T-7"]
    # 7 working days before Thursday 12 November (11 November a holiday): Monday 2 November.
    assert {d.at for d in by_step["T-7"]} == {_local(dt.date(2026, 11, 2), 9)}
    # The last working day before it: Tuesday 10 November.
    assert {d.at for d in by_step["T-1"]} == {_local(dt.date(2026, 11, 10), 9)}
    for step in by_step.values():
        assert sorted(d.person_id for d in step) == [11, 12, 21]  # every member, once
    assert {d.values["days"] for d in by_step["T-7"]} == {10}
    assert {d.values["days"] for d in by_step["T-1"]} == {2}
    values = by_step["T-1"][0].values
    assert values["place"] == "Warszawa, ul. Spokojna 13A"
    assert values["bring"] == "laptop"
    assert values["held_on"] == ROUND_DAY
    assert {d.jst_id for d in by_step["T-1"]} == {1, 2}


def test_no_reminder_goes_on_or_after_the_round() -> None:
    late_start = _local(dt.date(2026, 11, 11), 9)  # the tick was down until the holiday
    sent = _walk(_round(), late_start, _local(ROUND_DAY + dt.timedelta(days=3), 9))
    # Only the T-1 still holds, and it may not go on the round's day: nothing at all.
    assert sent == {}


def test_a_change_tells_the_members_and_plans_the_new_date() -> None:
    sent = _walk(_round(), SET_AT, _local(dt.date(2026, 11, 3), 9))  # T-7 has gone
    assert {due.key.split(":")[3] for due in sent.values()} == {"T-7"}
    changed_at = _local(dt.date(2026, 11, 3), 12)
    new_day = dt.date(2026, 11, 19)
    moved = _round(held_on=new_day, previous_on=ROUND_DAY, changed_at=changed_at)
    after = _walk(moved, changed_at, _local(new_day, 18), dict(sent))
    new = [due for key, due in after.items() if key not in sent]
    notices = [due for due in new if due.template == CHANGED]
    assert sorted(d.person_id for d in notices) == [11, 12, 21]
    assert {d.values["previous_on"] for d in notices} == {ROUND_DAY}
    reminders = [due for due in new if due.template == REMINDER]
    # The new date's T-7 (Tuesday 10 November) comes after the change: it goes; and T-1.
    assert sorted({d.key.split(":")[3] for d in reminders}) == ["T-1", "T-7"]
    assert {d.key.split(":")[2] for d in reminders} == {new_day.isoformat()}
    assert {d.at for d in reminders if d.key.split(":")[3] == "T-1"} == {
        _local(dt.date(2026, 11, 18), 9)
    }
    # The old date plans nothing more.
    assert not [d for d in _plan(moved, changed_at) if ROUND_DAY.isoformat() in d.key]


def test_a_change_after_the_first_reminder_skips_the_steps_before_it() -> None:
    changed_at = _local(dt.date(2026, 11, 9), 12)  # the new date's T-7 is before the change
    moved = _round(held_on=dt.date(2026, 11, 13), previous_on=ROUND_DAY, changed_at=changed_at)
    sent = _walk(moved, changed_at, _local(dt.date(2026, 11, 14), 9))
    steps = sorted({(due.template, due.key.split(":")[3]) for due in sent.values()})
    assert [template for template, _ in steps] == [CHANGED, REMINDER]
    assert steps[1] == (REMINDER, "T-1")


def test_a_withdrawn_round_is_told_once_until_its_day() -> None:
    cancelled_at = _local(dt.date(2026, 11, 4), 14)
    withdrawn = _round(held_on=None, previous_on=ROUND_DAY, cancelled_at=cancelled_at)
    sent = _walk(withdrawn, cancelled_at, _local(ROUND_DAY + dt.timedelta(days=2), 9))
    assert {due.template for due in sent.values()} == {CANCELLED}
    assert len(sent) == MEMBERS
    assert _plan(withdrawn, _local(ROUND_DAY + dt.timedelta(days=1), 9)) == []
    # A round withdrawn after it was held (a correction) tells nobody.
    late = replace(withdrawn, cancelled_at=_local(ROUND_DAY + dt.timedelta(days=1), 9))
    assert _plan(late, late.cancelled_at or SET_AT) == []


def test_a_past_round_plans_nothing() -> None:
    assert _plan(_round(), _local(ROUND_DAY + dt.timedelta(days=1), 9)) == []
