"""The materials' forms as pure steps: a coordinator hands in a material (its cohort when there
are several, its kind, its title, its pieces, confirm) or the fix of a returned one (its pieces,
confirm); an expert writes the remarks of a return. The pieces are collected as a task's
evidence is (forms/task.py): every piece sent before confirming, the last one can be taken back,
at most EVIDENCE_LIMIT; each step notes the update that moved it.

The changes themselves are effects the handler makes; storage checks them again on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from forms.steps import (
    CANCEL,
    UPDATE_KEY,
    Button,
    FormState,
    Message,
    Outcome,
    Press,
    Show,
    handled,
)
from forms.task import CONFIRMED, DROP_LAST, cancel_only, evidence_of, pieces_of, with_piece
from storage.materials.loop import TITLE_LIMIT
from storage.materials.views import KINDS
from storage.tasks.transitions import EVIDENCE_LIMIT
from storage.tasks.views import Evidence, stored_pieces

START, COHORT, KIND, TITLE, PIECES, CONFIRM = (
    "start",
    "cohort",
    "kind",
    "title",
    "pieces",
    "confirm",
)
NEW, FIX = "new", "fix:"  # the start's choices: a new material, or the fix of material <id>


@dataclass(frozen=True)
class Choices:
    """What the coordinator may choose from: the cohorts (id, name) and the returned materials
    (id, title) as storage has them now."""

    cohorts: Sequence[tuple[int, str]]
    returned: Sequence[tuple[int, str]]


@dataclass(frozen=True)
class SubmitMaterial:
    """Hand in a new material; the handler shows the result."""

    cohort_id: int
    kind: str
    title: str
    pieces: tuple[Evidence, ...]


@dataclass(frozen=True)
class SubmitFix:
    """Hand in the fixed version of a returned material."""

    material_id: int
    pieces: tuple[Evidence, ...]


@dataclass(frozen=True)
class ReturnMaterial:
    """Return the version under review with these remarks."""

    material_id: int
    review_round: int
    remarks: str


Effect = SubmitMaterial | SubmitFix


def refusal(reason: str, **details: Any) -> Show:
    """Why an input was refused: a reason code of tg/material_refused.html.j2."""
    return Show("material_refused", {"reason": reason, "details": details})


def start_buttons(choices: Choices) -> tuple[tuple[Button, ...], ...]:
    """The /materialy buttons: a new material, and a fix of each returned one."""
    fixes = tuple((Button(f"{FIX}{id_}", "fix", {"title": t}),) for id_, t in choices.returned)
    return ((Button(NEW, "new"),), *fixes)


def submit_step(state: FormState, event: Message | Press, choices: Choices) -> Outcome[Effect]:
    """Start (new or fix), cohort (only when there are several), kind, title (a text), then
    the pieces (the next messages) and confirm."""
    if handled(state, event):
        return Outcome(state)
    if isinstance(event, Message):
        return _message(state, event)
    if event.choice == CANCEL:
        return cancel_only(state, event)
    data = {**state.data, UPDATE_KEY: event.update_id}
    if state.step == START:
        return _started(data, event.choice, choices)
    if state.step == COHORT:
        cohort = next((c for c in choices.cohorts if str(c[0]) == event.choice), None)
        if cohort is None:
            return Outcome(state)
        return _ask_kind({**data, "cohort": cohort[0], "cohort_name": cohort[1]})
    if state.step == KIND and event.choice in KINDS:
        return _ask(FormState(TITLE, {**data, "kind": event.choice}), buttons=())
    if state.step == CONFIRM and event.choice == CONFIRMED:
        return Outcome(None, effect=_effect(state), remove_buttons=True)
    if state.step == CONFIRM and event.choice == DROP_LAST:
        return _collected(data, pieces_of(state)[:-1])
    return Outcome(state)


def _started(data: dict[str, Any], choice: str, choices: Choices) -> Outcome[Effect]:
    if choice.startswith(FIX):
        material = next((m for m in choices.returned if f"{FIX}{m[0]}" == choice), None)
        if material is None:
            return Outcome(None, refusal("not_returned"), remove_buttons=True)
        return _ask(FormState(PIECES, {**data, "material": material[0], "title": material[1]}))
    if not choices.cohorts:
        return Outcome(None, refusal("no_cohort"), remove_buttons=True)
    if len(choices.cohorts) == 1:
        [(cohort_id, name)] = choices.cohorts
        return _ask_kind({**data, "cohort": cohort_id, "cohort_name": name})
    rows = tuple((Button(str(id_), "cohort", {"name": name}),) for id_, name in choices.cohorts)
    return _ask(FormState(COHORT, data), buttons=rows)


def _ask_kind(data: dict[str, Any]) -> Outcome[Effect]:
    return _ask(
        FormState(KIND, data), buttons=tuple((Button(k, "kind", {"kind": k}),) for k in KINDS)
    )


def _ask(state: FormState, buttons: tuple[tuple[Button, ...], ...] = ()) -> Outcome[Effect]:
    """The form moves to `state` and asks what that step needs."""
    shown = Show("material_ask", {"step": state.step, "form": dict(state.data)}, buttons)
    return Outcome(state, shown, remove_buttons=True)


def _message(state: FormState, message: Message) -> Outcome[Effect]:
    if state.step == TITLE:
        title = " ".join((message.text or "").split())
        if not title or len(title) > TITLE_LIMIT:
            return Outcome(state, refusal("bad_title", limit=TITLE_LIMIT))
        return _ask(
            FormState(PIECES, {**state.data, "title": title, UPDATE_KEY: message.update_id})
        )
    if state.step not in {PIECES, CONFIRM}:
        return Outcome(state, refusal("choose_first"))
    pieces = with_piece(state, evidence_of(message), refusal)
    if isinstance(pieces, Show):
        return Outcome(state, pieces)
    return _collected({**state.data, UPDATE_KEY: message.update_id}, pieces)


def _collected(data: dict[str, Any], pieces: tuple[Evidence, ...]) -> Outcome[Effect]:
    """The pieces so far to confirm (Send, Remove the last, Cancel); none: asked for again."""
    if not pieces:
        return _ask(FormState(PIECES, {k: v for k, v in data.items() if k != "evidence"}))
    data = {**data, "evidence": stored_pieces(pieces)}
    rows = ((Button(CONFIRMED, "confirm"),), (Button(DROP_LAST, "drop_last"),))
    values = {"form": data, "pieces": pieces, "limit": EVIDENCE_LIMIT}
    return Outcome(
        FormState(CONFIRM, data), Show("material_summary", values, rows), remove_buttons=True
    )


def _effect(state: FormState) -> Effect:
    data, pieces = state.data, pieces_of(state)
    if "material" in data:
        return SubmitFix(int(data["material"]), pieces)
    return SubmitMaterial(int(data["cohort"]), str(data["kind"]), str(data["title"]), pieces)


def remarks_step(state: FormState, message: Message) -> Outcome[ReturnMaterial]:
    """The expert's next text is the remarks of the return (checked by storage)."""
    if not message.text:
        return Outcome(state, refusal("remarks_text_only"))
    change = ReturnMaterial(state.data["material"], state.data["round"], message.text)
    return Outcome(None, effect=change)
