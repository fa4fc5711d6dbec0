"""Migrations run up from an empty database on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncConnection

from core.clock import FixedClock
from core.services import Services
from core.settings import Settings
from storage.migrate import current_revision, ensure_current, head_revision, upgrade
from storage.models import Base, Cohort
from storage.programme import default_template_path, load_template, template_from_dict


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


async def test_upgrade_from_empty_creates_every_table(services: Services) -> None:
    async with services.engine.connect() as connection:
        tables = await _tables(connection)
    assert set(Base.metadata.tables) <= tables
    assert await current_revision(services.engine) == head_revision(str(services.engine.url))
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
        cohorts = sa.table(
            "cohorts",
            *(sa.column(name) for name in ("id", "name", "start_date", "template_code")),
            sa.column("template", sa.JSON),
            sa.column("created_at", sa.DateTime(timezone=True)),
        )
        days = {
            "ZW2": ("task", dt.date(2027, 2, 14)),
            "R12": ("report", dt.date(2028, 7, 15)),
            "ZW1": ("task", dt.date(2026, 10, 14)),
            "D2": ("advisory", None),
        }
        async with built.engine.begin() as connection:
            await connection.execute(
                cohorts.insert().values(
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
