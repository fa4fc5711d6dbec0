"""Access (GDPR Art. 15) on SQLite and PostgreSQL: everything stored about a person, nobody
else's records, the files they sent and the same data as table rows."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.services import Services
from storage.erasure import request_erasure
from storage.models import (
    Attendance,
    Form,
    Gender,
    MonthlyReport,
    Person,
    Question,
    ReportState,
    Role,
    SelfAssessment,
    TaskEvent,
)
from storage.people import confirm_notice
from storage.personal_data import files_sent, flat_rows, personal_data
from tests.support.outbox_rows import queue_text
from tests.support.people_data import add_answer, add_invite, add_question, assign_adviser
from tests.support.programme_data import CREATED, add_cohort, add_jst, add_person

ANNA, BARTEK, DOROTA = 101, 102, 201
ASKED = dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC)


def _file(chat: int, message: int, name: str) -> dict[str, Any]:
    """A file message as a question's attachments keep it."""
    return {
        "chat_id": chat,
        "message_id": message,
        "text": "",
        "kind": "document",
        "file_name": name,
        "file_id": f"file-{message}",
        "file_size": 1000,
        "mime_type": "application/pdf",
    }


def _evidence(chat: int, message: int, name: str) -> list[dict[str, Any]]:
    """A submission's evidence: a link, then a file."""
    return [
        {"kind": "link", "text": "https://gmina.example.pl/diagnoza"},
        {"kind": "document", "file_name": name, "chat_id": chat, "message_id": message},
    ]


async def _member(session: AsyncSession, email: str, name: str, user: int, **f: Any) -> Person:
    return await add_person(
        session, email, name, telegram_user_id=user, telegram_chat_id=user, joined_at=CREATED, **f
    )


async def _ask(session: AsyncSession, asker: Person, text: str, file: dict[str, Any]) -> Question:
    question = await add_question(session, asker, text, at=ASKED)
    question.attachments = {"files": [file]}
    return question


async def _submit(session: AsyncSession, person: Person, evidence: list[dict[str, Any]]) -> None:
    assert person.jst_id is not None
    details = {"progress_id": 1, "round": 0, "evidence": evidence}
    session.add(
        TaskEvent(
            jst_id=person.jst_id,
            step_code="ZW1",
            action="submitted",
            person_id=person.id,
            details=details,
            at=ASKED,
        )
    )


async def _seed(services: Services) -> dict[str, Any]:
    """Anna and Bartek of two JSTs, each with a question with a file and a submission; Dorota
    advises Anna's JST and answers her; Anna follows up, reports, has a form and messages."""
    now = services.clock.now()
    async with services.sessionmaker.begin() as session:
        cohort = await add_cohort(session)
        alfa = await add_jst(session, cohort, "1401011", "Gmina Alfa")
        beta = await add_jst(session, cohort, "1401022", "Gmina Beta")
        anna = await _member(session, "anna@example.pl", "Anna Nowak", ANNA, jst=alfa)
        bartek = await _member(
            session, "bartek@example.pl", "Bartek Lis", BARTEK, jst=beta, gender=Gender.MALE
        )
        dorota = await _member(
            session, "dorota@ore.example.pl", "Dorota", DOROTA, role=Role.ADVISER
        )
        await assign_adviser(session, alfa, dorota)
        first = await _ask(session, anna, "Jak zrobić diagnozę?", _file(ANNA, 11, "plan.pdf"))
        await add_answer(session, first, dorota, "Odpowiedź Doroty", at=now)
        await add_answer(session, first, anna, "Uzupełnienie Anny", at=now)
        await _ask(session, bartek, "Pytanie Bartka", _file(BARTEK, 21, "bartek.pdf"))
        await _submit(session, anna, _evidence(ANNA, 12, "arkusz.xlsx"))
        await _submit(session, bartek, _evidence(BARTEK, 22, "bartka.xlsx"))
        session.add(
            MonthlyReport(
                jst_id=alfa.id,
                step_code="R01",
                state=ReportState.SUBMITTED,
                answers={"done": "Debata odbyła się"},
                started_by_id=anna.id,
                submitted_by_id=anna.id,
                submitted_at=now,
                updated_at=now,
            )
        )
        session.add(
            Form(
                person_id=anna.id,
                kind="question",
                step="draft",
                data={"parts": [{"text": "Szkic Anny"}]},
                token="t0ken",
                started_at=now,
                updated_at=now,
            )
        )
        session.add_all(
            Attendance(
                person_id=person.id,
                step_code="Z1",
                present=present,
                source="import",
                recorded_by="operator:test",
                recorded_at=now,
            )
            for person, present in ((anna, True), (bartek, False))
        )
        session.add(
            SelfAssessment(
                person_id=anna.id,
                moment="before",
                answers={"data_find": 3},
                score=3,
                submitted_at=now,
            )
        )
        await queue_text(session, now, anna.id, "Przypomnienie dla Anny")
        await queue_text(session, now, bartek.id, "Przypomnienie dla Bartka")
        await add_invite(session, anna, "kod-anny", CREATED, used_at=CREATED)
        await confirm_notice(session, anna.id, now)
        await request_erasure(session, anna.id, now, now.date())
        return {"anna": anna.id, "first": first.id, "now": now}


