"""Tasks as plain view data: what one change did, the team's history, what a team may submit.

Every change of a task is a TaskEvent; `TaskChange` rebuilds it with names and titles, so the
messages about a change (and the history) read the same, also when a change is replayed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.attachments import CarriesFile
from storage.cohorts import cohort_templates
from storage.models import (
    AdviserAssignment,
    Cohort,
    Jst,
    Person,
    ProgrammeStep,
    TaskEvent,
    TaskProgress,
    TaskState,
)
from storage.monitoring import Monitoring, monitoring_of
from storage.programme import template_from_dict
from storage.questions import threads

STEP_TASK = "task"
HISTORY_LIMIT = 10
TEXT_KINDS = ("text", "link")
FILE_KINDS = ("document", "photo")
SUBMITTABLE = (TaskState.PENDING, TaskState.RETURNED)
Row = TypeVar("Row", Jst, Person)


@dataclass(frozen=True)
class Evidence(CarriesFile):
    """One piece of what a member handed in: a text or link, or a file message the adviser
    gets a copy of (a submission keeps several: ZW1 is naturally several sheets)."""

    kind: str  # text | link | document | photo
    text: str | None = None  # the text, the link, or a file's caption
    file_name: str | None = None
    chat_id: int | None = None  # where the file message is, for copyMessage
    message_id: int | None = None
    file_id: str | None = None  # Telegram's, to fetch the file for an e-mail (None: older ones)
    file_size: int | None = None
    mime_type: str | None = None

    @property
    def summary(self) -> str | None:
        """The words stored in TaskProgress.evidence: the text, else the file's name."""
        return self.text or self.file_name

    @property
    def is_file(self) -> bool:
        return self.chat_id is not None and self.message_id is not None

    @property
    def complete(self) -> bool:
        """A file message to copy, or a text that is not blank."""
        if self.kind in FILE_KINDS:
            return self.is_file
        return self.kind in TEXT_KINDS and bool((self.text or "").strip())

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def evidence_pieces(stored: Any) -> tuple[Evidence, ...]:
    """Evidence as stored (a form's data, an event's details): a list of pieces, or, before
    submissions kept every piece, one piece alone, or nothing."""
    if not stored:
        return ()
    items = [stored] if isinstance(stored, dict) else stored
    return tuple(Evidence(**item) for item in items)


def file_messages(pieces: Sequence[Evidence]) -> list[tuple[int, int]]:
    """Where the file pieces are (chat, message), in the order sent, to copy them."""
    return [
        (piece.chat_id, piece.message_id)
        for piece in pieces
        if piece.chat_id is not None and piece.message_id is not None
    ]


def stored_pieces(pieces: Sequence[Evidence]) -> list[dict[str, Any]]:
    """What `evidence_pieces` reads back."""
    return [piece.as_json() for piece in pieces]


@dataclass(frozen=True)
class TaskChange:
    """One change of a JST's task, by whom, with what it carried (rebuilt from its TaskEvent)."""

    event_id: int
    action: str
    at: dt.datetime
    jst_id: int
    jst_name: str
    teryt: str
    code: str
    title_pl: str
    title_en: str
    label_pl: str | None
    label_en: str | None
    actor_id: int | None  # None: the operator (CLI)
    actor_name: str | None
    actor_gender: str | None  # "K" or "M", for Polish verb forms
    progress_id: int
    review_round: int
    evidence: tuple[Evidence, ...]  # every piece handed in, in the order sent
    remarks: str | None
    until: dt.date | None  # a new deadline: the extension, or the fix date of a return
    resolution_number: str | None
    resolution_date: dt.date | None
    resolution: bool = False  # the task the council's resolution is recorded with (/uchwala)


@dataclass(frozen=True)
class TaskItem:
    """A task as the /zadanie list shows it."""

    code: str
    title_pl: str
    title_en: str
    label_pl: str | None
    label_en: str | None
    due_on: dt.date
    state: str
    submitted_by: str | None
    submitted_at: dt.datetime | None


@dataclass(frozen=True)
class SubmitChoices:
    """What a team can hand in now, what waits for the adviser, and the resolution's task
    (while the team still has to record the resolution)."""

    open: tuple[TaskItem, ...]
    waiting: tuple[TaskItem, ...]
    resolution_code: str | None


async def task_changes(session: AsyncSession, events: Sequence[TaskEvent]) -> list[TaskChange]:
    """Events with the JST, the task's titles and the actor's name, in the given order."""
    jsts = {j.id: j for j in await _rows(session, Jst, {e.jst_id for e in events})}
    people = {p.id: p for p in await _rows(session, Person, {e.person_id for e in events})}
    cohorts = {j.cohort_id for j in jsts.values()}
    steps = {
        (s.cohort_id, s.code): s
        for s in await session.scalars(
            select(ProgrammeStep).where(ProgrammeStep.cohort_id.in_(cohorts))
        )
    }
    templates = await cohort_templates(session, cohorts)
    changes = []
    for event in events:
        jst = jsts[event.jst_id]
        step = steps[(jst.cohort_id, event.step_code)]
        actor = people.get(event.person_id) if event.person_id else None
        template = templates.get(jst.cohort_id)
        resolution = template.resolution_task() if template else None
        is_resolution = resolution is not None and resolution.code == step.code
        changes.append(_change(event, jst, step, actor, resolution=is_resolution))
    return changes


