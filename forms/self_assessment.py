"""The competence self-assessment: when each moment is open, and the form's steps.

"Before" is open from joining until the day before the first training round starts; "after"
from the day after the last round ends for `after_working_days` working days. The form asks one
statement a message, rated 1-5 by buttons; the answers stay in the form's data until the
member submits them (then they are kept once, storage/competences.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from core.calendar import WorkCalendar
from forms.steps import (
    CANCEL,
    UPDATE_KEY,
    Button,
    FormState,
    Input,
    Outcome,
    Press,
    Show,
    handled,
)
from storage.competences import AFTER, BEFORE, AssessmentSetting
from storage.programme import SCALE_POINTS, Competences

MOMENT_KEY, ANSWERS_KEY = "moment", "answers"
CONFIRM = ":confirm"  # never a question key (those are [a-z0-9_])
BACK, SUBMIT, VALUE = "back", "ok", "v"
SCALE = range(1, SCALE_POINTS + 1)


@dataclass(frozen=True)
class Window:
    """The days a moment is open, both included (`opens` None: from joining)."""

    moment: str
    opens: dt.date | None
    closes: dt.date


@dataclass(frozen=True)
class SubmitAssessment:
    """Keep these answers for this moment; the handler shows the result."""

    moment: str
    answers: Mapping[str, int]


def windows(setting: AssessmentSetting, calendar: WorkCalendar) -> tuple[Window, Window]:
    """Before and after."""
    after_opens = setting.last_round_ends + dt.timedelta(days=1)
    closes = calendar.add_working_days(
        setting.last_round_ends, setting.competences.after_working_days
    )
    return (
        Window(BEFORE, None, setting.first_round_starts - dt.timedelta(days=1)),
        Window(AFTER, after_opens, closes),
    )


def open_window(
    setting: AssessmentSetting, today: dt.date, calendar: WorkCalendar, answered: frozenset[str]
) -> Window | None:
    """The moment open today that the member has not answered yet."""
    return next(
        (
            window
            for window in windows(setting, calendar)
            if window.moment not in answered
            and (window.opens is None or window.opens <= today)
            and today <= window.closes
        ),
        None,
    )


def opened(competences: Competences, moment: str, update_id: int) -> Outcome[SubmitAssessment]:
    """The first statement."""
    state = FormState("", {MOMENT_KEY: moment, ANSWERS_KEY: {}, UPDATE_KEY: update_id})
    return _ask(state, update_id, competences, 0)


def step(state: FormState, event: Input, competences: Competences) -> Outcome[SubmitAssessment]:
    """One message or press on the self-assessment."""
    if handled(state, event):
        return Outcome(state)
    keys = [question.key for question in competences.question]
    at = keys.index(state.step) if state.step in keys else len(keys)
    if not isinstance(event, Press):  # every step takes a button: show it again
        return _ask(state, event.update_id, competences, at)
    choice = event.choice
    if choice == CANCEL:
        return Outcome(None, Show("self_assessment_paused"), remove_buttons=True)
    if choice == BACK and at > 0:
        return _ask(state, event.update_id, competences, at - 1)
    if choice.startswith(VALUE) and at < len(keys):
        raw = choice.removeprefix(VALUE)
        if raw.isdigit() and int(raw) in SCALE:
            answers = {**state.data[ANSWERS_KEY], keys[at]: int(raw)}
            moved = FormState(state.step, {**state.data, ANSWERS_KEY: answers})
            return _ask(moved, event.update_id, competences, at + 1)
    if choice == SUBMIT and at == len(keys):
        answers = dict(state.data[ANSWERS_KEY])
        return Outcome(
            None, effect=SubmitAssessment(state.data[MOMENT_KEY], answers), remove_buttons=True
        )
    return Outcome(state)


def _ask(
    state: FormState, update_id: int, competences: Competences, at: int
) -> Outcome[SubmitAssessment]:
    """Move to statement number `at` (past the last: the summary to submit) and show it."""
    questions = competences.question
    data = {**state.data, UPDATE_KEY: update_id}
    answers: dict[str, int] = data[ANSWERS_KEY]
    back = ((Button(BACK, "back"),),) if at > 0 else ()
    if at >= len(questions):
        values = {
            "competences": competences,
            "answers": answers,
            "score": sum(answers.values()),
            "moment": data[MOMENT_KEY],
        }
        buttons = ((Button(SUBMIT, "submit"),), *back)
        return Outcome(FormState(CONFIRM, data), Show("self_assessment_summary", values, buttons))
    question = questions[at]
    values = {
        "competences": competences,
        "question": question,
        "number": at + 1,
        "total": len(questions),
        "answer": answers.get(question.key),
        "moment": data[MOMENT_KEY],
    }
    scale = (tuple(Button(f"{VALUE}{n}", n) for n in SCALE),)
    return Outcome(
        FormState(question.key, data), Show("self_assessment_question", values, scale + back)
    )
