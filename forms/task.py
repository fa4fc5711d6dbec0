"""The task forms' steps: a member's submission (task, evidence, confirm) and the remarks an
adviser writes when returning a submission. Every task form ends with its Cancel button.

The changes themselves (submitting, returning) are effects the handler makes: storage checks
them again on its own, so a re-delivered confirm submits nothing twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from forms.steps import CANCEL, Button, FormState, Message, Outcome, Press, Show
from storage.tasks.transitions import TaskRefused, check_evidence
from storage.tasks.views import Evidence, TaskItem

CHOOSE, EVIDENCE, CONFIRM = "task", "evidence", "confirm"
CONFIRMED = "ok"
LINK = re.compile(r"^https?://\S+$", re.IGNORECASE)


@dataclass(frozen=True)
class SubmitTask:
    """Submit the team's task with this evidence; the handler shows the result."""

    code: str
    evidence: Evidence


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
        where = (message.chat_id, message.message_id)
        return Evidence(message.file, text, message.file_name, *where)
    return Evidence("link" if text and LINK.match(text) else "text", text)


def needed_task(state: FormState, event: Message | Press) -> str | None:
    """The task whose open state `submit_step` needs: the one pressed at the choice, or the one
    chosen, when the evidence comes (None: it needs none)."""
    if isinstance(event, Press):
        return event.choice if state.step == CHOOSE and event.choice != CANCEL else None
    return None if state.step == CHOOSE else str(state.data["task"])


def submit_step(
    state: FormState, event: Message | Press, task: TaskItem | None
) -> Outcome[SubmitTask]:
    """Task (a button), then evidence (the next message), then confirm (a button); `task` is
    the team's open task of `needed_task`, None when it is not open (or not needed)."""
    if isinstance(event, Message):
        return _evidence(state, event, task)
    if state.step == CHOOSE and event.choice != CANCEL:
        return _chosen(state, event.choice, task)
    if state.step == CONFIRM and event.choice == CONFIRMED:
        change = SubmitTask(state.data["task"], Evidence(**state.data["evidence"]))
        return Outcome(None, effect=change, remove_buttons=True)
    return cancel_only(state, event)


def _chosen(state: FormState, code: str, task: TaskItem | None) -> Outcome[SubmitTask]:
    if task is None:
        return Outcome(None, refusal("not_open", code=code), remove_buttons=True)
    moved = FormState(EVIDENCE, {**state.data, "task": code})
    return Outcome(moved, Show("task_evidence_ask", {"task": task}, ()), remove_buttons=True)


def _evidence(state: FormState, message: Message, task: TaskItem | None) -> Outcome[SubmitTask]:
    """The evidence; a second message before confirming replaces the first."""
    if state.step == CHOOSE:
        return Outcome(state, refusal("choose_first"))
    evidence = evidence_of(message)
    try:
        check_evidence(evidence)
    except TaskRefused as refused:
        return Outcome(state, refusal(refused.reason, **refused.params))
    if task is None:
        return Outcome(None, refusal("not_open", code=state.data["task"]))
    moved = FormState(CONFIRM, {**state.data, "evidence": evidence.as_json()})
    summary = {"task": task, "evidence": evidence}
    confirm = ((Button(CONFIRMED, "confirm"),),)
    return Outcome(moved, Show("task_evidence_summary", summary, confirm))


def remarks_step(state: FormState, message: Message) -> Outcome[ReturnTask]:
    """The adviser's next text is the remarks of the return (checked by storage)."""
    if not message.text:
        return Outcome(state, refusal("remarks_text_only"))
    change = ReturnTask(state.data["progress"], state.data["round"], message.text)
    return Outcome(None, effect=change)


def remarks_refused(state: FormState, reason: str, details: dict[str, Any]) -> Outcome[Any]:
    """Reviewed meanwhile: the form ends; blank or too long: it waits for better text."""
    if reason == "stale":
        return Outcome(None, refusal("already_reviewed"))
    return Outcome(state, refusal(reason, **details))
