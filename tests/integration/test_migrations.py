"""Migrations run up from an empty database on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import asdict
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncConnection

from core.clock import FixedClock
from core.services import Services
from core.settings import Settings
from storage.cohorts import cohort_steps
from storage.migrate import (
    SCHEMA_REVISION,
    alembic_config,
    current_revision,
    ensure_current,
    upgrade,
)
from storage.models import (
    Base,
    Cohort,
    Jst,
    JstKind,
    MonthlyReport,
    ProgrammeStep,
    ReportState,
)
from storage.programme import (
    ProgrammeTemplate,
    default_template_path,
    load_template,
    template_from_dict,
)
from storage.programme_calendar import compute_calendar


@pytest.fixture
async def services(settings: Settings, clock: FixedClock) -> AsyncIterator[Services]:
    """Services on an empty database, migrated here (not copied from the session's migrated
    one, as other tests' are: tests/conftest.py)."""
    built = Services.build(settings, clock)
    await upgrade(built.engine)
    yield built
    await built.close()


async def _tables(connection: AsyncConnection) -> set[str]:
    return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))


def head_revision(url: str) -> str:
    """Alembic's head, read from the migration scripts."""
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    assert head is not None
    return head


async def test_upgrade_from_empty_creates_every_table(services: Services) -> None:
    async with services.engine.connect() as connection:
        tables = await _tables(connection)
    assert set(Base.metadata.tables) <= tables
    assert await current_revision(services.engine) == head_revision(str(services.engine.url))
    assert head_revision(str(services.engine.url)) == SCHEMA_REVISION, "a new migration's number"
    await ensure_current(services.engine)


async def test_upgrade_twice_changes_nothing(services: Services) -> None:
    await upgrade(services.engine)
    assert await current_revision(services.engine) == head_revision(str(services.engine.url))


async def test_schema_matches_models(services: Services) -> None:
    """No model change is left without a migration."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    async with services.engine.connect() as connection:
        diff = await connection.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
        )
    assert diff == []


COHORTS = sa.table(  # as the early revisions made it: the model may have grown since
    "cohorts",
    *(sa.column(name) for name in ("id", "name", "start_date", "template_code")),
    sa.column("template", sa.JSON),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
STORED = {
    "task": [{"code": "ZW1", "title_pl": "Zadanie wdrożeniowe 1"}],
    "monitoring": {
        "question": [
            {
                "key": "done",
                "title_pl": "Co zrobiliście w tym miesiącu?",
                "title_en": "What did you do this month?",
            }
        ]
    },
}


async def _stored_cohorts(services: Services, clock: FixedClock, template: dict[str, Any]) -> None:
    """Cohort 1 of the programme "ore-2024" and cohort 2 of another, storing `template`, as an
    older schema stored them."""
    cohorts = sa.table(
        "cohorts",
        *(sa.column(name) for name in ("id", "name", "start_date", "template_code")),
        sa.column("template", sa.JSON),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    async with services.engine.begin() as connection:
        for cohort_id, code in ((1, "ore-2024"), (2, "other-2025")):
            await connection.execute(
                cohorts.insert().values(
                    id=cohort_id,
                    name=code,
                    start_date=dt.date(2026, 1, 1),
                    template_code=code,
                    template=template,
                    created_at=clock.now(),
                )
            )


async def test_task_labels_reach_cohorts_started_before_them(
    settings: Settings, clock: FixedClock
) -> None:
    """0005: a cohort of the programme "ore-2024" stored before tasks had short names gets
    them ("zadanie ZW1 (diagnoza wstępna)"); a cohort of another programme keeps none."""
    built = Services.build(settings, clock)
    try:
        await upgrade(built.engine, "0004")
        await _stored_cohorts(built, clock, STORED)
        steps = sa.table(
            "programme_steps",
            *(sa.column(name) for name in ("cohort_id", "position", "code", "kind")),
            *(sa.column(name) for name in ("title_pl", "title_en", "starts_on", "ends_on")),
        )
        day = dt.date(2026, 1, 1)
        async with built.engine.begin() as connection:
            for cohort_id in (1, 2):
                await connection.execute(
                    steps.insert().values(
                        cohort_id=cohort_id,
                        position=1,
                        code="ZW1",
                        kind="task",
                        title_pl="Zadanie wdrożeniowe 1",
                        title_en="Implementation task 1",
                        starts_on=day,
                        ends_on=day,
                    )
                )
        await upgrade(built.engine)
        async with built.engine.connect() as connection:
            found = await connection.execute(
                sa.text("SELECT cohort_id, label_pl, label_en FROM programme_steps ORDER BY 1")
            )
            assert [tuple(row) for row in found] == [
                (1, "diagnoza wstępna", "initial diagnosis"),
                (2, None, None),
            ]
        async with built.sessionmaker() as session:
            ore = await session.get_one(Cohort, 1)
            other = await session.get_one(Cohort, 2)
        assert ore.template["task"][0]["label_pl"] == "diagnoza wstępna"
        question = ore.template["monitoring"]["question"][0]
        assert (question["title_pl"], question["title_en"]) == (
            "Co zrobiliście w dniach {period}?",
            "What did you do in {period}?",
        )
        assert other.template == STORED, "another programme's template is its own"
    finally:
        await built.close()


async def test_the_plan_task_is_marked_in_cohorts_started_before(
    settings: Settings, clock: FixedClock
) -> None:
    """0011: HDR_ORE of an "ore-2024" cohort's stored template hands in the plan a resolution
    adopts (`plan = true`); another programme's template is left as it was."""
    built = Services.build(settings, clock)
    stored = {"task": [{"code": "HDR_ORE"}, {"code": "UCHWALA", "resolution": True}]}
    try:
        await upgrade(built.engine, "0007")
        async with built.engine.begin() as connection:
            for cohort_id, template in ((1, "ore-2024"), (2, "other-2025")):
                await connection.execute(
                    COHORTS.insert().values(
                        id=cohort_id,
                        name=template,
                        start_date=dt.date(2026, 1, 1),
                        template_code=template,
                        template=stored,
                        created_at=clock.now(),
                    )
                )
        await upgrade(built.engine)
        async with built.sessionmaker() as session:
            ore = await session.get_one(Cohort, 1)
            other = await session.get_one(Cohort, 2)
        assert [task.get("plan") for task in ore.template["task"]] == [True, None]
        assert other.template == stored
    finally:
        await built.close()


