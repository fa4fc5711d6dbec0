"""The task forms' steps: a member's submission (task, evidence, confirm) and the remarks an
adviser writes when returning a submission. Every task form ends with its Cancel button.

A submission keeps every piece of evidence sent before it is confirmed (up to EVIDENCE_LIMIT);
the last one can be taken back. Each step notes the update that moved it, so an update Telegram
delivers again adds or takes back nothing twice.

The changes themselves (submitting, returning) are effects the handler makes: storage checks
them again on its own, so a re-delivered confirm submits nothing twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable
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
from storage.tasks.transitions import EVIDENCE_LIMIT, TaskRefused, check_evidence
from storage.tasks.views import Evidence, TaskItem, evidence_pieces, stored_pieces

CHOOSE, EVIDENCE, CONFIRM = "task", "evidence", "confirm"
CONFIRMED, DROP_LAST = "ok", "drop"
LINK = re.compile(r"^https?://\S+$", re.IGNORECASE)


@dataclass(frozen=True)
class SubmitTask:
    """Submit the team's task with this evidence; the handler shows the result."""

    code: str
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class ReturnTask:
    """Return the submission under review with these remarks; the handler shows the result."""

    progress_id: int
    review_round: int
    remarks: str


def refusal(reason: str, **details: Any) -> Show:
    """Why an input was refused: a reason code of tg/task_refused.html.j2 and its details."""
    return Show("task_refused", {"reason": reason, "details": details})


def cancel_only(state: FormState, press: Press) -> Outcome[Any]:
    """A press on a form whose only button is Cancel: nothing is saved or sent."""
    if press.choice != CANCEL:
        return Outcome(state)
    return Outcome(None, Show("task_cancelled"), remove_buttons=True)


def evidence_of(message: Message) -> Evidence:
    """A text or link, or a document or photo (copied to the adviser), as evidence."""
    text = (message.text or message.caption or "").strip() or None
    if message.file is not None:
        return Evidence(
            message.file,
            text,
            message.file_name,
            message.chat_id,
            message.message_id,
            file_id=message.file_id,
            file_size=message.file_size,
            mime_type=message.mime_type,
        )
    return Evidence("link" if text and LINK.match(text) else "text", text)


def needed_task(state: FormState, event: Message | Press) -> str | None:
    """The task whose open state `submit_step` needs: the one pressed at the choice, or the one
    chosen, when evidence comes or is taken back (None: it needs none)."""
    if isinstance(event, Press):
        if state.step == CHOOSE and event.choice != CANCEL:
            return event.choice
        return str(state.data["task"]) if _dropping(state, event) else None
    return None if state.step == CHOOSE else str(state.data["task"])


def submit_step(
    state: FormState, event: Message | Press, task: TaskItem | None
) -> Outcome[SubmitTask]:
    """Task (a button), then evidence (the next messages), then confirm (a button); `task` is
    the team's open task of `needed_task`, None when it is not open (or not needed)."""
    if handled(state, event):
        return Outcome(state)
    if isinstance(event, Message):
        return _evidence(state, event, task)
    if state.step == CHOOSE and event.choice != CANCEL:
        return _chosen(state, event, task)
    if state.step == CONFIRM and event.choice == CONFIRMED:
        change = SubmitTask(state.data["task"], pieces_of(state))
        return Outcome(None, effect=change, remove_buttons=True)
    if _dropping(state, event):
        if task is None:
            return Outcome(None, refusal("not_open", code=state.data["task"]), remove_buttons=True)
        return _collected(state, event.update_id, task, pieces_of(state)[:-1])
    return cancel_only(state, event)


def pieces_of(state: FormState) -> tuple[Evidence, ...]:
    """The evidence collected so far (a form begun before pieces were kept holds one)."""
    return evidence_pieces(state.data.get("evidence"))


def with_piece(
    state: FormState, piece: Evidence, refuse: Callable[..., Show] = refusal
) -> tuple[Evidence, ...] | Show:
    """The pieces collected so far and one more; or why it is refused (incomplete, too long,
    one too many) in `refuse`'s words."""
    try:
        check_evidence(piece)
    except TaskRefused as refused:
        return refuse(refused.reason, **refused.params)
    pieces = pieces_of(state)
    if len(pieces) >= EVIDENCE_LIMIT:
        return refuse("too_many", limit=EVIDENCE_LIMIT)
    return (*pieces, piece)


def _dropping(state: FormState, press: Press) -> bool:
    return state.step == CONFIRM and press.choice == DROP_LAST


def _chosen(state: FormState, press: Press, task: TaskItem | None) -> Outcome[SubmitTask]:
    if task is None:
        return Outcome(None, refusal("not_open", code=press.choice), remove_buttons=True)
    moved = FormState(EVIDENCE, {**state.data, "task": press.choice, UPDATE_KEY: press.update_id})
    return Outcome(moved, Show("task_evidence_ask", {"task": task}, ()), remove_buttons=True)


def _evidence(state: FormState, message: Message, task: TaskItem | None) -> Outcome[SubmitTask]:
    """One more piece of evidence; every piece sent before confirming is kept."""
    if state.step == CHOOSE:
        return Outcome(state, refusal("choose_first"))
    if task is None:
        return Outcome(None, refusal("not_open", code=state.data["task"]))
    pieces = with_piece(state, evidence_of(message))
    if isinstance(pieces, Show):
        return Outcome(state, pieces)
    return _collected(state, message.update_id, task, pieces)


def _collected(
    state: FormState, update_id: int, task: TaskItem, pieces: tuple[Evidence, ...]
) -> Outcome[SubmitTask]:
    """The pieces so far to confirm (Send, Remove the last, Cancel); none: asked for again."""
    data = {**state.data, UPDATE_KEY: update_id, "evidence": stored_pieces(pieces)}
    if not pieces:
        moved = FormState(EVIDENCE, {k: v for k, v in data.items() if k != "evidence"})
        return Outcome(moved, Show("task_evidence_ask", {"task": task}, ()), remove_buttons=True)
    summary = {"task": task, "evidence": pieces, "limit": EVIDENCE_LIMIT}
    rows = ((Button(CONFIRMED, "confirm"),), (Button(DROP_LAST, "drop_last"),))
    shown = Show("task_evidence_summary", summary, rows)
    return Outcome(FormState(CONFIRM, data), shown, remove_buttons=True)


def remarks_step(state: FormState, message: Message) -> Outcome[ReturnTask]:
    """The adviser's next text is the remarks of the return (checked by storage)."""
    if not message.text:
        return Outcome(state, refusal("remarks_text_only"))
    change = ReturnTask(state.data["progress"], state.data["round"], message.text)
    return Outcome(None, effect=change)


def remarks_refused(
    state: FormState, reason: str, details: dict[str, Any], refuse: Callable[..., Show] = refusal
) -> Outcome[Any]:
    """Reviewed meanwhile: the form ends; blank or too long: it waits for better text.
    `refuse` words it (a task's refusal, or a material's)."""
    if reason == "stale":
        return Outcome(None, refuse("already_reviewed"))
    return Outcome(state, refuse(reason, **details))
