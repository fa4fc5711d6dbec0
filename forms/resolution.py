"""/uchwala's steps: the resolution's number and date (one text, core/resolutions.py reads the
usual forms), then its proof (the document as a file, a link to it in the BIP, or both), then
confirm. A text with a link, or a file with the number and date in its caption, moves ahead at
once. What storage will refuse about the date (before the plan, in the future) is said at the
first step, before anyone looks for the document.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.resolutions import Unreadable, find_link, parse_resolution
from forms.steps import UPDATE_KEY, Button, FormState, Message, Outcome, Press, Show, handled
from forms.task import (
    CONFIRMED,
    DROP_LAST,
    cancel_only,
    evidence_of,
    pieces_of,
    refusal,
    with_piece,
)
from storage.tasks.resolution import Adoption, check_number
from storage.tasks.transitions import EVIDENCE_LIMIT, TaskRefused
from storage.tasks.views import Evidence, stored_pieces

NUMBER, PROOF, CONFIRM = "resolution", "proof", "confirm"


@dataclass(frozen=True)
class RecordResolution:
    """Record the resolution with its proof; the handler shows the result."""

    number: str
    adopted_on: dt.date
    proof: tuple[Evidence, ...]


def resolution_step(
    state: FormState, event: Message | Press, adoption: Adoption, today: dt.date
) -> Outcome[RecordResolution]:
    """Number and date, then proof, then confirm; `adoption` checks the date."""
    if handled(state, event):
        return Outcome(state)
    if isinstance(event, Press):
        return _pressed(state, event)
    if state.step == NUMBER:
        return _number(state, event, adoption, today)
    return _proof(state, event)


def _pressed(state: FormState, press: Press) -> Outcome[RecordResolution]:
    if state.step == CONFIRM and press.choice == CONFIRMED:
        change = RecordResolution(
            state.data["number"], dt.date.fromisoformat(state.data["adopted_on"]), pieces_of(state)
        )
        return Outcome(None, effect=change, remove_buttons=True)
    if state.step == CONFIRM and press.choice == DROP_LAST:
        return _collected(state, press.update_id, pieces_of(state)[:-1])
    return cancel_only(state, press)


def _number(
    state: FormState, message: Message, adoption: Adoption, today: dt.date
) -> Outcome[RecordResolution]:
    """The number and date (a file's caption may carry them, a text a link as well)."""
    try:
        read = parse_resolution(message.text or message.caption or "")
        number = check_number(read.number)
        adoption.check(read.adopted_on, today)
    except Unreadable as unreadable:
        return Outcome(state, refusal(f"resolution_{unreadable.reason}", **unreadable.details))
    except TaskRefused as refused:
        return Outcome(state, refusal(refused.reason, **refused.params))
    data = {**state.data, "number": number, "adopted_on": read.adopted_on.isoformat()}
    pieces: tuple[Evidence, ...] = (evidence_of(message),) if message.file is not None else ()
    if read.link is not None:
        pieces += (Evidence("link", read.link),)
    return _collected(FormState(PROOF, data), message.update_id, pieces)


def _proof(state: FormState, message: Message) -> Outcome[RecordResolution]:
    """One more piece of proof: a file, or a text holding a link."""
    if message.file is not None:
        piece = evidence_of(message)
    else:
        try:
            link = find_link(message.text or "")
        except Unreadable as unreadable:
            return Outcome(state, refusal(f"resolution_{unreadable.reason}"))
        if link is None:
            return Outcome(state, refusal("proof_expected"))
        piece = Evidence("link", link)
    pieces = with_piece(state, piece)
    if isinstance(pieces, Show):
        return Outcome(state, pieces)
    return _collected(state, message.update_id, pieces)


def _collected(
    state: FormState, update_id: int, pieces: tuple[Evidence, ...]
) -> Outcome[RecordResolution]:
    """The resolution and its proof to confirm; no proof yet: asked for it."""
    data = {**state.data, UPDATE_KEY: update_id, "evidence": stored_pieces(pieces)}
    resolution = {
        "number": data["number"],
        "adopted_on": dt.date.fromisoformat(data["adopted_on"]),
    }
    if not pieces:
        moved = FormState(PROOF, {k: v for k, v in data.items() if k != "evidence"})
        shown = Show("task_resolution_proof_ask", resolution, ())
        return Outcome(moved, shown, remove_buttons=True)
    summary = {**resolution, "evidence": pieces, "limit": EVIDENCE_LIMIT}
    rows = ((Button(CONFIRMED, "confirm"),), (Button(DROP_LAST, "drop_last"),))
    shown = Show("task_resolution_summary", summary, rows)
    return Outcome(FormState(CONFIRM, data), shown, remove_buttons=True)