def _change(
    event: TaskEvent, jst: Jst, step: ProgrammeStep, actor: Person | None, *, resolution: bool
) -> TaskChange:
    """The event as view data (its details say what the change carried)."""
    details = event.details
    return TaskChange(
        event_id=event.id,
        action=event.action,
        at=event.at,
        jst_id=jst.id,
        jst_name=jst.name,
        teryt=jst.teryt,
        code=step.code,
        title_pl=step.title_pl,
        title_en=step.title_en,
        label_pl=step.label_pl,
        label_en=step.label_en,
        actor_id=event.person_id,
        actor_name=actor.full_name if actor else None,
        actor_gender=actor.gender.value if actor else None,
        progress_id=details["progress_id"],
        review_round=details["round"],
        evidence=evidence_pieces(details.get("evidence")),
        remarks=details.get("remarks"),
        until=_day(details.get("until")),
        resolution_number=details.get("resolution_number"),
        resolution_date=_day(details.get("resolution_date")),
        resolution=resolution,
    )


async def task_history(
    session: AsyncSession, jst_id: int, *, code: str | None = None, limit: int | None = None
) -> list[TaskChange]:
    """Who did what on a JST's tasks (one task if `code`), newest first."""
    query = select(TaskEvent).where(TaskEvent.jst_id == jst_id)
    if code is not None:
        query = query.where(TaskEvent.step_code == code)
    events = await session.scalars(
        query.order_by(TaskEvent.at.desc(), TaskEvent.id.desc()).limit(limit)
    )
    return await task_changes(session, list(events))


async def submit_choices(session: AsyncSession, jst_id: int) -> SubmitChoices:
    """The JST's tasks not yet accepted: those it can submit, and those the adviser has."""
    jst = await session.get_one(Jst, jst_id)
    steps = await session.scalars(
        select(ProgrammeStep)
        .where(ProgrammeStep.cohort_id == jst.cohort_id, ProgrammeStep.kind == STEP_TASK)
        .order_by(ProgrammeStep.position)
    )
    progress = {
        p.step_code: p
        for p in await session.scalars(select(TaskProgress).where(TaskProgress.jst_id == jst_id))
    }
    submitters = {
        p.id: p.full_name
        for p in await _rows(session, Person, {p.submitted_by_id for p in progress.values()})
    }
    resolution = await resolution_code(session, jst)
    monitoring = (await monitoring_of(session, [jst_id])).get(jst_id)
    items = [_task_item(step, progress.get(step.code), submitters, monitoring) for step in steps]
    return SubmitChoices(
        open=tuple(i for i in items if i.state in SUBMITTABLE and i.code != resolution),
        waiting=tuple(i for i in items if i.state == TaskState.SUBMITTED),
        resolution_code=next(
            (i.code for i in items if i.code == resolution and i.state in SUBMITTABLE), None
        ),
    )


def _task_item(
    step: ProgrammeStep,
    row: TaskProgress | None,
    submitters: dict[int, str],
    monitoring: Monitoring | None,
) -> TaskItem:
    """The task with its state and due date (extended, if it was; the planned one while it
    waits for the resolution) from its row, if any."""
    assert step.due_on is not None, "a task step has a due date"
    extended = row.extended_until if row else None
    due = monitoring.task_due(step.code, step.due_on, extended) if monitoring else extended
    return TaskItem(
        code=step.code,
        title_pl=step.title_pl,
        title_en=step.title_en,
        label_pl=step.label_pl,
        label_en=step.label_en,
        due_on=due or step.due_on,
        state=(row.state if row else TaskState.PENDING).value,
        submitted_by=submitters.get(row.submitted_by_id or 0) if row else None,
        submitted_at=row.submitted_at if row else None,
    )


async def resolution_code(session: AsyncSession, jst: Jst) -> str | None:
    """The task of the JST's programme that the council's resolution is recorded with."""
    cohort = await session.get_one(Cohort, jst.cohort_id)
    task = template_from_dict(cohort.template).resolution_task()
    return task.code if task else None


async def assignment_of(session: AsyncSession, jst_id: int) -> AdviserAssignment | None:
    return await session.scalar(
        select(AdviserAssignment).where(AdviserAssignment.jst_id == jst_id)
    )


async def adviser_on_duty(session: AsyncSession, jst_id: int, today: dt.date) -> Person | None:
    """The adviser who reviews the JST's work today (a substitute while one stands in), on
    Telegram or not: one who has not joined gets it by e-mail (notices/tasks.review_email)."""
    adviser = await threads.adviser_on_duty(session, jst_id, today)
    return adviser if adviser is not None and adviser.erased_at is None else None


async def _rows(session: AsyncSession, model: type[Row], ids: set[int | None]) -> Sequence[Row]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return []
    return (await session.scalars(select(model).where(model.id.in_(wanted)))).all()


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None
