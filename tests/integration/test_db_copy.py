"""`advisorybot db copy`: a SQLite database with two cohorts' worth of content (the retention
walk's world: people, questions with files, answers, tasks handed in and returned, reports,
materials, outbox rows, audit entries) moved into an empty PostgreSQL one, checked row by row;
what cannot be moved is named by its table, row and column, and leaves PostgreSQL empty; the
password of either URL is never printed."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from typer.testing import Result

from core.services import Services
from storage.copy import in_key_order, tables
from storage.db import create_engine, create_sessionmaker
from storage.migrate import SCHEMA_REVISION
from storage.models import AuditEntry, Jst
from tests.support import postgres
from tests.support.cli_runs import invoke
from tests.support.retention_data import RetentionWorld, seed_retention
from tests.support.system import not_installed

PASSWORD = "Sekret-bazy-42"  # trust authentication: the test server accepts any
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


async def _admin(server: postgres.ThrowawayPostgres | str, statement: str) -> None:
    """As the server's superuser, on its `postgres` database or on the one of this URL."""
    url = server if isinstance(server, str) else server.admin_url
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def _database(
    server: postgres.ThrowawayPostgres | None, suffix: str, template: str | None
) -> AsyncIterator[str]:
    """A PostgreSQL database of this test's, its URL with a password; dropped after."""
    if server is None:
        not_installed("PostgreSQL")
    name = f"copy_{suffix}_{uuid.uuid4().hex[:12]}"
    from_template = f' TEMPLATE "{template}"' if template else ""
    await _admin(server, f'CREATE DATABASE "{name}"{from_template}')
    yield make_url(server.url(name)).set(password=PASSWORD).render_as_string(hide_password=False)
    await _admin(server, f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture
async def target(
    postgres_server: postgres.ThrowawayPostgres | None, migrated_postgres: str | None
) -> AsyncIterator[str]:
    """An empty PostgreSQL database at the schema's head."""
    async for url in _database(postgres_server, "head", migrated_postgres):
        yield url


@pytest.fixture
async def world(services: Services) -> RetentionWorld:
    return await seed_retention(services)


async def _copy(services: Services, target: str) -> Result:
    source = services.settings.database_url
    await services.engine.dispose()  # the copy reads the file; no connection of ours left open
    return await invoke(services, "db", "copy", "--from", source, "--to", target)


async def _contents(engine: AsyncEngine) -> dict[str, list[Any]]:
    """Every table's rows, by primary key, as the models read them."""
    found = {}
    async with engine.connect() as connection:
        for table in tables():
            rows = await connection.execute(in_key_order(table, connection))
            found[table.name] = [tuple(row) for row in rows]
    return found


async def _row_count(url: str) -> int:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            counts = [
                await connection.scalar(select(func.count()).select_from(t)) for t in tables()
            ]
    finally:
        await engine.dispose()
    return sum(count or 0 for count in counts)


async def test_every_row_of_every_table_arrives_equal(
    services: Services, world: RetentionWorld, target: str
) -> None:
    result = await _copy(services, target)
    assert result.exit_code == 0, result.output
    assert (
        "Every row of every table, read back from PostgreSQL, equals its original" in result.output
    )
    assert PASSWORD not in result.output
    source, copy = create_engine(services.settings.database_url), create_engine(target)
    try:
        originals, copies = await _contents(source), await _contents(copy)
        assert copies == originals
        assert len(originals["questions"]) >= 2 and len(originals["outbox"]) >= 5
        total = sum(len(rows) for rows in originals.values())
        assert f"Copied {total} rows of {len(originals)} tables" in result.output
        async with create_sessionmaker(copy).begin() as session:
            # the data versions came as they were, not moved on by the copy's own inserts
            versions = dict((await session.execute(select(Jst.id, Jst.data_version))).all())
            assert versions == {row[0]: row[-1] for row in originals["jsts"]}
            # the sequences are past the copied ids, and the triggers are back on
            entry = AuditEntry(
                at=services.clock.now(),
                actor="tests",
                action="x",
                entity="jst",
                entity_id=None,
                details={},
            )
            session.add(entry)
            warszawa = world.ids["warszawa"]
            await session.execute(update(Jst).where(Jst.id == warszawa).values(name="Warszawa 2"))
        assert entry.id > max(row[0] for row in originals["audit_log"])
        async with copy.connect() as connection:
            moved = await connection.scalar(select(Jst.data_version).where(Jst.id == warszawa))
        assert moved is not None and moved > versions[warszawa]
    finally:
        await source.dispose()
        await copy.dispose()


async def test_the_configured_database_is_the_default_target(
    services: Services, world: RetentionWorld, target: str
) -> None:
    """DATABASE_URL and DATABASE_PASSWORD (a secret file in compose) name the target."""
    source = services.settings.database_url
    url = make_url(target)
    await services.engine.dispose()
    result = await invoke(
        services,
        "db",
        "copy",
        "--from",
        source,
        DATABASE_URL=url.set(password=None).render_as_string(hide_password=False),
        DATABASE_PASSWORD=PASSWORD,
    )
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert await _row_count(target) == await _row_count(source)


async def test_a_database_with_rows_is_refused_and_left_as_it_was(
    services: Services, world: RetentionWorld, target: str
) -> None:
    assert (await _copy(services, target)).exit_code == 0
    before = await _row_count(target)
    again = await _copy(services, target)
    assert again.exit_code == 2
    assert "The PostgreSQL database is not empty (table " in again.output
    assert "Nothing was changed." in again.output
    assert PASSWORD not in again.output
    assert await _row_count(target) == before


async def test_a_database_without_the_schema_is_refused(
    services: Services, world: RetentionWorld, postgres_server: postgres.ThrowawayPostgres | None
) -> None:
    async for bare in _database(postgres_server, "bare", None):
        result = await _copy(services, bare)
        assert result.exit_code == 2
        assert result.output.strip() == (
            "The PostgreSQL database's schema is not current "
            f"(found: empty, needed: {SCHEMA_REVISION}). "
            "First run advisorybot db upgrade on it (DATABASE_URL set to that database)."
        )


async def _spoil(services: Services, statement: str, **values: Any) -> None:
    """Write into the SQLite file past the models' types, as an older version or a hand
    could have."""
    async with services.engine.begin() as connection:
        await connection.execute(text(statement), values)


@pytest.mark.parametrize(
    ("statement", "said"),
    [
        (
            # SQLite keeps U+0000; storage writes U+FFFD for it (storage/nul_free.py)
            "UPDATE questions SET text = 'przed' || char(0) || 'po' WHERE id = :question",
            "A row of table questions (id={question}) read back from PostgreSQL differs from "
            "its original in column text. Nothing was copied;",
        ),
        (
            # SQLite never checks a VARCHAR's length; PostgreSQL does
            "UPDATE questions SET source_key = printf('%.150c', 'x') WHERE id = :question",
            "PostgreSQL refused a row of table questions (id={question}): value too long for "
            "type character varying(100). Nothing was copied;",
        ),
    ],
)
async def test_a_row_postgresql_cannot_hold_is_named_and_nothing_is_copied(
    services: Services, world: RetentionWorld, target: str, statement: str, said: str
) -> None:
    question = world.ids["later_question"]
    await _spoil(services, statement, question=question)
    source_rows = await _row_count(services.settings.database_url)
    result = await _copy(services, target)
    assert result.exit_code == 2
    assert said.format(question=question) in result.output
    assert PASSWORD not in result.output
    assert await _row_count(target) == 0
    assert await _row_count(services.settings.database_url) == source_rows


async def test_urls_checked_before_anything_is_opened(
    services: Services, tmp_path: Path, target: str
) -> None:
    source = services.settings.database_url
    missing = f"sqlite+aiosqlite:///{tmp_path / 'none.db'}"
    cases = [
        (target, target, "--from: expected a SQLite database URL"),
        (missing, target, f"--from: there is no SQLite database file {tmp_path}"),
        (source, source, "--to (by default DATABASE_URL): expected a PostgreSQL database URL"),
        (source, "not a url", "--to: not a database URL"),
    ]
    for copy_from, copy_to, said in cases:
        result = await invoke(services, "db", "copy", "--from", copy_from, "--to", copy_to)
        assert result.exit_code == 2
        assert result.output.startswith(said), result.output
        assert PASSWORD not in result.output
    assert not (tmp_path / "none.db").exists()


async def test_an_unreachable_server_is_one_line_without_the_password(
    services: Services,
) -> None:
    closed = f"postgresql+asyncpg://advisorybot:{PASSWORD}@127.0.0.1:9/advisorybot"
    result = await _copy(services, closed)
    assert result.exit_code == 2
    assert result.output.startswith("Cannot connect to the database (")
    assert len(result.output.strip().splitlines()) == 1
    assert PASSWORD not in result.output


async def test_a_user_that_does_not_own_the_tables_is_told_in_one_line(
    services: Services,
    world: RetentionWorld,
    target: str,
    postgres_server: postgres.ThrowawayPostgres | None,
) -> None:
    assert postgres_server is not None  # `target` skipped otherwise
    role = f"reader_{uuid.uuid4().hex[:8]}"
    await _admin(postgres_server, f'CREATE ROLE "{role}" LOGIN')
    as_owner = make_url(target).set(username="postgres").render_as_string(False)
    await _admin(as_owner, f'GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO "{role}"')
    try:
        result = await _copy(services, make_url(target).set(username=role).render_as_string(False))
        assert result.exit_code == 2
        assert result.output.startswith("The copy stopped: must be owner of table ")
        assert len(result.output.strip().splitlines()) == 1
        assert PASSWORD not in result.output
        assert await _row_count(target) == 0
    finally:
        await _admin(as_owner, f'DROP OWNED BY "{role}"')
        await _admin(postgres_server, f'DROP ROLE "{role}"')
