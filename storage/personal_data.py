"""Everything stored about one person (GDPR Art. 15), as plain JSON-ready data: their record,
what they sent (questions, answers and follow-ups, task changes with their evidence, reports,
self-assessments, a form in progress), their attendance of the training rounds, what was sent
to them, their invitations and the audit entries about them. Files are Telegram references
(chat, message, file id), listed where they were sent; `files_sent` picks them out, so they
can be sent to the person again."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    AdviserAssignment,
    Answer,
    Attendance,
    AuditEntry,
    Form,
    Invite,
    InviteAttempt,
    Jst,
    MaterialEvent,
    MessageLink,
    MonthlyReport,
    OutboxMessage,
    Person,
    Question,
    SelfAssessment,
    TaskEvent,
)
from storage.questions.threads import files_of
from storage.tasks.views import evidence_pieces

Cell = str | int | float | bool | None
Place = tuple[int, int]  # a file message: (chat id, message id)
PERSON = (
    "full_name",
    "email",
    "gender",
    "language",
    "role",
    "telegram_user_id",
    "telegram_chat_id",
    "telegram_unreachable_at",
    "created_at",
    "joined_at",
    "notice_confirmed_at",
    "erasure_requested_at",
    "digest_opted_out_at",
)
QUESTION = ("text", "state", "created_at", "first_answered_at", "closed_at")
ANSWER = ("question_id", "text", "to_team", "created_at")  # an answer, or their follow-up
TASK_CHANGE = ("step_code", "action", "at", "note", "details")  # details: e.g. the evidence
MATERIAL_CHANGE = ("material_id", "action", "review_round", "at", "note", "details")
REPORT = ("step_code", "state", "submitted_at", "updated_at", "answers")
FORM = ("kind", "step", "data", "started_at", "updated_at")
MESSAGE = ("channel", "kind", "state", "created_at", "sent_at")
INVITE = ("created_at", "expires_at", "emailed_at", "used_at", "revoked_at")
ATTENDANCE = ("step_code", "present", "source", "recorded_at")
SELF_ASSESSMENT = ("moment", "answers", "score", "submitted_at")


async def personal_data(session: AsyncSession, person_id: int) -> dict[str, Any]:
    """Everything stored about a person and nobody else's records, in the order it happened;
    each record's columns under their own names."""
    person = await session.get_one(Person, person_id)
    of = functools.partial(_rows, session)
    events = await of(TaskEvent, TaskEvent.person_id == person_id)
    reports = await of(
        MonthlyReport,
        (MonthlyReport.started_by_id == person_id) | (MonthlyReport.submitted_by_id == person_id),
    )
    assignments = await of(
        AdviserAssignment,
        (AdviserAssignment.adviser_id == person_id)
        | (AdviserAssignment.substitute_id == person_id),
    )
    ids = {row.jst_id for row in [person, *events, *reports, *assignments]} - {None}
    jsts: dict[int | None, Jst] = {
        jst.id: jst for jst in await session.scalars(select(Jst).where(Jst.id.in_(ids)))
    }
    # None (not joined, erased) is `IS NULL`, which these columns never are: no rows.
    chat, user = person.telegram_chat_id, person.telegram_user_id
    about_them = (AuditEntry.entity == "person") & (AuditEntry.entity_id == person_id)
    return {
        "person": _fields(person, *PERSON) | {"jst": _jst(jsts.get(person.jst_id))},
        "questions": [
            {"number": q.id} | _fields(q, *QUESTION) | {"files": _files(q.attachments)}
            for q in await of(Question, Question.asker_id == person_id)
        ],
        "answers": [
            _fields(a, *ANSWER) | {"files": _files(a.attachments)}
            for a in await of(Answer, Answer.author_id == person_id)
        ],
        "task_changes": [
            {"jst_teryt": jsts[e.jst_id].teryt} | _fields(e, *TASK_CHANGE) for e in events
        ],
        "material_changes": [  # a coordinator's versions, an expert's reviews (remarks)
            _fields(e, *MATERIAL_CHANGE)
            for e in await of(MaterialEvent, MaterialEvent.person_id == person_id)
        ],
        "reports": [
            {"jst_teryt": jsts[r.jst_id].teryt}
            | _fields(r, *REPORT)
            | {
                "started_by_you": r.started_by_id == person_id,
                "submitted_by_you": r.submitted_by_id == person_id,
            }
            for r in reports
        ],
        "form_in_progress": [
            _fields(f, *FORM) for f in await of(Form, Form.person_id == person_id)
        ],
        "advised_jsts": [_assignment(a, person_id, jsts[a.jst_id]) for a in assignments],
        "training_attendance": [
            _fields(a, *ATTENDANCE)
            for a in await of(Attendance, Attendance.person_id == person_id)
        ],
        "self_assessments": [
            _fields(a, *SELF_ASSESSMENT)
            for a in await of(SelfAssessment, SelfAssessment.person_id == person_id)
        ],
        "messages_to_you": [
            _fields(m, *MESSAGE) | {"content": _content(m.payload)}
            for m in await of(OutboxMessage, OutboxMessage.person_id == person_id)
        ],
        "message_links": [
            _fields(link, "message_id", "question_id")
            for link in await of(MessageLink, MessageLink.chat_id == chat)
        ],
        "invitations": [  # their times: the code is stored only hashed
            _fields(i, *INVITE) for i in await of(Invite, Invite.person_id == person_id)
        ],
        "failed_invitation_attempts": [
            _plain(attempt.at)
            for attempt in await of(InviteAttempt, InviteAttempt.telegram_user_id == user)
        ],
        "audit": [
            _fields(e, "at", "actor", "action", "details")
            for e in await of(AuditEntry, about_them | (AuditEntry.actor == f"person:{person_id}"))
        ],
    }


