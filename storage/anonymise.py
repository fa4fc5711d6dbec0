"""A person anonymised everywhere the bot keeps data (GDPR Art. 17), in the caller's transaction.

What identifies them goes: their name and e-mail (the row keeps gender, role and JST, which the
programme's indicators count), their Telegram ids, the texts and files of their questions and
follow-ups (the rows stay, so counts add up; an open question is closed), their form in
progress, the links of messages in their chat and of their questions, their failed invite
attempts, and every outbox payload to them, about their questions or carrying any of that.
What their JST did stays, attributed to a former member: a task's evidence and remarks, a
report's answers, the history; inside those and others' texts their name or e-mail becomes
ERASED_MARK. The audit log keeps who did what to which person id, never the data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from storage.models import (
    Answer,
    AuditEntry,
    Form,
    Invite,
    InviteAttempt,
    Material,
    MaterialEvent,
    MessageLink,
    MonthlyReport,
    OutboxMessage,
    OutboxState,
    Person,
    Question,
    QuestionState,
    TaskEvent,
    TaskProgress,
)
from storage.people import ERASED_ERROR, ERASED_NAME, erased_address
from storage.questions.threads import files_of
from storage.redaction import ERASED_MARK, Needles
from storage.web_sessions import end_sessions_of

ERASED_PAYLOAD: dict[str, Any] = {"erased": True}
UNSENT = (OutboxState.PENDING, OutboxState.CLAIMED, OutboxState.SENDING)
# Others' records and the JST's that may name the person: (model, its text and JSON columns).
RECORDS: tuple[tuple[type[Any], tuple[InstrumentedAttribute[Any], ...]], ...] = (
    (Question, (Question.text,)),
    (Answer, (Answer.text,)),
    (TaskProgress, (TaskProgress.evidence, TaskProgress.review_remarks)),
    (TaskEvent, (TaskEvent.note, TaskEvent.details)),
    (Material, (Material.title, Material.remarks)),
    (MaterialEvent, (MaterialEvent.note, MaterialEvent.details)),
    (MonthlyReport, (MonthlyReport.answers,)),
    (Form, (Form.data,)),
    (AuditEntry, (AuditEntry.details,)),
)


@dataclass
class Anonymised:
    """What an erasure changed, as counts (kept with the request: no data in them)."""

    questions: int = 0
    answers: int = 0
    files: int = 0
    forms: int = 0
    links: int = 0
    invite_attempts: int = 0
    messages: int = 0  # outbox rows emptied (and withdrawn, if not sent yet)
    redacted: int = 0  # others' and the JST's records with the name or address replaced

    def as_json(self) -> dict[str, int]:
        return asdict(self)


async def anonymise_person(
    session: AsyncSession, person_id: int, now: dt.datetime, *, close_questions: bool = True
) -> Anonymised:
    """Anonymise the person everywhere (see the module's docstring); counts of what changed.
    `close_questions`: an erasure closes the person's open questions; the retention schedule,
    long after the cohort's end, leaves the questions' states as the past's counts saw them."""
    person = await session.get_one(Person, person_id, with_for_update=True)
    done = Anonymised()
    ids = (person.telegram_user_id, person.telegram_chat_id)
    who = Needles.of(person.full_name, person.email, (), ids)
    asked, texts = await _own_messages(session, person.id, now, done, close=close_questions)
    said = Needles.of(person.full_name, person.email, texts, ids)
    done.forms = _count(await session.execute(delete(Form).where(Form.person_id == person.id)))
    done.links = _count(
        await session.execute(
            delete(MessageLink).where(
                or_(MessageLink.chat_id.in_(who.ids), MessageLink.question_id.in_(asked))
            )
        )
    )
    done.invite_attempts = _count(
        await session.execute(
            delete(InviteAttempt).where(InviteAttempt.telegram_user_id.in_(who.ids))
        )
    )
    await session.execute(
        update(Invite)
        .where(
            Invite.person_id == person.id, Invite.used_at.is_(None), Invite.revoked_at.is_(None)
        )
        .values(revoked_at=now)
    )
    await end_sessions_of(session, person.id, now)  # the web view: signed out, links spoilt
    done.messages = await _empty_outbox(session, person.id, asked, said)
    done.redacted = await _redact_records(session, who)
    person.full_name = ERASED_NAME
    person.email = erased_address(person.email)
    person.telegram_user_id = None
    person.telegram_chat_id = None
    person.updated_at = now
    return done


async def _own_messages(
    session: AsyncSession, person_id: int, now: dt.datetime, done: Anonymised, *, close: bool
) -> tuple[list[int], list[str]]:
    """The person's questions and follow-ups (answers, for an adviser) lose their texts and
    files; an open question is closed. Their question ids and the texts they had."""
    asked = list(await session.scalars(select(Question).where(Question.asker_id == person_id)))
    written = list(await session.scalars(select(Answer).where(Answer.author_id == person_id)))
    texts: list[str] = []
    messages: list[Question | Answer] = [*asked, *written]
    for message in messages:
        texts.append(message.text)
        done.files += len(files_of(message.attachments))
        message.text = ERASED_MARK
        message.attachments = {}  # as the retention schedule leaves them: no files
        message.source_key = None  # it names the person's chat
    for question in asked if close else ():
        if question.state is QuestionState.OPEN:
            question.state, question.closed_at = QuestionState.CLOSED, now
    done.questions, done.answers = len(asked), len(written)
    return [question.id for question in asked], texts


async def _empty_outbox(
    session: AsyncSession, person_id: int, asked: list[int], needles: Needles
) -> int:
    """Rows to the person or about their questions are emptied (withdrawn if not sent yet);
    in any other row that carries a needle, it is replaced (a reference to their chat empties
    the row)."""
    answers = list(await session.scalars(select(Answer.id).where(Answer.question_id.in_(asked))))
    key = OutboxMessage.dedupe_key
    about = [OutboxMessage.person_id == person_id]
    about += [key.startswith(f"question:{q}:", autoescape=True) for q in asked]
    about += [key.startswith(f"q-sla:{q}:", autoescape=True) for q in asked]
    about += [key.startswith(f"answer:{a}:", autoescape=True) for a in answers]
    if asked:
        link = OutboxMessage.payload[("link", "question_id")].as_integer()
        about.append(link.in_(asked))
    emptied = list(await session.scalars(select(OutboxMessage).where(or_(*about))))
    for row in emptied:
        _empty(row, needles)
    seen = {row.id for row in emptied}
    columns = (key, OutboxMessage.payload, OutboxMessage.last_error, OutboxMessage.external_id)
    found = await session.scalars(select(OutboxMessage).where(needles.found_in(*columns)))
    changed = 0
    for row in found:
        if row.id in seen:
            continue
        payload = needles.redact(row.payload)
        if payload.ids:
            _empty(row, needles)
        elif payload.changed:
            row.payload = payload.value
        changed += _redact_row_texts(row, needles) or payload.changed
    return len(emptied) + changed


def _empty(row: OutboxMessage, needles: Needles) -> None:
    row.payload = ERASED_PAYLOAD
    if row.state in UNSENT:
        row.state, row.last_error, row.lease_until = OutboxState.SKIPPED, ERASED_ERROR, None
    _redact_row_texts(row, needles)


def _redact_row_texts(row: OutboxMessage, needles: Needles) -> bool:
    """The key (one naming the person's chat becomes one of its own), the error and the
    delivery id (a mail server's reply may quote the address); whether any changed."""
    changed = False
    if needles.redact(row.dedupe_key).changed:
        row.dedupe_key, changed = f"erased:{row.id}", True
    for name in ("last_error", "external_id"):
        redacted = needles.redact(getattr(row, name))
        if redacted.changed:
            setattr(row, name, redacted.value)
            changed = True
    return changed


async def _redact_records(session: AsyncSession, needles: Needles) -> int:
    """Records of others and of the JST that name the person: the name and address replaced,
    a Telegram id left out."""
    changed = 0
    for model, columns in RECORDS:
        found = await session.scalars(select(model).where(needles.found_in(*columns)))
        for row in found:
            hit = False
            for column in columns:
                redacted = needles.redact(getattr(row, column.key))
                if redacted.changed:
                    setattr(row, column.key, redacted.value)
                    hit = True
            changed += hit
    return changed


def _count(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
