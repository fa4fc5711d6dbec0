"""Retention over whole cohorts with the clock moved (issue 20): what the schedule says goes,
goes, from the day it says and not a minute before; nothing else does; the digest and the
indicators of a past week read the same numbers throughout (counts without identity)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from core.services import Services
from digest.build import Digest, build_digest
from reminders.retention import RetentionStats, run_retention
from storage.indicators import compute_indicators
from storage.models import (
    Answer,
    AuditEntry,
    Base,
    Form,
    InviteAttempt,
    Material,
    MaterialEvent,
    MessageLink,
    MonthlyReport,
    OutboxMessage,
    OutboxState,
    Person,
    Question,
    Role,
    TaskEvent,
    TaskProgress,
)
from storage.people import ERASED_NAME
from storage.reports import SUBMITTED_ACTION
from storage.retention.cohorts import cohort_ends
from tests.support.digest_data import NOW as PAST_WEEK
from tests.support.retention_data import (
    LATER_END,
    LEASE_LEFT_AT,
    NEW_TRACE,
    PILOT_END,
    SECRET_WORDS,
    SENT_AT,
    RetentionWorld,
    seed_retention,
)

WARSAW = ZoneInfo("Europe/Warsaw")
MINUTE = dt.timedelta(minutes=1)
COUNTED = (
    Question,
    Answer,
    TaskProgress,
    TaskEvent,
    Material,
    MaterialEvent,
    MonthlyReport,
    OutboxMessage,
    Person,
)
WORDED = ("done", "slipped", "support_what")


def _local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=WARSAW).astimezone(dt.UTC)


def _eve(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The last minutes of the day before `day` and the first of `day`, local time."""
    return _local(day - dt.timedelta(days=1), 23, 59), _local(day, 0, 1)


async def _pass(services: Services, now: dt.datetime) -> RetentionStats:
    return await run_retention(services, now, limit=None)


async def _numbers(services: Services) -> dict[str, Any]:
    """What the digest and the indicators of the week of 4 May 2026 count."""
    zone = services.settings.zone
    async with services.sessionmaker() as session:
        whole = await build_digest(session, PAST_WEEK, zone=zone)
        advisers = [
            await build_digest(session, PAST_WEEK, adviser_id=adviser.id, zone=zone)
            for adviser in await session.scalars(
                select(Person).where(Person.role == Role.ADVISER).order_by(Person.id)
            )
        ]
        indicators = await compute_indicators(session)
        rows = {
            model.__tablename__: await session.scalar(select(func.count()).select_from(model))
            for model in COUNTED
        }
    return {
        "digest": _digest_numbers(whole),
        "advisers": [_digest_numbers(d) for d in advisers],
        "indicators": indicators,
        "rows": rows,
    }


def _digest_numbers(digest: Digest) -> dict[str, Any]:
    return {
        "totals": (
            sum(t.overdue for t in digest.teams),
            sum(t.open_questions for t in digest.teams),
            digest.changed,
        ),
        "teams": [
            (
                t.teryt,
                t.overdue,
                t.open_questions,
                [(task.code, task.state, task.overdue) for task in t.tasks],
                t.report.state if t.report else None,
            )
            for t in digest.teams
        ],
        "response": sorted(  # listed by the adviser's name, which may go
            (r.adviser_id, r.teryt, r.answered, r.median, r.p90, r.open, r.oldest_open)
            for r in digest.response
        ),
        "indicators": digest.indicators,
        "matrix": [(row.team.teryt, row.cells) for row in digest.matrix.rows],
        "attention": [(a.team.teryt, a.reasons) for a in digest.attention],
    }


async def _row(services: Services, model: type[Base], row_id: int) -> Any:
    async with services.sessionmaker() as session:
        return await session.get_one(model, row_id)


async def _all(services: Services, model: type[Base]) -> list[Any]:
    async with services.sessionmaker() as session:
        return list(await session.scalars(select(model)))


async def _texts_of(services: Services, jst_id: int) -> list[str]:
    """Every text still stored of the JST's questions and their answers."""
    async with services.sessionmaker() as session:
        questions = list(await session.scalars(select(Question).where(Question.jst_id == jst_id)))
        answers = await session.scalars(
            select(Answer).where(Answer.question_id.in_([q.id for q in questions]))
        )
        return [q.text for q in questions if q.text] + [a.text for a in answers if a.text]


async def _material_texts(services: Services, material_id: int) -> list[str]:
    """Every text still stored of the material: its remarks, its events' notes and pieces."""
    async with services.sessionmaker() as session:
        material = await session.get_one(Material, material_id)
        events = list(
            await session.scalars(
                select(MaterialEvent).where(MaterialEvent.material_id == material_id)
            )
        )
    texts = [material.remarks] + [event.note for event in events]
    texts += [piece.get("text") for e in events for piece in e.details.get("pieces", [])]
    return [text for text in texts if text]


