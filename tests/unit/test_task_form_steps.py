"""The task forms as pure steps (forms/task.py): a member's submission, task then evidence then
confirm, and the remarks of an adviser's return, each with its refusals and its Cancel."""

from __future__ import annotations

import datetime as dt
from typing import Any

from forms.steps import UPDATE_KEY, FormState, Message, Outcome, Press, Show
from forms.task import (
    CHOOSE,
    CONFIRM,
    EVIDENCE,
    ReturnTask,
    SubmitTask,
    cancel_only,
    evidence_of,
    needed_task,
    pieces_of,
    remarks_refused,
    remarks_step,
    submit_step,
)
from storage.tasks.views import Evidence, TaskItem

DUE = dt.date(2026, 7, 31)
ZW1 = TaskItem(
    "ZW1", "Diagnoza wstępna", "Initial diagnosis", None, None, DUE, "pending", None, None
)
STARTED = FormState(CHOOSE, {UPDATE_KEY: 10})
CANCELLED: Outcome[Any] = Outcome(None, Show("task_cancelled"), remove_buttons=True)
LINK = "https://example.pl/diagnoza"


def refused(reason: str, **details: object) -> Show:
    return Show("task_refused", {"reason": reason, "details": details})


def text(words: str, update_id: int = 12) -> Message:
    return Message(update_id, text=words, chat_id=501, message_id=update_id)


def chosen() -> FormState:
    outcome = submit_step(STARTED, Press(11, "ZW1"), ZW1)
    assert outcome.state is not None
    return outcome.state


def test_task_then_evidence_then_confirm_submits_once() -> None:
    assert needed_task(STARTED, Press(11, "ZW1")) == "ZW1"
    outcome = submit_step(STARTED, Press(11, "ZW1"), ZW1)
    assert outcome == Outcome(
        FormState(EVIDENCE, {UPDATE_KEY: 11, "task": "ZW1"}),
        Show("task_evidence_ask", {"task": ZW1}, ()),
        remove_buttons=True,
    ), "the task's buttons go; the question has Cancel only"

    state = chosen()
    assert needed_task(state, text(LINK)) == "ZW1"
    summary = submit_step(state, text(LINK, 12), ZW1)
    evidence = Evidence("link", LINK)
    stored = {**state.data, UPDATE_KEY: 12, "evidence": [evidence.as_json()]}
    assert summary.state == FormState(CONFIRM, stored)
    assert summary.show is not None
    assert summary.show.values == {"task": ZW1, "evidence": (evidence,), "limit": 10}
    assert [[b.choice for b in row] for row in summary.show.buttons or ()] == [["ok"], ["drop"]]

    assert summary.state is not None and needed_task(summary.state, Press(13, "ok")) is None
    confirmed = submit_step(summary.state, Press(13, "ok"), None)
    assert confirmed == Outcome(None, effect=SubmitTask("ZW1", (evidence,)), remove_buttons=True)


def _sent(state: FormState, *messages: Message) -> FormState:
    for message in messages:
        moved = submit_step(state, message, ZW1).state
        assert moved is not None
        state = moved
    return state


def test_every_piece_sent_before_confirming_is_kept_in_order() -> None:
    photo = Message(13, caption=" Zdjęcie tablicy ", file="photo", chat_id=501, message_id=13)
    sheet = Message(14, file="document", file_name="arkusz2.xlsx", chat_id=501, message_id=14)
    state = _sent(chosen(), text("Arkusze gotowe.", 12), photo, sheet)
    pieces = (
        Evidence("text", "Arkusze gotowe."),
        Evidence("photo", "Zdjęcie tablicy", None, chat_id=501, message_id=13),
        Evidence("document", None, "arkusz2.xlsx", chat_id=501, message_id=14),
    )
    assert pieces_of(state) == pieces
    assert submit_step(state, Press(15, "ok"), None).effect == SubmitTask("ZW1", pieces)


def test_an_update_delivered_again_adds_and_takes_back_nothing_twice() -> None:
    state = _sent(chosen(), text("Arkusz 1", 12), text("Arkusz 2", 13))
    assert submit_step(state, text("Arkusz 2", 13), ZW1) == Outcome(state)
    assert submit_step(state, text("Arkusz 1", 12), ZW1) == Outcome(state)
    dropped = submit_step(state, Press(14, "drop"), ZW1).state
    assert dropped is not None and submit_step(dropped, Press(14, "drop"), ZW1) == Outcome(dropped)
    assert pieces_of(dropped) == (Evidence("text", "Arkusz 1"),)


