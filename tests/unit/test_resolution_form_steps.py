"""/uchwala's steps (forms/resolution.py) as pure functions: what moves the form, what it shows."""

from __future__ import annotations

import datetime as dt

from forms.resolution import CONFIRM, NUMBER, PROOF, RecordResolution, resolution_step
from forms.steps import FormState, Message, Outcome, Press
from forms.task import CONFIRMED, DROP_LAST
from storage.tasks.resolution import Adoption
from storage.tasks.views import Evidence

TODAY = dt.date(2026, 12, 10)
PLAN_ON = dt.date(2026, 12, 1)
ADOPTION = Adoption(dt.date(2025, 10, 1), "HDR_ORE", PLAN_ON)
BIP = "https://bip.klodzko.pl/uchwaly/112"
TYPED = "Uchwała nr XIV/112/2026 z dnia 3 grudnia 2026 r."
PDF = Message(7, caption=TYPED, file="document", file_name="u.pdf", chat_id=1, message_id=70)


def _step(state: FormState, event: Message | Press) -> Outcome[RecordResolution]:
    return resolution_step(state, event, ADOPTION, TODAY)


def test_number_then_a_link_then_confirm() -> None:
    asked = _step(FormState(NUMBER, {}), Message(1, text=TYPED))
    assert asked.state is not None and asked.state.step == PROOF
    assert asked.show is not None and asked.show.template == "task_resolution_proof_ask"
    assert asked.show.values == {"number": "XIV/112/2026", "adopted_on": dt.date(2026, 12, 3)}
    nagged = _step(asked.state, Message(2, text="Jest w sekretariacie."))
    assert nagged.state == asked.state and nagged.show is not None
    assert nagged.show.values["reason"] == "proof_expected"
    linked = _step(asked.state, Message(3, text=f"Tu: {BIP}"))
    assert linked.state is not None and linked.state.step == CONFIRM
    done = _step(linked.state, Press(4, CONFIRMED))
    assert done.state is None and done.effect == RecordResolution(
        "XIV/112/2026", dt.date(2026, 12, 3), (Evidence("link", BIP),)
    )


def test_a_file_with_the_number_in_its_caption_goes_straight_to_confirm() -> None:
    shown = _step(FormState(NUMBER, {}), PDF)
    assert shown.state is not None and shown.state.step == CONFIRM
    assert shown.show is not None and shown.show.template == "task_resolution_summary"
    [piece] = shown.show.values["evidence"]
    assert (piece.kind, piece.file_name, piece.message_id) == ("document", "u.pdf", 70)
    dropped = _step(shown.state, Press(8, DROP_LAST))
    assert dropped.state is not None and dropped.state.step == PROOF
    assert _step(dropped.state, Press(8, DROP_LAST)).state == dropped.state, "handled before"


def test_a_date_before_the_plan_or_unreadable_text_keeps_the_form() -> None:
    start = FormState(NUMBER, {})
    for text, reason in (
        ("XIV/112/2026 z dnia 30 listopada 2026 r.", "resolution_before_plan"),
        ("XIV/112/2026 z dnia 11 grudnia 2026 r.", "resolution_in_future"),
        ("XIV/112/2026 z dnia 31 listopada 2026 r.", "resolution_bad_date"),
        ("XIV/112/2026", "resolution_no_date"),
        (f"XIV/112/2026 2026-12-03 {BIP} https://bip.example.pl/b", "resolution_many_links"),
    ):
        outcome = _step(start, Message(1, text=text))
        assert outcome.state == start and outcome.show is not None, text
        assert outcome.show.values["reason"] == reason, text
