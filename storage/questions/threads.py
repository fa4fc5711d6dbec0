"""Questions to the adviser: opened by a member, found again by the messages that carry them.

Who may act on a question is decided from the question's JST, never from the message someone
happened to reply to: an adviser of two JSTs cannot send one JST's answer to the other.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Insert, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.attachments import CarriesFile
from storage.db import skipping_insert
from storage.models import (
    AdviserAssignment,
    Answer,
    Jst,
    MessageLink,
    Person,
    Question,
    QuestionState,
    Role,
)
from storage.people import OVERSEERS, visible_jsts

TEXT = "text"
FILE_KINDS = ("photo", "document")


@dataclass(frozen=True)
class Part(CarriesFile):
    """One Telegram message of a question, answer or follow-up: its text and where it lies."""

    chat_id: int
    message_id: int
    text: str
    kind: str = TEXT
    file_name: str | None = None
    file_id: str | None = None  # Telegram's, to fetch the file for an e-mail (None: older parts)
    file_size: int | None = None
    mime_type: str | None = None

    @property
    def is_file(self) -> bool:
        return self.kind in FILE_KINDS

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Part:
        return cls(**data)


def joined_text(parts: Iterable[Part]) -> str:
    """The texts and captions of the parts, one paragraph each."""
    return "\n\n".join(part.text for part in parts if part.text.strip())


def attachments_of(parts: Iterable[Part]) -> dict[str, Any]:
    """What a Question/Answer `attachments` column holds: the file messages, to copy later."""
    return {"files": [part.as_json() for part in parts if part.is_file]}


def files_of(attachments: dict[str, Any]) -> list[Part]:
    """The file messages stored with a question or answer, in the order they were sent."""
    return [Part.from_json(item) for item in attachments.get("files", [])]


class Refusal(StrEnum):
    """Why a question operation was refused (the reply template picks its sentence)."""

    UNKNOWN = "unknown"  # no question with that number
    NOT_YOURS = "not_yours"  # the question's JST is not one the person may act on today
    CLOSED = "closed"
    NOT_ASKER = "not_asker"  # a follow-up from someone who did not ask
    NO_TEAM = "no_team"  # a person without a JST cannot ask
    EMPTY = "empty"  # a draft with nothing in it


class QuestionRefused(Exception):
    """A question operation was not allowed; `reason` picks the reply, `number` names it."""

    def __init__(self, reason: Refusal, number: int | None = None) -> None:
        super().__init__(reason.value, number)
        self.reason = reason
        self.number = number


_ADVISER, _SUBSTITUTE = aliased(Person, name="adviser"), aliased(Person, name="substitute")
_DUTY = (
    select(AdviserAssignment, _ADVISER, _SUBSTITUTE)
    .join(_ADVISER, _ADVISER.id == AdviserAssignment.adviser_id)
    .outerjoin(_SUBSTITUTE, _SUBSTITUTE.id == AdviserAssignment.substitute_id)
    .where(AdviserAssignment.jst_id == bindparam("jst_id"))
)


async def adviser_on_duty(session: AsyncSession, jst_id: int, today: dt.date) -> Person | None:
    """The JST's substitute inside the substitution period, otherwise its adviser (both read
    with the assignment, in one statement)."""
    row = (await session.execute(_DUTY, {"jst_id": jst_id})).one_or_none()
    if row is None:
        return None
    assignment, adviser, substitute = row
    on_duty = assignment.adviser_on_duty(today)
    return substitute if substitute is not None and substitute.id == on_duty else adviser


async def unrouted_questions(session: AsyncSession) -> list[Question]:
    """Open questions asked while their JST had no adviser, of JSTs that have one now."""
    rows = await session.scalars(
        select(Question)
        .where(
            Question.adviser_id.is_(None),
            Question.state == QuestionState.OPEN,
            Question.jst_id.in_(select(AdviserAssignment.jst_id)),
        )
        .order_by(Question.id)
        .with_for_update(skip_locked=True)
    )
    return list(rows)


_ASKER = (
    select(Person, Jst)
    .outerjoin(Jst, Jst.id == Person.jst_id)
    .where(Person.id == bindparam("asker_id"))
)


_BY_SOURCE = select(Question.id).where(Question.source_key == bindparam("source_key"))


@functools.cache
def _new_question(dialect: str) -> Insert:
    """The INSERT of a question, skipped if its source (the draft's first message) opened one."""
    insert = skipping_insert(dialect, Question)
    return insert.on_conflict_do_nothing(index_elements=[Question.source_key]).returning(Question)


async def open_question(
    session: AsyncSession,
    *,
    asker_id: int,
    parts: Sequence[Part],
    source_key: str,
    now: dt.datetime,
    today: dt.date,
) -> Thread:
    """Commit a member's question for their JST's adviser on duty; the same source opens one.
    The thread comes from what opening it read (no second read to compose its messages)."""
    asker, jst = (await session.execute(_ASKER, {"asker_id": asker_id})).one()
    if asker.role is not Role.MEMBER or jst is None:
        if (opened := await _opened(session, source_key)) is None:
            raise QuestionRefused(Refusal.NO_TEAM)
        return opened
    adviser = await adviser_on_duty(session, jst.id, today)
    row = {
        "jst_id": jst.id,
        "asker_id": asker.id,
        "adviser_id": adviser.id if adviser else None,
        "text": joined_text(parts),
        "attachments": attachments_of(parts),
        "state": QuestionState.OPEN,
        "source_key": source_key,
        "created_at": now,
    }
    dialect = session.get_bind().dialect.name
    question = (await session.scalars(_new_question(dialect), row)).one_or_none()
    if question is None:  # opened already (the same Send twice)
        opened = await _opened(session, source_key)
        assert opened is not None  # question rows are never deleted (only erased)
        return opened
    return Thread(question=question, jst=jst, asker=asker, adviser=adviser)


async def _opened(session: AsyncSession, source_key: str) -> Thread | None:
    """The thread of the question this source opened, if it opened one."""
    question_id = await session.scalar(_BY_SOURCE, {"source_key": source_key})
    return None if question_id is None else await load_thread(session, question_id)


async def linked_question(session: AsyncSession, chat_id: int, message_id: int) -> int | None:
    """The question a message the bot delivered belongs to (outbox.links stored it)."""
    return await session.scalar(
        select(MessageLink.question_id).where(
            MessageLink.chat_id == chat_id, MessageLink.message_id == message_id
        )
    )


async def question_for_adviser(
    session: AsyncSession, question_id: int, *, adviser_id: int, today: dt.date
) -> Question:
    """The question, if the caller is an adviser and its JST one they advise or stand in for
    today (a member sees their own JST's questions, but may not act for its adviser)."""
    question = await session.get(Question, question_id)
    if question is None:
        raise QuestionRefused(Refusal.UNKNOWN, question_id)
    adviser = await session.get_one(Person, adviser_id)
    if adviser.role is not Role.ADVISER or adviser.erased_at is not None:
        raise QuestionRefused(Refusal.NOT_YOURS, question_id)
    if question.jst_id not in await visible_jsts(session, adviser, today):
        raise QuestionRefused(Refusal.NOT_YOURS, question_id)
    return question


async def question_files(
    session: AsyncSession, question_id: int, *, person_id: int, today: dt.date
) -> list[Part] | None:
    """Every file of a question's thread (the question, then its answers and follow-ups, in
    order) for someone who may see them: its asker, or an adviser of its JST today, or a
    coordinator (the web view). None for anyone else, as for no such question: whether a
    number exists is not told."""
    question = await session.get(Question, question_id)
    if question is None:
        return None
    person = await session.get_one(Person, person_id)
    if person.id != question.asker_id and not (
        person.role in OVERSEERS and question.jst_id in await visible_jsts(session, person, today)
    ):
        return None
    answers = await session.scalars(
        select(Answer).where(Answer.question_id == question_id).order_by(Answer.id)
    )
    return files_of(question.attachments) + [
        part for answer in answers for part in files_of(answer.attachments)
    ]


@dataclass(frozen=True)
class Thread:
    """A question with the people around it, for composing the messages of its thread."""

    question: Question
    jst: Jst
    asker: Person
    adviser: Person | None


_ASKED_BY = aliased(Person, name="asker")
_THREAD = (
    select(Question, Jst, _ASKED_BY, _ADVISER)
    .join(Jst, Jst.id == Question.jst_id)
    .join(_ASKED_BY, _ASKED_BY.id == Question.asker_id)
    .outerjoin(_ADVISER, _ADVISER.id == Question.adviser_id)
    .where(Question.id == bindparam("question_id"))
)


async def load_thread(session: AsyncSession, question_id: int) -> Thread:
    """The question, its JST, its asker and the adviser it is routed to, in one statement (the
    session's identity map keeps them only while something holds them: one read by id each
    would read the people of a question just opened again)."""
    question, jst, asker, adviser = (
        await session.execute(_THREAD, {"question_id": question_id})
    ).one()
    return Thread(question=question, jst=jst, asker=asker, adviser=adviser)


@dataclass(frozen=True)
class OpenQuestion:
    """One line of an adviser's open questions."""

    number: int
    jst_name: str
    teryt: str
    asker: str
    text: str
    files: int
    created_at: dt.datetime
    followed_up: bool  # answered before, open again because the asker wrote more
    waiting_since: dt.datetime  # asked, or (followed up) the first follow-up not answered


async def open_questions(
    session: AsyncSession, *, adviser_id: int, today: dt.date
) -> list[OpenQuestion]:
    """The open questions of the JSTs the adviser advises or stands in for today, oldest first."""
    adviser = await session.get_one(Person, adviser_id)
    rows = (
        await session.execute(
            select(Question, Jst, Person)
            .join(Jst, Jst.id == Question.jst_id)
            .join(Person, Person.id == Question.asker_id)
            .where(
                Question.state == QuestionState.OPEN,
                Question.jst_id.in_(await visible_jsts(session, adviser, today)),
            )
            .order_by(Question.created_at, Question.id)
        )
    ).all()
    reopened = await pending_followups(
        session, {q.id: q.asker_id for q, _, _ in rows if q.first_answered_at is not None}
    )
    return [
        OpenQuestion(
            number=question.id,
            jst_name=jst.name,
            teryt=jst.teryt,
            asker=asker.full_name,
            text=question.text,
            files=len(files_of(question.attachments)),
            created_at=question.created_at,
            followed_up=question.first_answered_at is not None,
            waiting_since=followup.created_at if followup else question.created_at,
        )
        for question, jst, asker in rows
        for followup in [reopened.get(question.id)]
    ]


async def pending_followups(session: AsyncSession, askers: dict[int, int]) -> dict[int, Answer]:
    """Per answered, reopened question: the asker's first message after the last answer."""
    if not askers:
        return {}
    pending: dict[int, Answer] = {}
    for answer in await session.scalars(
        select(Answer).where(Answer.question_id.in_(askers)).order_by(Answer.created_at, Answer.id)
    ):
        if answer.author_id != askers[answer.question_id]:
            pending.pop(answer.question_id, None)  # answered: nothing before it waits
        else:
            pending.setdefault(answer.question_id, answer)
    return pending
