"""The monthly report form's steps: one question per message, answers kept as given.

Each answer goes at once into the team's draft (a `SaveAnswer` for the handler), so another
member, or the same one later, resumes where the form stopped. A correction of a submitted
report keeps its working copy in the form's data until it is submitted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from forms.steps import (
    CANCEL,
    UPDATE_KEY,
    Button,
    FormState,
    Input,
    Message,
    Outcome,
    Press,
    Row,
    Show,
    handled,
)
from storage.programme import ReportQuestion
from storage.reports import Answer, next_question, previous_question, shown_answers

CONFIRM, DONE = ":confirm", ":done"  # never a question key (those are [a-z0-9_])
REPORT_KEY, CORRECTION_KEY = "report", "answers"
BACK, SKIP, SUBMIT, FIX, VALUE = "back", "skip", "ok", "fix", "v"
SCALE = range(1, 6)
YES_NO = {"y": True, "n": False}
BUTTON_KINDS = ("scale", "yesno")


@dataclass(frozen=True)
class Report:
    """The report a form fills in, as its steps see it."""

    questions: tuple[ReportQuestion, ...]
    answers: Mapping[str, Answer]  # the team's draft, or what was submitted
    submitted: bool
    corrigible: bool  # its month's due date has not passed: a submitted report may be corrected


@dataclass(frozen=True)
class SaveAnswer:
    """Store an answer in the team's draft."""

    key: str
    value: Answer


@dataclass(frozen=True)
class SubmitReport:
    """Submit these answers (the draft's, or a correction's); the handler shows the result."""

    answers: Mapping[str, Answer]


ReportChange = SaveAnswer | SubmitReport


def opened(report: Report, report_id: int, update_id: int) -> Outcome[ReportChange]:
    """`/raport` for a month: its next question, the correction offer, or who submitted it
    (when it can no longer be corrected: then there is no form)."""
    if report.submitted and not report.corrigible:
        return Outcome(None, done(corrigible=False))
    state = FormState(DONE, {REPORT_KEY: report_id, UPDATE_KEY: update_id})
    if report.submitted:
        return Outcome(state, done(corrigible=True))
    first = next_question(report.questions, dict(report.answers), None)
    return _ask(state, update_id, report, first)


def step(state: FormState, event: Input, report: Report) -> Outcome[ReportChange]:
    """One message or press on the report form."""
    if handled(state, event):
        return Outcome(state)
    if isinstance(event, Press) and event.choice == CANCEL:
        return paused()
    if report.submitted and CORRECTION_KEY not in state.data and state.step != DONE:
        return Outcome(None, done(corrigible=False))  # another member submitted it meanwhile
    if isinstance(event, Press):
        return _pressed(state, event, report)
    return _written(state, event, report)


def paused() -> Outcome[ReportChange]:
    """Cancel: the form ends; the answers given stay in the team's draft."""
    return Outcome(None, Show("report_paused"), remove_buttons=True)


def done(*, corrigible: bool) -> Show:
    """The report is submitted already (by whom: the handler's view); Correct while it may be."""
    buttons = ((Button(FIX, "fix"),),) if corrigible else None
    return Show("report_done", {"corrigible": corrigible}, buttons)


def _written(state: FormState, message: Message, report: Report) -> Outcome[ReportChange]:
    if state.step == DONE:
        return Outcome(state, done(corrigible=report.corrigible))
    question = _question(state, report)
    if question is None or question.kind in BUTTON_KINDS or not message.text:
        return _ask(state, message.update_id, report, question)  # this step takes a button
    return _answer(state, message.update_id, report, question, message.text)


