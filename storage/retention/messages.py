"""What people wrote in a cohort, blanked when its time comes; the rows stay.

Questions, answers and follow-ups lose their texts and files (Telegram's file ids and the chat
and message ids to copy them), task hand-ins their evidence and the adviser's remarks (an
event keeps the kinds of its pieces: "two documents and a text"), the cohort's materials the
same (their versions' pieces and the experts' remarks; a material's title stays: it names a
document, not a person), reports the answers given in words, the audit log's copies of those
answers too; which question a delivered message belonged to is forgotten. Dates, states,
authors, rounds, scales and yes/no answers stay: every count of the digest and the indicators
(how many questions, answered how fast; tasks accepted; reports sent) reads the same
afterwards.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Select,
    Text,
    cast,
    delete,
    false,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from storage.materials.loop import RETURNED, SUBMITTED
from storage.models import (
    Answer,
    AuditEntry,
    Cohort,
    Jst,
    Material,
    MaterialEvent,
    MessageLink,
    MonthlyReport,
    Question,
    TaskEvent,
    TaskProgress,
)
from storage.programme import default_template_path, load_template, template_from_dict
from storage.programme_errors import TemplateInvalid
from storage.redaction import ERASED_MARK
from storage.reports import SUBMITTED_ACTION
from storage.tasks.transitions import Action

NO_FILES: dict[str, Any] = {}  # a question's or answer's `attachments` once its files went
EXPIRED = "expired"  # a TaskEvent's or MaterialEvent's details["retention"]: its texts went
# The report questions answered in words: a choice is typed too while the plan lists no actions.
WORDS = ("text", "choice")
WORDED_EVENTS = (Action.SUBMITTED, Action.RETURNED)  # evidence; the adviser's remarks
WORDED_MATERIAL_EVENTS = (SUBMITTED, RETURNED)  # a version's pieces; the experts' remarks
Rows = Select[Any]  # one column of ids
Event = TypeVar("Event", TaskEvent, MaterialEvent)


@dataclass(frozen=True)
class CohortTexts:
    """A cohort whose texts go, and the keys of its report questions answered in words."""

    cohort_id: int
    worded_keys: tuple[str, ...]

    def jsts(self) -> Rows:
        return select(Jst.id).where(Jst.cohort_id == self.cohort_id)

    def of_questions(self, id_column: InstrumentedAttribute[int], question_id: Any) -> Rows:
        """Rows of the cohort's questions, read in their own id order: each one's question
        looked up (an IN or a join starts from the cohort's questions, all of them for each
        batch: seconds at 50,000 on SQLite)."""
        theirs = select(Question.id).where(
            Question.id == question_id, Question.jst_id.in_(self.jsts())
        )
        return select(id_column).where(theirs.exists())

    def materials(self) -> Rows:
        return select(Material.id).where(Material.cohort_id == self.cohort_id)

    def reports(self) -> Rows:
        return select(MonthlyReport.id).where(MonthlyReport.jst_id.in_(self.jsts()))


async def cohort_texts(session: AsyncSession, cohort_id: int) -> CohortTexts:
    """The cohort with its report's worded questions (the shipped template's for a cohort
    whose template has no report form, as storage/reports.py reads it)."""
    template = await session.scalar(select(Cohort.template).where(Cohort.id == cohort_id))
    try:
        questions = template_from_dict(template or {}).monitoring.question
    except TemplateInvalid:
        questions = []
    if not questions:
        questions = load_template(default_template_path()).monitoring.question
    return CohortTexts(cohort_id, tuple(q.key for q in questions if q.kind in WORDS))


@dataclass(frozen=True)
class Target:
    """One kind of row of a cohort: which still hold what goes, and how it goes."""

    name: str
    id_column: InstrumentedAttribute[int]
    rows: Callable[[CohortTexts], Rows]  # the ids of those that still hold it
    blank: Callable[[AsyncSession, list[int], CohortTexts], Awaitable[None]]


def _written(text: InstrumentedAttribute[str], files: InstrumentedAttribute[Any]) -> Any:
    return or_(text.not_in(("", ERASED_MARK)), cast(files, Text) != "{}")  # an erasure's "…"


async def _blank_question(session: AsyncSession, ids: list[int], _: CohortTexts) -> None:
    await session.execute(
        update(Question).where(Question.id.in_(ids)).values(text="", attachments=NO_FILES)
    )


async def _blank_answer(session: AsyncSession, ids: list[int], _: CohortTexts) -> None:
    await session.execute(
        update(Answer).where(Answer.id.in_(ids)).values(text="", attachments=NO_FILES)
    )


async def _forget_link(session: AsyncSession, ids: list[int], _: CohortTexts) -> None:
    await session.execute(delete(MessageLink).where(MessageLink.id.in_(ids)))


async def _blank_hand_in(session: AsyncSession, ids: list[int], _: CohortTexts) -> None:
    await session.execute(
        update(TaskProgress)
        .where(TaskProgress.id.in_(ids))
        .values(evidence=None, review_remarks=None)
    )


def _not_expired(details: InstrumentedAttribute[dict[str, Any]]) -> ColumnElement[bool]:
    return func.coalesce(details["retention"].as_string(), "") != EXPIRED


def _events(cohort: CohortTexts) -> Rows:
    return select(TaskEvent.id).where(
        TaskEvent.jst_id.in_(cohort.jsts()),
        TaskEvent.action.in_(WORDED_EVENTS),
        _not_expired(TaskEvent.details),
    )


async def _blank_material(session: AsyncSession, ids: list[int], _: CohortTexts) -> None:
    await session.execute(update(Material).where(Material.id.in_(ids)).values(remarks=None))


def _material_events(cohort: CohortTexts) -> Rows:
    return select(MaterialEvent.id).where(
        MaterialEvent.material_id.in_(cohort.materials()),
        MaterialEvent.action.in_(WORDED_MATERIAL_EVENTS),
        _not_expired(MaterialEvent.details),
    )


async def _blank_events(
    session: AsyncSession,
    ids: list[int],
    _: CohortTexts,
    *,
    model: type[Event],
    pieces: str,
) -> None:
    """Events of a task's or a material's history without their texts (`pieces`: the key
    of their pieces in the details)."""
    for event in await session.scalars(select(model).where(model.id.in_(ids))):
        event.note = None  # a return's remarks
        event.details = event_without_texts(event.details, pieces=pieces)


def event_without_texts(details: dict[str, Any], *, pieces: str = "evidence") -> dict[str, Any]:
    """An event's details without its pieces' texts and files (under `pieces`: a task's
    evidence, a material's version) and the remarks: the kinds of the pieces stay (the history
    still says what was handed in), marked as gone."""
    stored = details.get(pieces)
    kept = {key: value for key, value in details.items() if key not in (pieces, "remarks")}
    if stored:
        items = [stored] if isinstance(stored, dict) else stored
        kept[pieces] = [{"kind": piece.get("kind")} for piece in items]
    return kept | {"retention": EXPIRED}


def _worded(answer: Callable[[str], Any], keys: tuple[str, ...]) -> ColumnElement[bool]:
    """Some of these answers still hold words (a missing or blanked answer holds none)."""
    if not keys:
        return false()
    return or_(*(func.coalesce(answer(key).as_string(), "") != "" for key in keys))


def _reports(cohort: CohortTexts) -> Rows:
    answer = MonthlyReport.answers.__getitem__
    return select(MonthlyReport.id).where(
        MonthlyReport.jst_id.in_(cohort.jsts()), _worded(answer, cohort.worded_keys)
    )


def without_words(answers: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """Report answers with those given in words blanked; scales, choices and yes/no stay."""
    return {key: "" if key in keys else value for key, value in answers.items()}


async def _blank_report(session: AsyncSession, ids: list[int], cohort: CohortTexts) -> None:
    for report in await session.scalars(select(MonthlyReport).where(MonthlyReport.id.in_(ids))):
        report.answers = without_words(report.answers, cohort.worded_keys)


def _audited_reports(cohort: CohortTexts) -> Rows:
    def answer(key: str) -> Any:
        return AuditEntry.details[("answers", key)]

    return select(AuditEntry.id).where(
        AuditEntry.action == SUBMITTED_ACTION,
        AuditEntry.entity_id.in_(cohort.reports()),
        _worded(answer, cohort.worded_keys),
    )


async def _blank_audited_report(
    session: AsyncSession, ids: list[int], cohort: CohortTexts
) -> None:
    for entry in await session.scalars(select(AuditEntry).where(AuditEntry.id.in_(ids))):
        answers = without_words(entry.details.get("answers") or {}, cohort.worded_keys)
        entry.details = entry.details | {"answers": answers}


TARGETS = (
    Target(
        "questions",
        Question.id,
        lambda c: select(Question.id).where(
            Question.jst_id.in_(c.jsts()), _written(Question.text, Question.attachments)
        ),
        _blank_question,
    ),
    Target(
        "answers",
        Answer.id,
        lambda c: c.of_questions(Answer.id, Answer.question_id).where(
            _written(Answer.text, Answer.attachments)
        ),
        _blank_answer,
    ),
    Target(
        "message_links",
        MessageLink.id,
        lambda c: c.of_questions(MessageLink.id, MessageLink.question_id),
        _forget_link,
    ),
    Target(
        "hand_ins",
        TaskProgress.id,
        lambda c: select(TaskProgress.id).where(
            TaskProgress.jst_id.in_(c.jsts()),
            TaskProgress.evidence.is_not(None) | TaskProgress.review_remarks.is_not(None),
        ),
        _blank_hand_in,
    ),
    Target(
        "task_history",
        TaskEvent.id,
        _events,
        partial(_blank_events, model=TaskEvent, pieces="evidence"),
    ),
    Target(
        "materials",
        Material.id,
        lambda c: select(Material.id).where(
            Material.cohort_id == c.cohort_id, Material.remarks.is_not(None)
        ),
        _blank_material,
    ),
    Target(
        "material_history",
        MaterialEvent.id,
        _material_events,
        partial(_blank_events, model=MaterialEvent, pieces="pieces"),
    ),
    Target("reports", MonthlyReport.id, _reports, _blank_report),
    Target("report_audit", AuditEntry.id, _audited_reports, _blank_audited_report),
)


async def texts_kept(session: AsyncSession, cohort: CohortTexts) -> dict[str, int]:
    """How many rows of each kind still hold what goes (none listed when none)."""
    found = {}
    for target in TARGETS:
        count = await session.scalar(
            select(func.count()).select_from(target.rows(cohort).subquery())
        )
        if count:
            found[target.name] = int(count)
    return found


async def blank_texts(
    session: AsyncSession, cohort: CohortTexts, target: Target, limit: int, *, after: int = 0
) -> list[int]:
    """Blank at most `limit` rows of this kind, those with ids above `after` (a pass goes on
    where its last batch ended, rather than reading the rows it blanked again); their ids."""
    query = target.rows(cohort).where(target.id_column > after)
    ids = list(await session.scalars(query.order_by(target.id_column).limit(limit)))
    if ids:
        await target.blank(session, ids, cohort)
        await session.flush()
    return ids