async def test_a_retention_walk_over_whole_cohorts(services: Services) -> None:
    world = await seed_retention(services)
    ids = world.ids
    baseline = await _numbers(services)
    async with services.sessionmaker() as session:
        ends = {end.name: end.end for end in await cohort_ends(session)}
    assert ends == {"pilot": PILOT_END, "Nabór 2027": LATER_END}

    await _outbox_and_traces(services, world)
    assert await _numbers(services) == baseline

    # The pilot's texts: kept through 30 June 2029 (24 months after its end), gone from 1 July.
    before, after = _eve(dt.date(2029, 7, 1))
    stats = await _pass(services, before)
    assert not stats.gone
    assert SECRET_WORDS in await _texts_of(services, ids["warszawa"])
    stats = await _pass(services, after)
    assert stats.gone == {
        "questions": 3,  # two of the digest's, one with a photo
        "answers": 2,
        "message_links": 2,
        "hand_ins": 1,
        "task_history": 3,  # submitted, returned, submitted again
        "materials": 1,  # the return's remarks
        "material_history": 3,  # handed in, returned, handed in again
        "reports": 1,
        "report_audit": 1,
    }
    await _pilot_texts_gone(services, ids)
    assert await _texts_of(services, ids["later_jst"]) == [SECRET_WORDS], "not its time yet"
    assert await _material_texts(services, ids["later_material"]) == [SECRET_WORDS]
    assert await _numbers(services) == baseline
    assert not (await _pass(services, after)).gone, "a second pass finds nothing"
    await _still_waiting(services, world)

    # The later cohort's texts: 24 months after 15 April 2029.
    before, after = _eve(dt.date(2031, 4, 17))
    assert not (await _pass(services, before)).gone
    assert (await _pass(services, after)).gone == {"questions": 1, "material_history": 1}
    assert await _texts_of(services, ids["later_jst"]) == []
    assert await _material_texts(services, ids["later_material"]) == []

    # The pilot's people: 60 months after its end; Maria also advises the later cohort.
    before, after = _eve(dt.date(2032, 7, 1))
    assert not (await _pass(services, before)).gone
    await _still_waiting(services, world)
    assert (await _pass(services, after)).gone == {"members": 5, "advisers": 2}
    names = {p.id: p.full_name for p in await _all(services, Person)}
    for who in ("anna", "bartosz", "celina", "dorota", "ewa", "jan", "edward"):
        assert names[ids[who]] == ERASED_NAME, who
    for who in ("maria", "zofia", "coordinator"):
        assert names[ids[who]] != ERASED_NAME, who
    assert await _numbers(services) == baseline, "the past adds up without names"
    # Anonymising Anna skipped the row that waited (as an erasure does): finished now, and
    # long past its times, its payload goes at the next pass.
    assert (await _pass(services, after + MINUTE)).gone == {"outbox": 1}
    waiting = await _row(services, OutboxMessage, world.outbox["waiting"])
    assert (waiting.state, waiting.payload) == (OutboxState.SKIPPED, {})

    # The later cohort's people, Maria with them.
    before, after = _eve(dt.date(2034, 4, 17))
    assert not (await _pass(services, before)).gone
    assert (await _pass(services, after)).gone == {"members": 1, "advisers": 1}
    coordinator = await _row(services, Person, ids["coordinator"])
    assert coordinator.full_name != ERASED_NAME, "tied to no cohort"
    assert await _numbers(services) == baseline


async def _outbox_and_traces(services: Services, world: RetentionWorld) -> None:
    """Payloads 30 days after their row finished, forms and code attempts 30 days after."""
    outbox = world.outbox
    month = dt.timedelta(days=30)
    stats = await _pass(services, SENT_AT + month - MINUTE)
    assert stats.gone == {"outbox": 2}  # withdrawn and unconfirmed: finished 4 May 09:00
    stats = await _pass(services, SENT_AT + month + MINUTE)
    assert stats.gone == {"outbox": 1}
    sent = await _row(services, OutboxMessage, outbox["sent"])
    assert (sent.payload, sent.last_error, sent.state) == ({}, "expired", OutboxState.SENT)
    assert (sent.dedupe_key, sent.kind, sent.sent_at) == ("r:sent", "question_answer", SENT_AT)
    failed = await _row(services, OutboxMessage, outbox["failed"])
    assert failed.payload != {}, "finished at its last claim's lease, 5 May 10:05"
    stats = await _pass(services, LEASE_LEFT_AT + month + MINUTE)
    assert stats.gone == {"outbox": 1, "drafts": 1, "invite_attempts": 1}
    for name in ("sent", "failed", "withdrawn", "unconfirmed"):
        row = await _row(services, OutboxMessage, outbox[name])
        assert (row.payload, row.last_error) == ({}, "expired"), name
    await _still_waiting(services, world)
    assert [form.person_id for form in await _all(services, Form)] == [world.ids["celina"]]
    assert len(await _all(services, InviteAttempt)) == 1
    assert not (await _pass(services, NEW_TRACE + month - MINUTE)).gone
    stats = await _pass(services, NEW_TRACE + month + MINUTE)
    assert stats.gone == {"drafts": 1, "invite_attempts": 1}