def _pressed(state: FormState, press: Press, report: Report) -> Outcome[ReportChange]:
    question, questions, choice = _question(state, report), report.questions, press.choice
    answers, update_id = _answers(state, report), press.update_id
    if choice == FIX and state.step == DONE:
        correction = {**state.data, CORRECTION_KEY: dict(report.answers)}
        return _ask(state, update_id, report, questions[0], correction)
    if choice == BACK:
        before = question.key if question else None
        earlier = previous_question(questions, answers, before) or questions[0]
        return _ask(state, update_id, report, earlier)
    if choice == SKIP and question is not None:
        return _answer(state, update_id, report, question, answers.get(question.key))
    if choice.startswith(VALUE) and question is not None:
        value = _button_value(question, choice.removeprefix(VALUE))
        if value is None:
            return Outcome(state)
        return _answer(state, update_id, report, question, value)
    if choice == SUBMIT and state.step == CONFIRM:
        return Outcome(None, effect=SubmitReport(answers), remove_buttons=True)
    return Outcome(state)


def _answer(
    state: FormState, update_id: int, report: Report, question: ReportQuestion, value: Answer
) -> Outcome[ReportChange]:
    """Keep the answer (in the team's draft, or the correction's copy), then ask the next."""
    data = dict(state.data)
    change = None
    if CORRECTION_KEY in data:
        data[CORRECTION_KEY] = {**data[CORRECTION_KEY], question.key: value}
    else:
        change = SaveAnswer(question.key, value)
        report = replace(report, answers={**report.answers, question.key: value})
    answers = data.get(CORRECTION_KEY, report.answers)
    following = next_question(report.questions, answers, question.key)
    return replace(_ask(state, update_id, report, following, data), effect=change)


def _ask(
    state: FormState,
    update_id: int,
    report: Report,
    question: ReportQuestion | None,
    data: Mapping[str, Any] | None = None,
) -> Outcome[ReportChange]:
    """Move the form to `question` (None: the summary to confirm) and show it."""
    data = {**(state.data if data is None else data), UPDATE_KEY: update_id}
    moved = FormState(question.key if question else CONFIRM, data)
    answers = _answers(moved, report)
    if question is None:
        return Outcome(moved, _summary(report.questions, answers, CORRECTION_KEY in data))
    return Outcome(moved, _question_show(report.questions, answers, question))


def _summary(
    questions: Sequence[ReportQuestion], answers: Mapping[str, Answer], correction: bool
) -> Show:
    rows = shown_answers(questions, dict(answers))
    buttons = ((Button(SUBMIT, "submit"),), (Button(BACK, "back"),))
    return Show("report_summary", {"rows": rows, "correction": correction}, buttons)


def _question_show(
    questions: Sequence[ReportQuestion], answers: Mapping[str, Answer], question: ReportQuestion
) -> Show:
    values = {
        "question": question,
        "answer": answers.get(question.key),
        "answered": question.key in answers,
        "total": len(questions),
        "number": [q.key for q in questions].index(question.key) + 1,
    }
    buttons = (*_value_rows(question), _moves(questions, answers, question))
    return Show("report_question", values, buttons)


def _value_rows(question: ReportQuestion) -> tuple[Row, ...]:
    if question.kind == "scale":
        return (tuple(Button(f"{VALUE}{n}", n) for n in SCALE),)
    if question.kind == "yesno":
        return (tuple(Button(f"{VALUE}{key}", key) for key in YES_NO),)
    return ()


def _moves(
    questions: Sequence[ReportQuestion], answers: Mapping[str, Answer], question: ReportQuestion
) -> Row:
    """Back, unless this is the first question asked; Skip, if optional or answered before."""
    moves = []
    if previous_question(questions, dict(answers), question.key):
        moves.append(Button(BACK, "back"))
    if question.optional or question.key in answers:
        moves.append(Button(SKIP, "skip"))
    return tuple(moves)


def _question(state: FormState, report: Report) -> ReportQuestion | None:
    """The question the form is at (None: the summary or the correction offer)."""
    return next((q for q in report.questions if q.key == state.step), None)


def _answers(state: FormState, report: Report) -> dict[str, Answer]:
    """The team draft's answers, or the working copy of a correction."""
    working = state.data.get(CORRECTION_KEY)
    return dict(working) if isinstance(working, dict) else dict(report.answers)


def _button_value(question: ReportQuestion, raw: str) -> Answer:
    if question.kind == "scale" and raw.isdigit() and int(raw) in SCALE:
        return int(raw)
    if question.kind == "yesno":
        return YES_NO.get(raw)
    return None