def files_sent(data: dict[str, Any]) -> list[Place]:
    """The file messages the person sent (their questions', answers' and evidence's), in the
    order of the data; each once."""
    places = [
        (part.chat_id, part.message_id)
        for section in ("questions", "answers")
        for entry in data[section]
        for part in files_of(entry)
    ]
    places += [
        (piece.chat_id, piece.message_id)
        for section, key in (("task_changes", "evidence"), ("material_changes", "pieces"))
        for change in data[section]
        for piece in evidence_pieces(change["details"].get(key))
        if piece.chat_id is not None and piece.message_id is not None
    ]
    return list(dict.fromkeys(places))


def flat_rows(data: dict[str, Any]) -> Iterator[tuple[str, int | None, str, Cell]]:
    """The data as (section, item number, field, value) rows, every value on a row of its own
    (a table of the same data: a nested field is named by its path, `files[1].file_name`)."""
    for section, content in data.items():
        if isinstance(content, list):
            for number, item in enumerate(content, start=1):
                for field, value in _leaves(item):
                    yield section, number, field, value
        else:
            for field, value in _leaves(content):
                yield section, None, field, value


def _leaves(value: Any, path: str = "") -> Iterator[tuple[str, Cell]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _leaves(inner, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, inner in enumerate(value, start=1):
            yield from _leaves(inner, f"{path}[{index}]")
    else:
        yield path, value


def _fields(row: Any, *names: str) -> dict[str, Any]:
    """These columns of a row, JSON-ready: times and days as ISO text, codes as their text."""
    return {name: _plain(getattr(row, name)) for name in names}


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):  # a datetime too
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    return value


def _jst(jst: Jst | None) -> dict[str, str] | None:
    """A member's JST (None: an adviser's or coordinator's)."""
    return {"teryt": jst.teryt, "name": jst.name} if jst else None


def _files(attachments: dict[str, Any]) -> list[dict[str, Any]]:
    """A question's or answer's file messages as stored: name, size, Telegram ids."""
    return list(attachments.get("files", []))


def _assignment(assignment: AdviserAssignment, person_id: int, jst: Jst) -> dict[str, Any]:
    """A JST the person advises, or stands in for (with the period)."""
    standing_in = assignment.adviser_id != person_id
    return {
        "jst_teryt": jst.teryt,
        "jst_name": jst.name,
        "as": "substitute" if standing_in else "adviser",
        "substitute_from": _plain(assignment.substitute_from) if standing_in else None,
        "substitute_until": _plain(assignment.substitute_until) if standing_in else None,
    }


def _content(payload: dict[str, Any]) -> dict[str, Any]:
    """What a message to the person said: a Telegram text, which message it copied, or an
    e-mail's template (rendered when sent: its values may name other people)."""
    params = payload.get("params") or {}
    if "text" in params:
        return {"text": params["text"]}
    if "message_id" in params:
        return {"copy_of": {"chat_id": params["from_chat_id"], "message_id": params["message_id"]}}
    if "template" in payload:
        return {"email": payload["template"]}
    return {"method": payload.get("method")}


async def _rows(session: AsyncSession, model: Any, where: Any) -> list[Any]:
    return list(await session.scalars(select(model).where(where).order_by(model.id)))