async def test_due_dates_on_a_day_off_move_to_the_next_working_day(
    settings: Settings, clock: FixedClock
) -> None:
    """0006: a task due on Sunday 14 February 2027 and a report due on Saturday 15 July 2028
    of a cohort stored before are due the next Monday; a phase's end stays."""
    built = Services.build(settings, clock)
    try:
        await upgrade(built.engine, "0005")
        steps = sa.table(
            "programme_steps",
            *(sa.column(name) for name in ("cohort_id", "position", "code", "kind")),
            *(sa.column(name) for name in ("title_pl", "title_en", "starts_on", "ends_on")),
            sa.column("due_on", sa.Date),
        )
        days = {
            "ZW2": ("task", dt.date(2027, 2, 14)),
            "R12": ("report", dt.date(2028, 7, 15)),
            "ZW1": ("task", dt.date(2026, 10, 14)),
            "D2": ("advisory", None),
        }
        async with built.engine.begin() as connection:
            await connection.execute(
                COHORTS.insert().values(
                    id=1,
                    name="pilot",
                    start_date=dt.date(2026, 1, 1),
                    template_code="ore-2024",
                    template={},
                    created_at=clock.now(),
                )
            )
            for position, (code, (kind, due)) in enumerate(days.items(), start=1):
                await connection.execute(
                    steps.insert().values(
                        cohort_id=1,
                        position=position,
                        code=code,
                        kind=kind,
                        title_pl=code,
                        title_en=code,
                        starts_on=dt.date(2026, 1, 1),
                        ends_on=dt.date(2027, 2, 14),
                        due_on=due,
                    )
                )
        await upgrade(built.engine)
        async with built.engine.connect() as connection:
            found = await connection.execute(
                sa.text("SELECT code, due_on, ends_on FROM programme_steps ORDER BY position")
            )
            moved = {code: (_day(due), _day(end)) for code, due, end in found}
        assert moved == {
            "ZW2": (dt.date(2027, 2, 15), dt.date(2027, 2, 14)),
            "R12": (dt.date(2028, 7, 17), dt.date(2027, 2, 14)),
            "ZW1": (dt.date(2026, 10, 14), dt.date(2027, 2, 14)),
            "D2": (None, dt.date(2027, 2, 14)),
        }
    finally:
        await built.close()


