"""The questions' service level as a pure plan: when the adviser and the coordinators hear."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from core.calendar import WorkCalendar
from core.templates import Templates
from localapi.markup import parse_html
from reminders.questions_sla import QuestionSlaRule, SlaState
from reminders.schedule import Due
from storage.models import AdviserAssignment, Channel, Delivery, QuestionState
from storage.questions.waiting import WaitingQuestion

WARSAW = ZoneInfo("Europe/Warsaw")
CALENDAR = WorkCalendar(WARSAW, (20, 8))
JAN, MARIA, SUBSTITUTE, KASIA, PIOTR = 11, 12, 13, 21, 22
EARLY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)  # a `now` before every question: the whole plan


def local(year: int, month: int, on: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, on, hour, minute, tzinfo=WARSAW).astimezone(dt.UTC)


def question(
    asked_at: dt.datetime,
    *,
    number: int = 7,
    state: QuestionState = QuestionState.OPEN,
    answered_at: dt.datetime | None = None,
    adviser_id: int | None = JAN,
    assignment: AdviserAssignment | None = None,
) -> WaitingQuestion:
    return WaitingQuestion(
        id=number,
        jst_id=3,
        jst_name="Miasto Stołeczne Warszawa",
        teryt="1465011",
        text="Jak przygotować debatę?",
        state=state,
        asked_at=asked_at,
        first_answered_at=answered_at,
        adviser_id=adviser_id,
        assignment=assignment,
    )


def plan(*questions: WaitingQuestion, now: dt.datetime = EARLY) -> dict[str, Due]:
    state = SlaState(
        now=now,
        questions=list(questions),
        advisers={JAN: "Jan Kowalski", MARIA: "Maria Szymańska", SUBSTITUTE: "Zofia Zastępcza"},
        coordinators=[KASIA, PIOTR],
    )
    return {due.key: due for due in QuestionSlaRule().plan(state, CALENDAR)}


def moments(asked_at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """When the adviser is reminded and when the coordinators are alerted."""
    schedule = plan(question(asked_at))
    coordinator_times = {
        schedule["q-sla:7:coord:21:4wd"].at,
        schedule["q-sla:7:coord:22:4wd"].at,
    }
    assert len(coordinator_times) == 1, "every coordinator at the same moment"
    return schedule["q-sla:7:adviser:2wd"].at, coordinator_times.pop()


@pytest.mark.parametrize(
    ("asked_at", "reminder", "alert"),
    [
        # Friday afternoon: Friday and Monday count -> Tuesday morning; Thursday for the alert.
        (local(2026, 3, 6, 15), local(2026, 3, 10, 8), local(2026, 3, 12, 8)),
        # Monday 09:00: Monday and Tuesday count.
        (local(2026, 3, 9, 9), local(2026, 3, 11, 8), local(2026, 3, 13, 8)),
        # Before opening hours: the day still counts.
        (local(2026, 3, 9, 6), local(2026, 3, 11, 8), local(2026, 3, 13, 8)),
        # Evening (quiet hours): the clock starts the next working day.
        (local(2026, 3, 9, 21), local(2026, 3, 12, 8), local(2026, 3, 16, 8)),
        # Saturday: Monday and Tuesday count.
        (local(2026, 3, 7, 11), local(2026, 3, 11, 8), local(2026, 3, 13, 8)),
        # Friday 30 October: Sunday 1 November changes nothing; Monday 2 November counts.
        (local(2026, 10, 30, 12), local(2026, 11, 3, 8), local(2026, 11, 5, 8)),
        # Tuesday 10 November: Wednesday 11 November (Independence Day) is skipped.
        (local(2026, 11, 10, 10), local(2026, 11, 13, 8), local(2026, 11, 17, 8)),
        # 23 December: 24-26 December and the weekend are skipped.
        (local(2026, 12, 23, 10), local(2026, 12, 29, 8), local(2026, 12, 31, 8)),
        # Asked on Christmas Day: the clock starts on Monday 28 December.
        (local(2026, 12, 25, 10), local(2026, 12, 30, 8), local(2027, 1, 4, 8)),
        # Friday before Easter: Easter Monday 29 March 2027 is skipped.
        (local(2027, 3, 26, 9), local(2027, 3, 31, 8), local(2027, 4, 2, 8)),
    ],
)
def test_working_days_counted_from_the_first_working_hour_skipping_holidays(
    asked_at: dt.datetime, reminder: dt.datetime, alert: dt.datetime
) -> None:
    assert moments(asked_at) == (reminder, alert)


def test_dst_changes_keep_the_local_opening_hour() -> None:
    spring_reminder, spring_alert = moments(local(2026, 3, 27, 15))  # CET; DST on the 29th
    assert spring_reminder == dt.datetime(2026, 3, 31, 6, 0, tzinfo=dt.UTC)  # 08:00 CEST
    assert spring_alert == dt.datetime(2026, 4, 2, 6, 0, tzinfo=dt.UTC)
    autumn_reminder, _ = moments(local(2026, 10, 23, 15))  # CEST; back to CET on the 25th
    assert autumn_reminder == dt.datetime(2026, 10, 27, 7, 0, tzinfo=dt.UTC)  # 08:00 CET


def test_reminder_goes_to_the_adviser_and_alert_to_every_coordinator_by_email() -> None:
    schedule = plan(question(local(2026, 3, 6, 15)))
    assert sorted(schedule) == [
        "q-sla:7:adviser:2wd",
        "q-sla:7:coord:21:4wd",
        "q-sla:7:coord:22:4wd",
    ]
    reminder = schedule["q-sla:7:adviser:2wd"]
    assert (reminder.person_id, reminder.channel, reminder.jst_id) == (JAN, Channel.TELEGRAM, 3)
    assert reminder.template == "question_sla_adviser"
    assert reminder.values["working_days"] == 2
    assert reminder.until is None, "the adviser is reminded even when the tick comes late"
    alerts = [schedule["q-sla:7:coord:21:4wd"], schedule["q-sla:7:coord:22:4wd"]]
    assert {alert.person_id for alert in alerts} == {KASIA, PIOTR}
    for alert in alerts:
        assert alert.channel is Channel.EMAIL
        assert alert.delivery is Delivery.AT_LEAST_ONCE
        assert alert.template == "question_sla_coordinator"
        assert json.loads(json.dumps(alert.values)) == {
            "question": 7,
            "jst_name": "Miasto Stołeczne Warszawa",
            "teryt": "1465011",
            "adviser": "Jan Kowalski",
            "asked_at": "2026-03-06T14:00:00+00:00",
            "working_days": 4,
            "followup": False,
        }


@pytest.mark.parametrize(
    ("state", "answered_at"),
    [
        (QuestionState.ANSWERED, local(2026, 3, 9, 10)),
        (QuestionState.CLOSED, None),  # closed without an answer
        (QuestionState.CLOSED, local(2026, 3, 9, 10)),
        (QuestionState.OPEN, local(2026, 3, 9, 10)),  # a follow-up reopened it: it was answered
    ],
)
def test_answered_or_closed_questions_wait_for_nothing(
    state: QuestionState, answered_at: dt.datetime | None
) -> None:
    asked = question(local(2026, 3, 6, 15), state=state, answered_at=answered_at)
    assert plan(asked) == {}
    assert plan(asked, now=local(2026, 4, 1, 10)) == {}


def test_only_the_waiting_question_of_several_is_planned() -> None:
    waiting = question(local(2026, 3, 6, 15), number=8)
    done = question(local(2026, 3, 6, 15), number=9, state=QuestionState.ANSWERED)
    assert {due.key.split(":")[1] for due in plan(waiting, done).values()} == {"8"}


def maria_away(first: dt.date, last: dt.date) -> WaitingQuestion:
    """Friday's question in Maria's JST, while a substitute stands in from `first` to `last`."""
    away = AdviserAssignment(
        jst_id=3,
        adviser_id=MARIA,
        substitute_id=SUBSTITUTE,
        substitute_from=first,
        substitute_until=last,
    )
    return question(local(2026, 3, 6, 15), adviser_id=MARIA, assignment=away)


def test_substitute_on_duty_gets_the_reminder() -> None:
    schedule = plan(maria_away(dt.date(2026, 3, 9), dt.date(2026, 3, 10)))
    assert schedule["q-sla:7:adviser:2wd"].person_id == SUBSTITUTE  # Tuesday the 10th
    assert schedule["q-sla:7:coord:21:4wd"].values["adviser"] == "Maria Szymańska", "back"


def test_a_late_tick_reminds_whoever_is_on_duty_with_the_true_wait() -> None:
    asked = maria_away(dt.date(2026, 3, 16), dt.date(2026, 3, 20))
    schedule = plan(asked, now=local(2026, 3, 15, 12))  # first tick on a Sunday, long after
    reminder = schedule["q-sla:7:adviser:2wd"]
    assert reminder.at == local(2026, 3, 10, 8), "the moment it became due does not move"
    assert reminder.person_id == SUBSTITUTE, "sent on Monday 16th, when the substitute is on"
    assert reminder.values["working_days"] == 6  # 6, 9-13 March
    assert schedule["q-sla:7:coord:21:4wd"].values["working_days"] == 6


def test_without_an_assignment_the_routed_adviser_is_reminded() -> None:
    assert plan(question(local(2026, 3, 6, 15)))["q-sla:7:adviser:2wd"].person_id == JAN


def test_nobody_to_remind_still_alerts_the_coordinators() -> None:
    schedule = plan(question(local(2026, 3, 6, 15), adviser_id=None))
    assert "q-sla:7:adviser:2wd" not in schedule
    assert schedule["q-sla:7:coord:21:4wd"].values["adviser"] is None


def test_no_coordinators_no_alerts() -> None:
    state = SlaState(EARLY, [question(local(2026, 3, 6, 15))], {JAN: "Jan Kowalski"}, [])
    assert [due.key for due in QuestionSlaRule().plan(state, CALENDAR)] == ["q-sla:7:adviser:2wd"]


HOSTILE = 'Gmina <b>Zła</b> & "Syn" </i> &amp; <script>'


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_reminder_template_shows_hostile_texts_as_written(lang: str) -> None:
    reminder = plan(question(local(2026, 3, 6, 15)))["q-sla:7:adviser:2wd"]
    values = reminder.values | {"jst_name": HOSTILE, "text": HOSTILE}
    html = Templates(WARSAW).render(lang, "tg/reminders/question_sla_adviser.html.j2", **values)
    text = parse_html(html)[0]  # raises as Telegram does on broken HTML
    assert text.count(HOSTILE) == 2
    assert "7" in text and "1465011" in text
    assert ("/odpowiedz 7" if lang == "pl" else "/answer 7") in text
    assert ("2 dni robocze" if lang == "pl" else "2 working days") in text
    assert ("6 marca 2026, 15:00" if lang == "pl" else "6 March 2026, 15:00") in text


@pytest.mark.parametrize(
    ("days", "words"),
    [
        (1, "1 dzień roboczy"),
        (4, "4 dni robocze"),
        (5, "5 dni roboczych"),
        (12, "12 dni roboczych"),
        (22, "22 dni robocze"),
        (25, "25 dni roboczych"),
    ],
)
def test_polish_plural_of_working_days(days: int, words: str) -> None:
    reminder = plan(question(local(2026, 3, 6, 15)))["q-sla:7:adviser:2wd"]
    values = reminder.values | {"working_days": days}
    html = Templates(WARSAW).render("pl", "tg/reminders/question_sla_adviser.html.j2", **values)
    assert words in parse_html(html)[0]
