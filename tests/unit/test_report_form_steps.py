"""The monthly report form as pure steps (forms/report.py): a member's messages and presses in,
the next question, the summary or the submission out, with the shipped template's questions.

`Walk` keeps the form's state and the team's draft as the handler does; each test reads as the
conversation it is.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from typing import Any

from forms.report import (
    CONFIRM,
    CORRECTION_KEY,
    DONE,
    REPORT_KEY,
    Report,
    ReportChange,
    SaveAnswer,
    SubmitReport,
    opened,
    step,
)
from forms.report_pick import offer, picked
from forms.steps import UPDATE_KEY, FormState, Message, Outcome, Press, Show
from storage.programme import default_template_path, load_template
from storage.reports import Answer
from tests.unit.test_report_templates import SLOT

QUESTIONS = tuple(load_template(default_template_path()).monitoring.question)
DRAFT = Report(QUESTIONS, answers={}, submitted=False, corrigible=True)
FULL: dict[str, Answer] = {
    "progress": 4,
    "done": "Szkolenie rad pedagogicznych.",
    "slipped": "Ankieta",
    "obstacles": None,
    "support": True,
    "support_what": "Budżet",
}
SCALE_ROW = ["v1", "v2", "v3", "v4", "v5"]
REPORT_ID = 7


class Walk:
    """One member's report form: updates numbered as Telegram numbers them, the team's draft
    changed by each `SaveAnswer` as the handler changes it."""

    def __init__(self, report: Report = DRAFT) -> None:
        self.report, self.update_id = report, 100
        self.last = opened(report, REPORT_ID, self.update_id)
        self.state = self.last.state

    def say(self, text: str | None = None, **file: Any) -> Outcome[ReportChange]:
        return self.take(Message(self.update_id + 1, text=text, **file))

    def press(self, choice: str) -> Outcome[ReportChange]:
        return self.take(Press(self.update_id + 1, choice))

    def take(self, event: Message | Press) -> Outcome[ReportChange]:
        assert self.state is not None, "the form is over"
        self.update_id = max(self.update_id, event.update_id)
        self.last = step(self.state, event, self.report)
        if isinstance(self.last.effect, SaveAnswer):
            answers = {**self.report.answers, self.last.effect.key: self.last.effect.value}
            self.report = replace(self.report, answers=answers)
        self.state = self.last.state
        return self.last

    @property
    def asked(self) -> str:
        """The question on screen (its key), or the template shown instead."""
        shown = self.last.show
        assert shown is not None
        return shown.values["question"].key if "question" in shown.values else shown.template


def choices(shown: Show | None) -> list[list[str]]:
    """The choices of the buttons, row by row (Cancel, always last, is the renderer's)."""
    assert shown is not None and shown.buttons is not None
    return [[button.choice for button in row] for row in shown.buttons]


def test_each_question_in_turn_then_the_summary_then_the_submission() -> None:
    walk = Walk()
    assert walk.asked == "progress"
    assert walk.last.show is not None and walk.last.show.values["number"] == 1
    assert walk.last.show.values["total"] == 6
    assert choices(walk.last.show) == [SCALE_ROW, []], "no Back on the first, no Skip unanswered"
    assert walk.state == FormState("progress", {REPORT_KEY: REPORT_ID, UPDATE_KEY: 100})

    assert walk.press("v4").effect == SaveAnswer("progress", 4)
    assert (walk.asked, choices(walk.last.show)) == ("done", [["back"]])
    assert walk.say("Szkolenie rad pedagogicznych.").effect == SaveAnswer("done", FULL["done"])
    assert walk.asked == "slipped", "a choice question without actions is answered in words"
    walk.say("Ankieta")
    assert (walk.asked, choices(walk.last.show)) == ("obstacles", [["back", "skip"]])
    assert walk.press("skip").effect == SaveAnswer("obstacles", None)
    assert (walk.asked, choices(walk.last.show)) == ("support", [["vy", "vn"], ["back"]])
    walk.press("vy")
    assert walk.asked == "support_what", "asked after yes"
    walk.say("Budżet")

    summary = walk.last.show
    assert walk.state is not None and walk.state.step == CONFIRM
    assert summary is not None and summary.template == "report_summary"
    assert [(q.key, answer) for q, answer in summary.values["rows"]] == list(FULL.items())
    assert summary.values["correction"] is False
    assert choices(summary) == [["ok"], ["back"]]
    assert walk.report.answers == FULL

    submitted = walk.press("ok")
    assert submitted == Outcome(None, effect=SubmitReport(FULL), remove_buttons=True)


def test_no_to_support_skips_its_follow_up_question() -> None:
    walk = Walk(replace(DRAFT, answers={k: FULL[k] for k in ("progress", "done", "slipped")}))
    assert walk.asked == "obstacles", "the draft resumes at its first unanswered question"
    walk.say("Brak sal")
    walk.press("vn")
    assert walk.asked == "report_summary"
    assert walk.last.show is not None
    assert [q.key for q, _ in walk.last.show.values["rows"]][-1] == "support"


def test_back_shows_the_previous_answer_and_skip_keeps_it() -> None:
    walk = Walk()
    walk.press("v3")
    walk.say("Pierwsza wersja")
    walk.press("back")
    assert walk.asked == "done"
    assert walk.last.show is not None
    assert walk.last.show.values["answer"] == "Pierwsza wersja"
    assert walk.last.show.values["answered"] is True
    assert choices(walk.last.show) == [["back", "skip"]]
    walk.press("back")
    assert (walk.asked, choices(walk.last.show)) == ("progress", [SCALE_ROW, ["skip"]])
    assert walk.press("skip").effect == SaveAnswer("progress", 3)
    assert walk.asked == "done", "Skip goes on to the next question, not the first unanswered"
    walk.say("Druga wersja")
    assert walk.report.answers == {"progress": 3, "done": "Druga wersja"}


def test_back_from_the_summary_goes_to_the_last_question_asked() -> None:
    walk = Walk(replace(DRAFT, answers={**FULL, "support": False, "support_what": None}))
    assert walk.asked == "report_summary"
    walk.press("back")
    assert walk.asked == "support", "not support_what: it was not asked after no"


def test_a_text_file_or_empty_message_where_it_does_not_fit_asks_again() -> None:
    walk = Walk()
    before = walk.state
    assert before is not None
    for outcome in (walk.say("cztery"), walk.say(None, file="photo", caption="4")):
        assert outcome.effect is None
        assert walk.asked == "progress", "a scale takes a button"
        assert walk.state == replace(before, data={**before.data, UPDATE_KEY: walk.update_id})
    walk.press("v4")
    for outcome in (walk.say(None, file="document", file_name="raport.pdf"), walk.say("")):
        assert outcome.effect is None
        assert walk.asked == "done", "a text question takes a text"


def test_a_long_answer_is_taken_whole() -> None:
    """The form sets no length of its own: Telegram's 4096 characters are the limit."""
    walk = Walk(replace(DRAFT, answers={"progress": 2}))
    assert walk.say("ż" * 4096).effect == SaveAnswer("done", "ż" * 4096)


def test_buttons_that_are_not_on_screen_change_nothing() -> None:
    walk = Walk()
    state = walk.state
    for choice in ("v9", "v0", "vy", "vx", "ok", "fix", "nonsense"):
        assert walk.press(choice) == Outcome(state), choice


def test_a_repeated_update_is_not_taken_twice() -> None:
    walk = Walk()
    first = Press(120, "v4")
    assert walk.take(first).effect == SaveAnswer("progress", 4)
    state = walk.state
    assert walk.take(first) == Outcome(state), "re-delivered after a crash: its reply is queued"
    assert walk.take(Message(119, text="older")) == Outcome(state)
    assert walk.say("Nowa").effect == SaveAnswer("done", "Nowa")


def test_cancel_pauses_and_the_draft_keeps_its_answers() -> None:
    walk = Walk()
    walk.press("v5")
    assert walk.press("-") == Outcome(None, Show("report_paused"), remove_buttons=True)
    assert walk.report.answers == {"progress": 5}
    again = Walk(walk.report)
    assert again.asked == "done", "/raport again resumes the team's draft"


def test_a_report_another_member_submitted_meanwhile_ends_the_form() -> None:
    walk = Walk()
    walk.report = replace(walk.report, submitted=True)
    outcome = walk.say("Spóźniona odpowiedź")
    assert outcome == Outcome(None, Show("report_done", {"corrigible": False}))


def test_a_correction_works_on_a_copy_until_it_is_submitted() -> None:
    submitted = Report(QUESTIONS, answers=FULL, submitted=True, corrigible=True)
    walk = Walk(submitted)
    assert walk.state is not None and walk.state.step == DONE
    assert walk.last.show is not None and walk.last.show.template == "report_done"
    assert (walk.last.show.values, choices(walk.last.show)) == ({"corrigible": True}, [["fix"]])
    assert walk.say("a message instead") == Outcome(walk.state, walk.last.show)

    walk.press("fix")
    assert walk.asked == "progress"
    assert walk.press("v1").effect is None, "the team's submitted answers stay as they are"
    assert walk.state is not None
    assert walk.state.data[CORRECTION_KEY] == {**FULL, "progress": 1}
    for _ in range(5):
        walk.press("skip")
    assert walk.last.show is not None and walk.last.show.values["correction"] is True
    assert walk.press("ok").effect == SubmitReport({**FULL, "progress": 1})
    assert walk.report.answers == FULL


def test_a_submitted_report_past_its_due_date_is_only_shown() -> None:
    late = Report(QUESTIONS, answers=FULL, submitted=True, corrigible=False)
    assert opened(late, REPORT_ID, 1) == Outcome(None, Show("report_done", {"corrigible": False}))


def test_the_month_buttons_offer_the_months_on_offer_only() -> None:
    later = replace(SLOT, code="R02")
    shown = offer([SLOT, later])
    assert choices(shown) == [["mR01"], ["mR02"]]
    assert shown.values == {"unsent": [SLOT]}
    assert picked("mR02", [SLOT, later]) == later
    assert picked("mR03", [SLOT, later]) is None
    assert picked("R01", [SLOT, later]) is None


def test_forms_do_not_import_telegram() -> None:
    modules = "forms.report, forms.report_pick, forms.task"
    check = f"import sys, {modules}; assert 'telegram' not in sys.modules"
    subprocess.run([sys.executable, "-c", check], check=True)