def _day(value: dt.date | str | None) -> dt.date | None:
    """A date as SQLite (text) or PostgreSQL (a date) returns it from plain SQL."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _as_before_0010(template: ProgrammeTemplate) -> dict[str, Any]:
    """The shipped template as cohorts stored it before 0010: reports from the end of Z4, DP
    at the end of GP, no UPOW, no `starts` or `due_after`."""
    stored = template.model_dump(mode="json")
    stored["monitoring"].pop("starts")
    stored["monitoring"]["starts_at_end_of"] = "Z4"
    stored["task"] = [task for task in stored["task"] if task["code"] != "UPOW"]
    for task in stored["task"]:
        task.pop("due_after")
        if task["code"] == "DP":
            task["due_at_end_of"] = "GP"
    return stored


async def test_monitoring_is_planned_after_the_resolution_in_cohorts_stored_before(
    settings: Settings, clock: FixedClock
) -> None:
    """0010: an ore-2024 cohort stored with reports from the end of Z4 gets the shipped
    template and exactly the calendar a new cohort gets (reports from the month after the
    resolution's due date, DP a month after the last report, UPOW); a report already sent
    keeps its row and step; a cohort of another programme keeps its calendar, `starts =
    "phase"`."""
    shipped = load_template(default_template_path())
    start = dt.date(2026, 3, 15)
    built = Services.build(settings, clock)
    try:
        await upgrade(built.engine, "0007")
        before = _as_before_0010(shipped)
        old = template_from_dict(
            before | {"monitoring": before["monitoring"] | {"starts": "phase"}}
        )
        async with built.sessionmaker() as session, session.begin():
            for cohort_id, code in ((1, "ore-2024"), (2, "other-2025")):
                session.add(
                    Cohort(
                        id=cohort_id,
                        name=code,
                        start_date=start,
                        template_code=code,
                        template=before,
                        created_at=clock.now(),
                    )
                )
                await session.flush()
                session.add_all(
                    ProgrammeStep(cohort_id=cohort_id, **asdict(step))
                    for step in compute_calendar(old, start)
                )
            session.add(
                Jst(
                    id=1,
                    teryt="1210133",
                    name="Stary Sącz",
                    kind=JstKind.GMINA_MIEJSKA,
                    voivodeship="małopolskie",
                    cohort_id=1,
                    created_at=clock.now(),
                )
            )
            session.add(
                MonthlyReport(
                    jst_id=1,
                    step_code="R01",
                    state=ReportState.SUBMITTED,
                    answers={"progress": 4},
                    updated_at=clock.now(),
                )
            )
        await upgrade(built.engine)
        async with built.sessionmaker() as session:
            ore, other = await session.get_one(Cohort, 1), await session.get_one(Cohort, 2)
            found = {
                cohort_id: [
                    (s.position, s.code, s.kind, s.starts_on, s.ends_on, s.due_on, s.label_pl)
                    for s in await cohort_steps(session, cohort_id)
                ]
                for cohort_id in (1, 2)
            }
            report = await session.scalar(sa.select(MonthlyReport))
        assert template_from_dict(ore.template) == shipped
        assert found[1] == [
            (s.position, s.code, s.kind, s.starts_on, s.ends_on, s.due_on, s.label_pl)
            for s in compute_calendar(shipped, start)
        ]
        assert template_from_dict(other.template) == old
        assert found[2] == [
            (s.position, s.code, s.kind, s.starts_on, s.ends_on, s.due_on, s.label_pl)
            for s in compute_calendar(old, start)
        ]
        assert report is not None and (report.step_code, report.answers) == (
            "R01",
            {"progress": 4},
        )
    finally:
        await built.close()


async def test_the_self_assessment_reaches_ore_cohorts_started_before_it(
    settings: Settings, clock: FixedClock
) -> None:
    """0009: a cohort of "ore-2024" stored before the self-assessment existed gets the shipped
    file's; one of another programme gets none; the stored templates still validate."""
    shipped = load_template(default_template_path())
    before = shipped.model_dump(mode="json", exclude={"competences"})
    built = Services.build(settings, clock)
    try:
        await upgrade(built.engine, "0007")
        await _stored_cohorts(built, clock, before)
        await upgrade(built.engine)
        async with built.sessionmaker() as session:
            ore = await session.get_one(Cohort, 1)
            other = await session.get_one(Cohort, 2)
        assert template_from_dict(ore.template).competences == shipped.competences
        assert template_from_dict(other.template).competences is None
    finally:
        await built.close()
