"""Benchmark 7: retention over 200,000 rows (issue 20).

A finished cohort (100 JSTs, 300 members) with 50,000 questions and 50,000 answers whose
texts and files are due, and 100,000 outbox rows sent more than 30 days ago: the pass that
removes them all (`advisorybot tick`), the bot's bounded pass (5,000 rows of each kind, the
most one minute's job does) and, as the **baseline**, the same pass once nothing is left (what
every night costs afterwards). Rows go in with one bulk `insert()` per table.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from sqlalchemy import insert, text

from bench.databases import Databases, services_for
from bench.results import Result
from core.services import Services
from reminders.retention import PASS_ROWS, RetentionStats, run_retention
from storage.cohorts import add_cohort
from storage.models import (
    Answer,
    Channel,
    Delivery,
    Gender,
    Jst,
    JstKind,
    Language,
    OutboxMessage,
    OutboxState,
    Person,
    Question,
    QuestionState,
    Role,
)
from storage.programme import default_template_path

START = dt.date(2020, 1, 6)  # ends in spring 2022: texts due from spring 2024
NOW = dt.datetime(2025, 1, 7, 3, 0, tzinfo=dt.UTC)  # before its people go (2027)
SENT = dt.datetime(2024, 11, 4, 9, 0, tzinfo=dt.UTC)
JSTS, MEMBERS = 100, 3
FULL_ROWS, QUICK_ROWS = 100_000, 1_000


async def run(databases: Databases, *, quick: bool) -> list[Result]:
    rows = QUICK_ROWS if quick else FULL_ROWS
    results = []
    for kind in databases.kinds:
        url = await databases.empty(kind)
        await _seed(url, rows)
        template = url
        full, gone = await _timed_pass(await databases.copy(kind, template), None)
        bounded, _ = await _timed_pass(await databases.copy(kind, template), PASS_ROWS)
        idle, _ = await _timed_pass(url, None, twice=True)
        removed = sum(gone.gone.values())
        info = {"rows": removed, "rows_per_second": round(removed / full) if full else None}
        results += [
            Result(f"retention.pass_{2 * rows}_rows.{kind}", full, "s", idle, "idle", None, info),
            Result(f"retention.bot_pass.{kind}", bounded, "s", idle, "idle"),
        ]
    return results


async def _timed_pass(
    url: str, limit: int | None, *, twice: bool = False
) -> tuple[float, RetentionStats]:
    """Seconds of one retention pass at NOW (`twice`: of the second, once all went)."""
    services = services_for(url, NOW)
    try:
        if twice:
            await run_retention(services, NOW, limit=None)
        began = time.perf_counter()
        stats = await run_retention(services, NOW, limit=limit)
        return time.perf_counter() - began, stats
    finally:
        await services.close()


async def _seed(url: str, rows: int) -> None:
    """The rows, and on PostgreSQL the planner's statistics a live database has (autovacuum
    gathers them; without, a batch's look-up of 500 ids joins whole tables: 0.15 s). SQLite
    gathers none by itself, so none are gathered for it here either."""
    services = services_for(url)
    try:
        await _fill(services, rows)
        if services.engine.dialect.name == "postgresql":
            async with services.engine.connect() as connection:
                await connection.execute(text("ANALYZE"))
                await connection.commit()
    finally:
        await services.close()


async def _fill(services: Services, rows: int) -> None:
    created = dt.datetime(2019, 12, 2, tzinfo=dt.UTC)
    async with services.sessionmaker.begin() as session:
        cohort = await add_cohort(
            session, "bench", START, default_template_path(), now=created, actor="bench"
        )
        jsts = [
            Jst(
                teryt=f"{1000001 + i}",
                name=f"Gmina {i}",
                kind=JstKind.GMINA_WIEJSKA,
                voivodeship="mazowieckie",
                cohort_id=cohort.id,
                created_at=created,
            )
            for i in range(JSTS)
        ]
        session.add_all(jsts)
        await session.flush()
        people = [
            _member(jst.id, f"m{jst.id}-{n}@example.pl", created)
            for jst in jsts
            for n in range(MEMBERS)
        ]
        session.add_all(people)
        await session.flush()
        asked = dt.datetime(2021, 3, 1, tzinfo=dt.UTC)
        half = rows // 2
        questions = [
            {
                "jst_id": people[i % len(people)].jst_id,
                "asker_id": people[i % len(people)].id,
                "text": f"Pytanie {i}: jak wypełnić arkusz diagnozy?",
                "attachments": {"files": [{"file_id": f"f{i}", "chat_id": 1, "message_id": i}]},
                "state": QuestionState.ANSWERED,
                "created_at": asked,
            }
            for i in range(half)
        ]
        await session.execute(insert(Question), questions)
        await session.execute(insert(Answer), _answers(half, people[0].id, asked))
        await session.execute(insert(OutboxMessage), [_sent(i, people) for i in range(rows)])


def _member(jst_id: int, email: str, created: dt.datetime) -> Person:
    return Person(
        email=email,
        full_name=email.split("@", maxsplit=1)[0],
        gender=Gender.FEMALE,
        language=Language.PL,
        role=Role.MEMBER,
        jst_id=jst_id,
        created_at=created,
        updated_at=created,
    )


def _answers(count: int, author_id: int, at: dt.datetime) -> list[dict[str, Any]]:
    return [
        {
            "question_id": i + 1,
            "author_id": author_id,
            "text": f"Odpowiedź {i}",
            "attachments": {"files": []},
            "to_team": False,
            "created_at": at,
        }
        for i in range(count)
    ]


def _sent(i: int, people: list[Person]) -> dict[str, Any]:
    return {
        "dedupe_key": f"bench:{i}",
        "channel": Channel.TELEGRAM,
        "person_id": people[i % len(people)].id,
        "kind": "deadline",
        "payload": {"method": "sendMessage", "params": {"text": f"Przypomnienie {i}"}},
        "delivery": Delivery.AT_MOST_ONCE,
        "state": OutboxState.SENT,
        "attempts": 1,
        "not_before": SENT,
        "next_attempt_at": SENT,
        "sent_at": SENT,
        "lease_until": SENT,
        "repeat": False,
        "created_at": SENT,
    }