def test_the_last_piece_can_be_taken_back_down_to_none() -> None:
    state = _sent(chosen(), text("Zły plik", 12))
    assert needed_task(state, Press(13, "drop")) == "ZW1"
    emptied = submit_step(state, Press(13, "drop"), ZW1)
    assert emptied == Outcome(
        FormState(EVIDENCE, {UPDATE_KEY: 13, "task": "ZW1"}),
        Show("task_evidence_ask", {"task": ZW1}, ()),
        remove_buttons=True,
    ), "nothing left: the evidence is asked for again, with Cancel only"
    assert emptied.state is not None
    again = submit_step(emptied.state, text(LINK, 14), ZW1)
    assert again.state is not None and pieces_of(again.state) == (Evidence("link", LINK),)
    closed = submit_step(state, Press(13, "drop"), None)
    assert closed == Outcome(None, refused("not_open", code="ZW1"), remove_buttons=True)


def test_ten_pieces_at_most() -> None:
    state = _sent(chosen(), *(text(f"Arkusz {n}", 100 + n) for n in range(10)))
    assert len(pieces_of(state)) == 10
    assert submit_step(state, text("Arkusz 11", 200), ZW1) == Outcome(
        state, refused("too_many", limit=10)
    ), "the form keeps its ten and waits"
    summary = submit_step(state, Press(201, "drop"), ZW1).show
    assert summary is not None and len(summary.values["evidence"]) == 9


def test_a_form_begun_with_one_piece_of_evidence_goes_on() -> None:
    """A form saved before pieces were kept holds one dict: it is the first piece."""
    old = Evidence("text", "Arkusze gotowe.")
    state = FormState(CONFIRM, {UPDATE_KEY: 12, "task": "ZW1", "evidence": old.as_json()})
    assert pieces_of(state) == (old,)
    more = submit_step(state, text(LINK, 13), ZW1).state
    assert more is not None and pieces_of(more) == (old, Evidence("link", LINK))


def test_evidence_that_is_empty_or_too_long_is_refused_and_the_form_waits() -> None:
    state = chosen()
    for message, reason, details in (
        (text("   "), "empty_evidence", {}),
        (Message(12), "empty_evidence", {}),
        (Message(12, file="document", file_name="x.pdf"), "empty_evidence", {}),  # nowhere
        (text("x" * 3501), "too_long", {"limit": 3500}),
    ):
        assert submit_step(state, message, ZW1) == Outcome(state, refused(reason, **details))
    assert submit_step(state, text("x" * 3500), ZW1).state is not None


def test_a_message_before_a_task_is_chosen_asks_for_the_button() -> None:
    message = text("Oto dowód")
    assert needed_task(STARTED, message) is None
    assert submit_step(STARTED, message, None) == Outcome(STARTED, refused("choose_first"))


def test_a_task_no_longer_open_ends_the_form() -> None:
    closed: Outcome[SubmitTask] = Outcome(
        None, refused("not_open", code="ZW1"), remove_buttons=True
    )
    assert submit_step(STARTED, Press(11, "ZW1"), None) == closed
    state = chosen()
    assert submit_step(state, text(LINK), None) == Outcome(None, refused("not_open", code="ZW1"))


def test_cancel_at_every_step_and_other_presses_change_nothing() -> None:
    state = chosen()
    confirm = submit_step(state, text(LINK, 12), ZW1).state
    assert confirm is not None
    for at in (STARTED, state, confirm):
        assert needed_task(at, Press(20, "-")) is None
        assert submit_step(at, Press(20, "-"), None) == CANCELLED
    assert submit_step(state, Press(20, "ok"), None) == Outcome(state), "nothing to confirm yet"
    assert submit_step(state, Press(20, "ZW2"), None) == Outcome(state), "the task is chosen"
    assert submit_step(confirm, Press(20, "ZW1"), None) == Outcome(confirm)


def test_the_adviser_s_remarks_are_a_text_and_storage_checks_them() -> None:
    state = FormState("remarks", {"progress": 3, "round": 1, UPDATE_KEY: 30})
    photo = Message(31, caption="uwagi", file="photo", chat_id=7, message_id=31)
    assert remarks_step(state, photo) == Outcome(state, refused("remarks_text_only"))
    returned = remarks_step(state, text("Popraw wnioski.", 32))
    assert returned == Outcome(None, effect=ReturnTask(3, 1, "Popraw wnioski."))

    assert remarks_refused(state, "empty_remarks", {}) == Outcome(state, refused("empty_remarks"))
    too_long = remarks_refused(state, "too_long", {"limit": 3500})
    assert too_long == Outcome(state, refused("too_long", limit=3500))
    assert remarks_refused(state, "stale", {}) == Outcome(None, refused("already_reviewed"))
    assert cancel_only(state, Press(33, "-")) == CANCELLED
    assert cancel_only(state, Press(33, "ok")) == Outcome(state)


def test_evidence_is_read_from_a_message() -> None:
    assert evidence_of(text("  HTTPS://example.pl/a  ")) == Evidence(
        "link", "HTTPS://example.pl/a"
    )
    assert evidence_of(text("see https://example.pl")) == Evidence(
        "text", "see https://example.pl"
    )
    document = Message(5, file="document", file_name="plan.pdf", chat_id=1, message_id=5)
    assert evidence_of(document) == Evidence("document", None, "plan.pdf", 1, 5)