async def _still_waiting(services: Services, world: RetentionWorld) -> None:
    """A row not sent yet is never touched, however old its times."""
    waiting = await _row(services, OutboxMessage, world.outbox["waiting"])
    assert waiting.state is OutboxState.PENDING
    assert SECRET_WORDS in str(waiting.payload)


async def _pilot_texts_gone(services: Services, ids: dict[str, int]) -> None:
    async with services.sessionmaker() as session:
        for question in await session.scalars(select(Question)):
            if question.jst_id != ids["later_jst"]:
                assert (question.text, question.attachments) == ("", {})
        answers = list(await session.scalars(select(Answer)))
        assert [(a.text, a.attachments) for a in answers] == [("", {})] * 2
        assert await session.scalar(select(func.count()).select_from(MessageLink)) == 0
        zw3 = await session.get_one(TaskProgress, ids["zw3"])
        assert (zw3.evidence, zw3.review_remarks, zw3.state.value) == (None, None, "submitted")
        events = list(
            await session.scalars(
                select(TaskEvent).where(TaskEvent.step_code == "ZW3").order_by(TaskEvent.id)
            )
        )
        assert [e.note for e in events] == [None] * 3
        assert [e.details.get("evidence") for e in events] == [
            [{"kind": "text"}, {"kind": "document"}],
            None,
            [{"kind": "text"}],
        ]
        assert [e.details["round"] for e in events] == [0, 1, 1], "the rest of the history"
        assert "remarks" not in events[1].details and events[1].details["until"]
        report = await session.get_one(MonthlyReport, ids["report"])
        assert report.answers == {
            "progress": 4,
            "done": "",
            "slipped": "",
            "support": True,
            "support_what": "",
        }
        audited = await session.scalar(
            select(AuditEntry).where(
                AuditEntry.action == SUBMITTED_ACTION, AuditEntry.entity_id == ids["report"]
            )
        )
        assert audited is not None
        assert [audited.details["answers"][key] for key in WORDED] == ["", "", ""]
        assert audited.details["answers"]["progress"] == 4
        material = await session.get_one(Material, ids["material"])
        assert (material.title, material.remarks) == ("Harmonogram zjazdów", None), "a title stays"
        assert (material.state.value, material.review_round) == ("submitted", 1)
        changes = list(
            await session.scalars(
                select(MaterialEvent)
                .where(MaterialEvent.material_id == ids["material"])
                .order_by(MaterialEvent.id)
            )
        )
        assert [(c.action, c.review_round, c.note) for c in changes] == [
            ("submitted", 0, None),
            ("returned", 0, None),
            ("submitted", 1, None),
        ]
        assert [c.details for c in changes] == [
            {"pieces": [{"kind": "text"}, {"kind": "document"}], "retention": "expired"},
            {"retention": "expired"},
            {"pieces": [{"kind": "text"}], "retention": "expired"},
        ]
        assert [c.person_id for c in changes] == [ids["kinga"], ids["olga"], ids["kinga"]]
        names = list(await session.scalars(select(Person.full_name)))
        assert ERASED_NAME not in names, "the people stay until their own date"


async def test_the_bots_passes_are_bounded_and_go_on_where_the_last_one_stopped(
    services: Services,
) -> None:
    world = await seed_retention(services)
    at = _local(dt.date(2029, 7, 1), 3)
    passes, gone = [], Counter[str]()
    while True:
        stats = await run_retention(services, at, limit=1)
        assert all(count == 1 for count in stats.gone.values()), "one row of a kind a pass"
        passes.append(stats)
        gone += stats.gone
        if not stats.left:
            break
    assert len(passes) == 5  # four outbox rows, then a pass that finds nothing left
    assert gone == {
        "outbox": 4,
        "drafts": 2,
        "invite_attempts": 2,
        "questions": 3,
        "answers": 2,
        "message_links": 2,
        "hand_ins": 1,
        "task_history": 3,
        "materials": 1,
        "material_history": 3,
        "reports": 1,
        "report_audit": 1,
    }
    await _pilot_texts_gone(services, world.ids)
