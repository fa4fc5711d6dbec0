"""The retention schedule's dates and the bot's daily pass (pure: no database)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from core.calendar import WorkCalendar
from core.settings import load_settings
from reminders.retention import DailyRetention, RetentionStats, Schedule
from storage.models import Role
from storage.retention.cohorts import CohortEnd
from storage.retention.messages import event_without_texts, without_words
from storage.retention.people import Tied

WARSAW = ZoneInfo("Europe/Warsaw")


def _schedule(messages: int = 24, people: int = 60) -> Schedule:
    return Schedule(
        messages_months=messages,
        outbox_days=30,
        drafts_days=30,
        invite_attempts_days=30,
        people_months=people,
    )


def test_the_defaults_and_their_settings() -> None:
    assert Schedule.of(load_settings(_env_file=None)) == _schedule()
    custom = load_settings(
        _env_file=None, retention_messages_months="6", retention_months_after_cohort="120"
    )
    assert (Schedule.of(custom).messages_months, Schedule.of(custom).people_months) == (6, 120)


@pytest.mark.parametrize(
    ("end", "months", "goes_on"),
    [
        (dt.date(2027, 4, 15), 24, dt.date(2029, 4, 16)),
        (dt.date(2027, 1, 31), 1, dt.date(2027, 3, 1)),  # 28 February kept, then gone
        (dt.date(2027, 12, 31), 12, dt.date(2029, 1, 1)),
    ],
)
def test_a_cohort_keeps_its_texts_through_the_last_day_of_the_period(
    end: dt.date, months: int, goes_on: dt.date
) -> None:
    assert _schedule(messages=months).texts_go_on(end) == goes_on


def test_texts_never_outlive_the_people_who_wrote_them() -> None:
    schedule = _schedule(messages=72, people=60)
    end = dt.date(2027, 4, 15)
    assert schedule.texts_go_on(end) == schedule.people_go_on(end) == dt.date(2032, 4, 16)


def test_an_adviser_goes_after_the_last_of_their_cohorts() -> None:
    ends = {
        1: CohortEnd(1, "pilot", dt.date(2027, 4, 15)),
        2: CohortEnd(2, "later", dt.date(2029, 4, 15)),
    }
    schedule = _schedule()
    adviser = Tied(7, Role.ADVISER, frozenset({1, 2}))
    assert schedule.person_goes_on(adviser, ends) == dt.date(2034, 4, 16)
    in_a_cohort_without_a_calendar = Tied(8, Role.ADVISER, frozenset({1, 3}))
    assert schedule.person_goes_on(in_a_cohort_without_a_calendar, ends) is None


def test_what_stays_of_a_hand_in_and_a_report() -> None:
    details = {
        "source": "tg:1:2",
        "progress_id": 5,
        "round": 1,
        "remarks": "Popraw arkusz",
        "until": "2026-06-06",
        "evidence": [{"kind": "text", "text": "x"}, {"kind": "document", "file_id": "f"}],
    }
    assert event_without_texts(details) == {
        "source": "tg:1:2",
        "progress_id": 5,
        "round": 1,
        "until": "2026-06-06",
        "evidence": [{"kind": "text"}, {"kind": "document"}],
        "retention": "expired",
    }
    one_piece = {"evidence": {"kind": "photo", "file_id": "f"}}  # stored before lists
    assert event_without_texts(one_piece)["evidence"] == [{"kind": "photo"}]
    version = {"pieces": [{"kind": "link", "text": "https://example.pl"}]}  # a material's
    assert event_without_texts(version, pieces="pieces") == {
        "pieces": [{"kind": "link"}],
        "retention": "expired",
    }
    answers = {"progress": 4, "done": "Szkolenie", "support": False}
    assert without_words(answers, ("done", "obstacles")) == {
        "progress": 4,
        "done": "",
        "support": False,
    }


def test_the_bot_passes_at_start_then_nightly_and_goes_on_while_work_is_left() -> None:
    daily = DailyRetention(WorkCalendar(WARSAW))
    start = dt.datetime(2027, 3, 27, 15, 0, tzinfo=WARSAW)  # the day before summer time
    assert daily.due(start)
    daily.passed(start, RetentionStats())
    assert daily.next_at == dt.datetime(2027, 3, 28, 3, 0, tzinfo=WARSAW)
    assert not daily.due(start + dt.timedelta(hours=10))
    night = dt.datetime(2027, 3, 28, 3, 0, tzinfo=WARSAW)
    assert daily.due(night)
    daily.passed(night, RetentionStats(left=True))
    assert daily.due(night + dt.timedelta(minutes=1)), "a pass that left work: the next minute"
    early = dt.datetime(2027, 3, 29, 1, 0, tzinfo=WARSAW)
    daily.passed(early, RetentionStats())
    assert daily.next_at == dt.datetime(2027, 3, 29, 3, 0, tzinfo=WARSAW)
