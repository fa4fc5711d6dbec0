"""U+0000 in what people send is stored alike on SQLite and PostgreSQL (storage/nul_free.py).

PostgreSQL refuses the character in text (a question holding one failed on every press of
Send), SQLite keeps it: on both, every text and JSON value written has it replaced by U+FFFD.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, TypeVar

import pytest
from sqlalchemy import select

from core.services import Services
from notices.questions import deliver_answer, send_question
from storage.forms import current_form
from storage.models import Answer, Base, OutboxMessage, Question, TaskEvent, TaskProgress
from storage.questions.answers import record_answer
from storage.questions.drafts import add_to_draft, send_draft, start_draft
from storage.questions.substitutes import SubstituteRefusal, SubstituteRefused, set_substitute
from storage.questions.threads import Part
from storage.tasks.transitions import (
    Evidence,
    TaskRefused,
    extend_deadline,
    review_task,
    submit_task,
)
from tests.integration.test_questions import NOW, TODAY, seed
from tests.support.task_data import seed_teams

_Row = TypeVar("_Row", bound=Base)
SENT = "Czy\x00 budżet\x00 obejmuje szkolenia?"
STORED = "Czy\ufffd budżet\ufffd obejmuje szkolenia?"


async def _rows(services: Services, model: type[_Row]) -> list[_Row]:
    async with services.sessionmaker() as session:
        return list(await session.scalars(select(model).order_by(*model.__table__.primary_key)))


def _texts(value: Any) -> str:
    """Every string in a JSON value, as its JSON text would show them."""
    return json.dumps(value, ensure_ascii=False)


async def test_a_question_and_its_answer_with_nul_are_stored_and_queued(
    services: Services,
) -> None:
    world = await seed(services)
    async with services.sessionmaker.begin() as session:
        await start_draft(session, world.anna, [Part(1001, 1, SENT)], NOW)
    async with services.sessionmaker.begin() as session:
        draft = await current_form(session, world.anna)
        assert draft is not None
        assert draft.data["parts"][0]["text"] == STORED, "the draft (JSON) as read back"
        add_to_draft(draft, Part(1001, 2, "\x00"), NOW)
    async with services.sessionmaker.begin() as session:
        draft = await current_form(session, world.anna)
        assert draft is not None
        thread = await send_draft(session, draft, now=NOW, today=TODAY)
        await send_question(session, services, thread, now=NOW, today=TODAY)
    await _answer(services, thread.question.id, world.jan)

    (stored,) = await _rows(services, Question)
    assert stored.text == f"{STORED}\n\n\ufffd"
    assert [answer.text for answer in await _rows(services, Answer)] == [STORED]
    payloads = [_texts(row.payload) for row in await _rows(services, OutboxMessage)]
    assert len(payloads) == 3, "the receipt, the forward to the adviser, the answer"
    assert all("\x00" not in payload for payload in payloads)
    assert sum(STORED in payload for payload in payloads) == 2


async def _answer(services: Services, question_id: int, adviser_id: int) -> None:
    """The adviser answers with the NUL text; the answer is queued for the asker."""
    async with services.sessionmaker.begin() as session:
        reply = await record_answer(
            session,
            question_id,
            adviser_id=adviser_id,
            parts=[Part(2001, 9, SENT)],
            to_team=False,
            source_key="tg:2001:9",
            now=NOW,
            today=TODAY,
        )
        await deliver_answer(session, services, reply.id, now=NOW)


async def test_task_evidence_and_remarks_with_nul_are_stored(services: Services) -> None:
    ids = await seed_teams(services, dt.date(2026, 1, 1))
    await _submitted_and_returned(services, ids)
    (progress,) = await _rows(services, TaskProgress)
    assert (progress.evidence, progress.review_remarks) == (STORED, STORED)
    events = await _rows(services, TaskEvent)
    assert [event.note for event in events] == [STORED, STORED]
    assert all("\x00" not in _texts(event.details) for event in events)


async def _submitted_and_returned(services: Services, ids: dict[str, int]) -> None:
    """Anna hands ZW1 in with the NUL text; Jan returns it with the same text as remarks."""
    async with services.sessionmaker.begin() as session:
        change = await submit_task(
            session,
            jst_id=ids["warszawa"],
            code="ZW1",
            person_id=ids["anna"],
            evidence=(Evidence("text", SENT),),
            now=NOW,
            source="form:nul",
        )
    async with services.sessionmaker.begin() as session:
        await review_task(
            session,
            progress_id=change.progress_id,
            review_round=change.review_round,
            adviser_id=ids["jan"],
            accept=False,
            remarks=SENT,
            today=TODAY,
            now=NOW,
            source="tg:nul",
        )


async def test_a_nul_in_what_an_adviser_looks_up_finds_nothing(services: Services) -> None:
    """/przedluz 14<NUL>65011 and /zastepstwo with a NUL in the e-mail failed on PostgreSQL
    ("internal error") and found nothing on SQLite; now both refuse them as unknown."""
    ids = await seed_teams(services, dt.date(2026, 1, 1))
    async with services.sessionmaker.begin() as session:
        with pytest.raises(TaskRefused) as extend:
            await extend_deadline(
                session,
                teryt="14\x0065011",
                code="ZW1",
                until=dt.date(2026, 9, 30),
                adviser_id=ids["jan"],
                today=TODAY,
                now=NOW,
                source="tg:nul",
            )
        with pytest.raises(SubstituteRefused) as substitute:
            await set_substitute(
                session,
                adviser_id=ids["jan"],
                substitute_email="edward\x00@ore.example.pl",
                first=TODAY,
                last=TODAY,
                now=NOW,
                today=TODAY,
            )
    assert extend.value.reason == "not_your_jst"
    assert substitute.value.reason is SubstituteRefusal.UNKNOWN_ADVISER
