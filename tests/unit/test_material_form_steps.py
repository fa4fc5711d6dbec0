"""The coordinator's materials form as pure steps (forms/material.py): a new material (cohort
when there are several, kind, title, pieces, confirm) or the fix of a returned one, and the
expert's remarks; each with its refusals, its Cancel and a re-delivered update."""

from __future__ import annotations

from typing import Any

from forms.material import (
    COHORT,
    CONFIRM,
    KIND,
    NEW,
    PIECES,
    START,
    TITLE,
    Choices,
    ReturnMaterial,
    SubmitFix,
    SubmitMaterial,
    refusal,
    remarks_step,
    start_buttons,
    submit_step,
)
from forms.steps import CANCEL, UPDATE_KEY, FormState, Message, Outcome, Press
from forms.task import CONFIRMED, DROP_LAST, remarks_refused
from storage.tasks.views import Evidence

ONE = Choices(cohorts=[(1, "pilot")], returned=[(7, "Scenariusz zjazdu I")])
TWO = Choices(cohorts=[(1, "pilot"), (2, "jesień")], returned=[])
STARTED = FormState(START, {UPDATE_KEY: 10})
LINK = "https://example.pl/harmonogram"


def text(words: str, update_id: int) -> Message:
    return Message(update_id, text=words, chat_id=501, message_id=update_id)


def step(state: FormState, event: Message | Press, choices: Choices = ONE) -> FormState:
    outcome = submit_step(state, event, choices)
    assert outcome.state is not None, outcome
    return outcome.state


def test_a_new_material_kind_title_pieces_confirm() -> None:
    kind = step(STARTED, Press(11, NEW))
    assert kind.step == KIND and kind.data["cohort"] == 1, "one cohort: not asked"
    title = step(kind, Press(12, "schedule"))
    assert title.step == TITLE
    pieces = step(title, text("  Harmonogram   zjazdów ", 13))
    assert (pieces.step, pieces.data["title"]) == (PIECES, "Harmonogram zjazdów")
    document = Message(
        14, caption="wersja 1", file="document", file_name="h.pdf", chat_id=5, message_id=14
    )
    one = step(pieces, document)
    two = step(one, text(LINK, 15))
    assert two.step == CONFIRM and len(two.data["evidence"]) == 2
    back = step(two, Press(16, DROP_LAST))
    assert len(back.data["evidence"]) == 1
    done = submit_step(back, Press(17, CONFIRMED), ONE)
    assert done.state is None and done.remove_buttons
    assert done.effect == SubmitMaterial(
        1,
        "schedule",
        "Harmonogram zjazdów",
        (Evidence("document", "wersja 1", "h.pdf", 5, 14),),
    )


def test_several_cohorts_are_asked_for_and_a_stranger_choice_changes_nothing() -> None:
    cohort = step(STARTED, Press(11, NEW), TWO)
    assert cohort.step == COHORT
    assert step(cohort, Press(12, "99"), TWO) == cohort
    kind = step(cohort, Press(13, "2"), TWO)
    assert (kind.step, kind.data["cohort"], kind.data["cohort_name"]) == (KIND, 2, "jesień")
    assert step(kind, Press(14, "poem"), TWO) == kind


def test_a_fix_goes_straight_to_its_pieces() -> None:
    pieces = step(STARTED, Press(11, "fix:7"))
    assert (pieces.step, pieces.data["material"], pieces.data["title"]) == (
        PIECES,
        7,
        "Scenariusz zjazdu I",
    )
    confirm = step(pieces, text(LINK, 12))
    done = submit_step(confirm, Press(13, CONFIRMED), ONE)
    assert done.effect == SubmitFix(7, (Evidence("link", LINK),))
    gone = submit_step(STARTED, Press(11, "fix:8"), ONE)
    assert gone == Outcome(None, refusal("not_returned"), remove_buttons=True)


def test_refusals_keep_the_form() -> None:
    title = step(step(STARTED, Press(11, NEW)), Press(12, "scenario"))
    assert submit_step(title, text("x" * 201, 13), ONE).show == refusal("bad_title", limit=200)
    assert submit_step(
        title, Message(13, file="document", chat_id=5, message_id=13), ONE
    ).show == (refusal("bad_title", limit=200))
    pieces = step(title, text("Scenariusz", 14))
    too_long = submit_step(pieces, text("x" * 3501, 15), ONE)
    assert too_long.state == pieces and too_long.show == refusal("too_long", limit=3500)
    kind = step(STARTED, Press(11, NEW))
    assert submit_step(kind, text("harmonogram", 12), ONE).show == refusal("choose_first")
    assert submit_step(STARTED, Press(11, NEW), Choices([], [])).show == refusal("no_cohort")


def test_cancel_and_a_redelivered_update() -> None:
    kind = step(STARTED, Press(11, NEW))
    cancelled: Outcome[Any] = submit_step(kind, Press(12, CANCEL), ONE)
    assert cancelled.state is None and cancelled.show is not None
    assert cancelled.show.template == "task_cancelled"
    assert submit_step(kind, Press(11, "schedule"), ONE) == Outcome(kind)


def test_start_buttons_offer_a_new_material_and_each_fix() -> None:
    rows = start_buttons(ONE)
    assert [button.choice for row in rows for button in row] == [NEW, "fix:7"]


def test_remarks() -> None:
    state = FormState("remarks", {"material": 7, "round": 1, UPDATE_KEY: 3})
    assert remarks_step(state, text("Dodać sale.", 4)).effect == ReturnMaterial(
        7, 1, "Dodać sale."
    )
    photo = Message(4, file="photo", chat_id=5, message_id=4)
    assert remarks_step(state, photo).show == refusal("remarks_text_only")
    assert remarks_refused(state, "stale", {}, refusal) == Outcome(
        None, refusal("already_reviewed")
    )
    assert remarks_refused(state, "empty_remarks", {}, refusal).state == state