async def test_personal_data_holds_exactly_the_persons_own_data(services: Services) -> None:
    seeded = await _seed(services)
    now = seeded["now"]
    async with services.sessionmaker() as session:
        data = await personal_data(session, seeded["anna"])

    assert data["person"] == {
        "full_name": "Anna Nowak",
        "email": "anna@example.pl",
        "gender": "K",
        "language": "pl",
        "role": "member",
        "jst": {"teryt": "1401011", "name": "Gmina Alfa"},
        "telegram_user_id": ANNA,
        "telegram_chat_id": ANNA,
        "telegram_unreachable_at": None,
        "created_at": CREATED.isoformat(),
        "joined_at": CREATED.isoformat(),
        "notice_confirmed_at": now.isoformat(),
        "erasure_requested_at": now.isoformat(),
        "digest_opted_out_at": None,
    }
    [question] = data["questions"]
    assert question["number"] == seeded["first"] and question["text"] == "Jak zrobić diagnozę?"
    assert question["files"] == [_file(ANNA, 11, "plan.pdf")]
    assert [a["text"] for a in data["answers"]] == ["Uzupełnienie Anny"]
    [change] = data["task_changes"]
    assert (change["step_code"], change["action"]) == ("ZW1", "submitted")
    assert change["details"]["evidence"] == _evidence(ANNA, 12, "arkusz.xlsx")
    [report] = data["reports"]
    assert report["answers"] == {"done": "Debata odbyła się"} and report["submitted_by_you"]
    assert [f["data"] for f in data["form_in_progress"]] == [{"parts": [{"text": "Szkic Anny"}]}]
    assert [m["content"] for m in data["messages_to_you"]] == [{"text": "Przypomnienie dla Anny"}]
    assert [i["used_at"] for i in data["invitations"]] == [CREATED.isoformat()]
    assert [e["action"] for e in data["audit"]] == ["notice_confirmed", "erasure_requested"]
    assert data["advised_jsts"] == []
    assert [(a["step_code"], a["present"]) for a in data["training_attendance"]] == [("Z1", True)]
    [assessment] = data["self_assessments"]
    assert (assessment["moment"], assessment["answers"], assessment["score"]) == (
        "before",
        {"data_find": 3},
        3,
    )

    flat = json.dumps(data, ensure_ascii=False)
    others = ("Bartk", "bartek", "Beta", "Doroty", "kod-anny", str(BARTEK))
    assert [word for word in others if word in flat] == []


async def test_the_files_a_person_sent_and_the_rows_of_a_table(services: Services) -> None:
    seeded = await _seed(services)
    async with services.sessionmaker() as session:
        data = await personal_data(session, seeded["anna"])

    assert files_sent(data) == [(ANNA, 11), (ANNA, 12)], "the question's, then the evidence's"
    rows = list(flat_rows(data))
    assert ("questions", 1, "text", "Jak zrobić diagnozę?") in rows
    assert ("questions", 1, "files[1].file_name", "plan.pdf") in rows
    assert ("task_changes", 1, "details.evidence[2].file_name", "arkusz.xlsx") in rows
    assert ("person", None, "jst.name", "Gmina Alfa") in rows
    assert all(not isinstance(value, dict | list) for *_, value in rows), "one value a row"


async def test_an_adviser_sees_the_jsts_they_advise(services: Services) -> None:
    await _seed(services)
    async with services.sessionmaker() as session:
        dorota = await session.get_one(Person, await _id(session, "dorota@ore.example.pl"))
        data = await personal_data(session, dorota.id)
    assert [(j["jst_name"], j["as"]) for j in data["advised_jsts"]] == [("Gmina Alfa", "adviser")]
    assert [a["text"] for a in data["answers"]] == ["Odpowiedź Doroty"]
    assert data["questions"] == [] and files_sent(data) == []


async def _id(session: AsyncSession, email: str) -> int:
    found = await session.scalar(select(Person.id).where(Person.email == email))
    assert found is not None
    return found
