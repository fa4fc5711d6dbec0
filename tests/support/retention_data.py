"""Two cohorts with everything retention removes, for the retention walk (issue 20).

The pilot of tests/support/digest_data.py (programme started 1 January 2025, every plan adopted
in March 2026; Warszawa's DP extended to 30 June 2027, so the cohort ends then) gets, from its
people: a question with a photo, the adviser's answer with a document, a follow-up, links of
delivered messages, ZW3 handed in with a text and a document, returned with remarks, handed in
again; the May 2026 report with answers in words, numbers and yes/no; a preparation material
handed in by the coordinator Kinga with a text and a document, returned by the expert Olga with
remarks, handed in again. A later cohort ("Nabór 2027", ending 16 April 2029) has one JST with
Maria (the pilot's adviser of Bochnia) and a member who asked a question, and a material of
its own waiting for review. The outbox holds rows finished in May 2026 and one waiting since
then; forms and failed invitation codes from May 2026 and from later.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from core.services import Services
from storage.cohorts import add_cohort
from storage.materials.loop import Origin, review_material, submit_fix, submit_material
from storage.models import (
    Channel,
    Delivery,
    Form,
    InviteAttempt,
    MessageLink,
    OutboxMessage,
    OutboxState,
    TaskProgress,
    TaskState,
)
from storage.programme import default_template_path
from storage.questions.answers import record_answer, record_followup
from storage.questions.threads import Part, open_question
from storage.reports import current_slot, open_report, set_answer, submit_report
from storage.tasks.transitions import review_task, submit_task
from storage.tasks.views import Evidence
from tests.support.digest_data import seed_digest
from tests.support.material_data import seed_reviewers
from tests.support.people_data import assign_adviser
from tests.support.programme_data import add_jst, add_person
from tests.support.task_data import adopt

UTC = dt.UTC
PILOT_END = dt.date(2027, 6, 30)  # Warszawa's DP extended to this day
LATER_START = dt.date(2027, 1, 1)
# Its JST adopted the plan in January 2028: reports February 2028 - January 2029, DP due 15 March
# 2029, UPOW a month after (Sunday 15 April: Monday), the cohort's last deadline.
LATER_ADOPTED = dt.date(2028, 1, 20)
LATER_END = dt.date(2029, 4, 16)
SENT_AT = dt.datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
LEASE_LEFT_AT = dt.datetime(2026, 5, 5, 10, 5, tzinfo=UTC)  # the failed row's last claim
OLD_TRACE = dt.datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
NEW_TRACE = dt.datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
SECRET_WORDS = "Poufne: Anna Nowak, tel. 600 100 200"  # in every text that goes
PHOTO = Part(8001, 11, SECRET_WORDS, kind="photo", file_id="photo-file-id")
DOCUMENT = Part(8010, 21, "odpowiedź", kind="document", file_name="wzor.pdf", file_id="doc-id")
EVIDENCE = (
    Evidence("text", SECRET_WORDS),
    Evidence("document", "arkusz", "zw3.pdf", chat_id=8001, message_id=31, file_id="zw3-id"),
)


@dataclass(frozen=True)
class RetentionWorld:
    """The ids the walk checks."""

    ids: dict[str, int]
    outbox: dict[str, int]  # sent, failed, withdrawn, unconfirmed, waiting


async def seed_retention(services: Services) -> RetentionWorld:
    ids = await seed_digest(services)
    ids |= await seed_reviewers(services)
    ids |= await _later_cohort(services, ids)
    await _pilot_texts(services, ids)
    await _pilot_tasks(services, ids)
    await _pilot_report(services, ids)
    await _materials(services, ids)
    outbox = await _outbox(services, ids)
    await _traces(services, ids)
    return RetentionWorld(ids, outbox)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=UTC)


async def _later_cohort(services: Services, ids: dict[str, int]) -> dict[str, int]:
    async with services.sessionmaker.begin() as session:
        at = _at(LATER_START)
        later = await add_cohort(
            session, "Nabór 2027", LATER_START, default_template_path(), now=at, actor="tests"
        )
        jst = await add_jst(session, later, "0601011", "Gmina Późniejsza")
        member = await add_person(session, "zofia@example.pl", "Zofia Późna", jst=jst)
        member.notice_confirmed_at = member.joined_at = at
        maria = await session.get_one(type(member), ids["maria"])
        await assign_adviser(session, jst, maria)
        adopt(session, jst.id, LATER_ADOPTED, member.id)
        session.add(
            TaskProgress(
                jst_id=ids["warszawa"],
                step_code="DP",
                state=TaskState.PENDING,
                extended_until=PILOT_END,
                updated_at=at,
            )
        )
        question = (
            await open_question(
                session,
                asker_id=member.id,
                parts=[Part(9001, 1, SECRET_WORDS)],
                source_key="tg:9001:1",
                now=_at(dt.date(2027, 2, 1)),
                today=dt.date(2027, 2, 1),
            )
        ).question
    return {
        "later_cohort": later.id,
        "later_jst": jst.id,
        "zofia": member.id,
        "later_question": question.id,
    }


async def _pilot_texts(services: Services, ids: dict[str, int]) -> None:
    day = dt.date(2026, 5, 5)
    async with services.sessionmaker.begin() as session:
        question = (
            await open_question(
                session,
                asker_id=ids["anna"],
                parts=[Part(8001, 10, SECRET_WORDS), PHOTO],
                source_key="tg:8001:10",
                now=_at(day),
                today=day,
            )
        ).question
        await record_answer(
            session,
            question.id,
            adviser_id=ids["jan"],
            parts=[Part(8010, 20, SECRET_WORDS), DOCUMENT],
            to_team=False,
            source_key="tg:8010:20",
            now=_at(day, 12),
            today=day,
        )
        await record_followup(
            session,
            question.id,
            member_id=ids["anna"],
            parts=[Part(8001, 12, SECRET_WORDS)],
            source_key="tg:8001:12",
            now=_at(day, 14),
            today=day,
        )
        session.add_all(
            MessageLink(chat_id=chat, message_id=message, question_id=question.id)
            for chat, message in ((8010, 500), (8001, 501))
        )
    ids["question"] = question.id


async def _pilot_tasks(services: Services, ids: dict[str, int]) -> None:
    day = dt.date(2026, 6, 1)
    async with services.sessionmaker.begin() as session:
        submitted = await submit_task(
            session,
            jst_id=ids["warszawa"],
            code="ZW3",
            person_id=ids["anna"],
            evidence=EVIDENCE,
            now=_at(day),
            source="tg:8001:30",
        )
        returned = await review_task(
            session,
            progress_id=submitted.progress_id,
            review_round=submitted.review_round,
            adviser_id=ids["jan"],
            accept=False,
            remarks=SECRET_WORDS,
            today=day,
            now=_at(day, 12),
            source="tg:8010:40",
        )
        await submit_task(
            session,
            jst_id=ids["warszawa"],
            code="ZW3",
            person_id=ids["bartosz"],
            evidence=EVIDENCE[:1],
            now=_at(day, 14),
            source="tg:8002:41",
        )
    ids["zw3"] = returned.progress_id


async def _pilot_report(services: Services, ids: dict[str, int]) -> None:
    today = dt.date(2026, 6, 3)  # May's report (R02) is the one to send
    now = _at(today)
    async with services.sessionmaker.begin() as session:
        slot = await current_slot(session, ids["bochnia"], today)
        assert slot is not None
        report = await open_report(session, slot, ids["ewa"], now)
        answers: dict[str, Any] = {
            "progress": 4,
            "done": SECRET_WORDS,
            "slipped": SECRET_WORDS,
            "support": True,
            "support_what": SECRET_WORDS,
        }
        for key, value in answers.items():
            set_answer(report, key, value, now)
        done = await submit_report(
            session, report, slot, ids["ewa"], now, answers=dict(report.answers), local_today=today
        )
        assert done.accepted
    ids["report"] = report.id


def _by(person_id: int, day: dt.date, source: str) -> Origin:
    return Origin(person_id, _at(day), day, source)


async def _materials(services: Services, ids: dict[str, int]) -> None:
    day, later_day = dt.date(2026, 6, 8), dt.date(2027, 3, 1)
    async with services.sessionmaker.begin() as session:
        pilot = await submit_material(
            session,
            cohort_id=ids["cohort"],
            title="Harmonogram zjazdów",
            kind="schedule",
            pieces=EVIDENCE,
            origin=_by(ids["kinga"], day, "form:m1"),
        )
        returned = await review_material(
            session,
            material_id=pilot.material_id,
            review_round=0,
            accept=False,
            remarks=SECRET_WORDS,
            origin=_by(ids["olga"], day, "tg:m2"),
        )
        await submit_fix(
            session,
            material_id=pilot.material_id,
            pieces=EVIDENCE[:1],
            origin=_by(ids["kinga"], day + dt.timedelta(days=1), "form:m3"),
        )
        later = await submit_material(
            session,
            cohort_id=ids["later_cohort"],
            title="Scenariusz zajęć",
            kind="scenario",
            pieces=EVIDENCE[:1],
            origin=_by(ids["kinga"], later_day, "form:m4"),
        )
    ids |= {"material": returned.material_id, "later_material": later.material_id}


def _row(key: str, person_id: int, state: OutboxState, **times: Any) -> OutboxMessage:
    base = dt.datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
    values: dict[str, Any] = {
        "not_before": base,
        "next_attempt_at": base,
        "created_at": base,
        "sent_at": None,
        "lease_until": None,
        "last_error": None,
    } | times
    return OutboxMessage(
        dedupe_key=key,
        channel=Channel.TELEGRAM,
        person_id=person_id,
        kind="question_answer",
        payload={"method": "sendMessage", "params": {"text": SECRET_WORDS}, "chat_id": 8001},
        delivery=Delivery.AT_LEAST_ONCE,
        state=state,
        attempts=1,
        **values,
    )


async def _outbox(services: Services, ids: dict[str, int]) -> dict[str, int]:
    anna = ids["anna"]
    rows = {
        "sent": _row("r:sent", anna, OutboxState.SENT, sent_at=SENT_AT, lease_until=SENT_AT),
        "failed": _row(
            "r:failed", anna, OutboxState.FAILED, lease_until=LEASE_LEFT_AT, last_error="550 x"
        ),
        "withdrawn": _row("r:withdrawn", anna, OutboxState.SKIPPED, last_error="withdrawn"),
        "unconfirmed": _row("r:unconfirmed", ids["jan"], OutboxState.UNCONFIRMED),
        "waiting": _row("r:waiting", anna, OutboxState.PENDING),  # the sender is down
    }
    async with services.sessionmaker.begin() as session:
        session.add_all(rows.values())
        await session.flush()
        return {name: row.id for name, row in rows.items()}


async def _traces(services: Services, ids: dict[str, int]) -> None:
    async with services.sessionmaker.begin() as session:
        for who, at in (("bartosz", OLD_TRACE), ("celina", NEW_TRACE)):
            session.add(
                Form(
                    person_id=ids[who],
                    kind="question",
                    step="draft",
                    data={"parts": [PHOTO.as_json()]},
                    token=who[:8],
                    started_at=at,
                    updated_at=at,
                )
            )
        attempts = (InviteAttempt(telegram_user_id=7777, at=at) for at in (OLD_TRACE, NEW_TRACE))
        session.add_all(attempts)
