"""`advisorybot backup` and `restore` on both databases: a state with work under way (a pending
outbox row, a question's draft, a forwarded question whose adviser copy is linked) comes back
row by row into an empty database; what is not empty is refused; no password is shown. The bot
carrying on after a restore, through the real process: tests/e2e/test_backup.py."""

from __future__ import annotations

import datetime as dt
import stat
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from core.services import Services
from notices.questions import send_question
from storage.db import create_engine, create_sessionmaker
from storage.forms import current_form
from storage.migrate import SCHEMA_REVISION
from storage.models import Base, MessageLink, OutboxMessage, OutboxState, Person
from storage.questions.drafts import start_draft
from storage.questions.threads import Part, linked_question, load_thread, open_question
from tests.support import postgres
from tests.support.backup_data import new_postgres_database, pg_bin
from tests.support.cli_runs import invoke
from tests.support.task_data import seed_teams

START = dt.date(2026, 1, 1)
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
ANNA_CHAT, JAN_CHAT, CELINA_CHAT = 8001, 8005, 8003
FORWARDED_MESSAGE = 501  # the adviser's copy of the first question, in Jan's chat
PASSWORD = "Haslo-do-bazy-9f3k"


@pytest.fixture
async def empty_twin(
    database_url: str, tmp_path: Path, postgres_server: postgres.ThrowawayPostgres | None
) -> AsyncIterator[str]:
    """An empty database of the same kind as the test's, to restore into."""
    if database_url.startswith("sqlite"):
        yield f"sqlite+aiosqlite:///{tmp_path / 'restored.db'}"
        return
    assert postgres_server is not None
    async with new_postgres_database(postgres_server) as url:
        yield url


async def _work_under_way(services: Services) -> dict[str, int]:
    """Anna's first question forwarded to Jan (his copy linked), her second one committed and
    its receipt and forward still queued, and Celina's question half-written (a draft)."""
    ids = await seed_teams(services, START)
    async with services.sessionmaker.begin() as session:
        for name, chat in (("anna", ANNA_CHAT), ("jan", JAN_CHAT), ("celina", CELINA_CHAT)):
            person = await session.get_one(Person, ids[name])
            person.telegram_user_id = person.telegram_chat_id = chat
        first, second = [
            (
                await open_question(
                    session,
                    asker_id=ids["anna"],
                    parts=[Part(ANNA_CHAT, message_id, text)],
                    source_key=f"tg:{ANNA_CHAT}:{message_id}",
                    now=NOW,
                    today=NOW.date(),
                )
            ).question
            for message_id, text in ((11, "Jak wypełnić arkusz diagnozy?"), (12, "Kiedy debata?"))
        ]
        session.add(
            MessageLink(chat_id=JAN_CHAT, message_id=FORWARDED_MESSAGE, question_id=first.id)
        )
        await send_question(
            session, services, await load_thread(session, second.id), now=NOW, today=NOW.date()
        )
        await start_draft(session, ids["celina"], [Part(CELINA_CHAT, 21, "Czy szkolenie")], NOW)
    return ids | {"first": first.id, "second": second.id}


async def _every_row(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            found = {}
            for table in Base.metadata.sorted_tables:
                order = list(table.primary_key.columns)
                rows = await connection.execute(select(table).order_by(*order))
                found[table.name] = [tuple(row) for row in rows]
            return found
    finally:
        await engine.dispose()


async def test_a_backup_restored_into_an_empty_database_holds_the_work_under_way(
    services: Services, empty_twin: str, tmp_path: Path
) -> None:
    ids = await _work_under_way(services)
    backup = tmp_path / "advisorybot.backup"

    source = services.settings.database_url
    written = await invoke(services, "backup", "--out", str(backup), **_env(source))
    assert written.exit_code == 0, written.output
    assert (
        f"Backup written to {backup}" in written.output
        and f"schema revision {SCHEMA_REVISION}" in written.output
    )
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600, "a backup is its owner's to read"
    restored = await invoke(services, "restore", str(backup), **_env(empty_twin))
    assert restored.exit_code == 0, restored.output
    assert "the bot can be started" in restored.output

    before, after = await _every_row(source), await _every_row(empty_twin)
    assert after == before, "every table comes back row by row"
    assert before["outbox"] and before["forms"] and before["message_links"]
    engine = create_engine(empty_twin)
    try:
        async with create_sessionmaker(engine).begin() as session:
            assert await linked_question(session, JAN_CHAT, FORWARDED_MESSAGE) == ids["first"]
            draft = await current_form(session, ids["celina"])
            assert draft is not None and "Czy szkolenie" in str(draft.data)
            queued = await session.scalars(
                select(OutboxMessage.dedupe_key).where(OutboxMessage.state == OutboxState.PENDING)
            )
            assert f"question:{ids['second']}:to:{ids['jan']}:0" in set(queued)
    finally:
        await engine.dispose()


async def test_a_database_that_is_not_empty_is_refused_unless_forced(
    services: Services, tmp_path: Path
) -> None:
    ids = await seed_teams(services, START)
    url = _with_password(services.settings.database_url)
    backup = tmp_path / "advisorybot.backup"
    written = await invoke(services, "backup", "--out", str(backup), **_env(url))
    assert written.exit_code == 0 and PASSWORD not in written.output, written.output
    again = await invoke(services, "backup", "--out", str(backup), **_env(url))
    assert again.exit_code == 2 and "exists already" in again.output, "never overwrites"
    at_backup = await _every_row(url)
    async with services.sessionmaker.begin() as session:  # a change after the backup
        await start_draft(session, ids["anna"], [Part(ANNA_CHAT, 31, "Po kopii")], NOW)

    refused = await invoke(services, "restore", str(backup), **_env(url))
    assert refused.exit_code == 2 and "is not empty" in refused.output
    assert PASSWORD not in refused.output
    forced = await invoke(services, "restore", "--force", str(backup), **_env(url))
    assert forced.exit_code == 0 and PASSWORD not in forced.output, forced.output
    assert await _every_row(url) == at_backup, "the database is as the backup left it"


def _with_password(url: str) -> str:
    """PostgreSQL's URL with a password (the test server trusts any): it is never shown."""
    return url.replace("postgres@", f"postgres:{PASSWORD}@") if "postgresql" in url else url


def _env(url: str) -> dict[str, str | None]:
    return {"DATABASE_URL": url, "PG_BIN_DIR": pg_bin()}


async def test_a_file_that_is_not_a_backup_is_refused_and_nothing_is_restored(
    services: Services, empty_twin: str, tmp_path: Path
) -> None:
    other = tmp_path / "notes.txt"
    other.write_text("nie kopia", encoding="utf-8")
    refused = await invoke(services, "restore", str(other), DATABASE_URL=empty_twin)
    assert refused.exit_code == 2 and "is not a backup" in refused.output


async def test_an_empty_database_is_not_backed_up_and_sqlite_needs_no_tool(
    services: Services, empty_twin: str, tmp_path: Path
) -> None:
    """No tables: DATABASE_URL points at the wrong place. Without pg_dump (PG_BIN_DIR a folder
    without it): PostgreSQL says what is missing; SQLite needs nothing outside Python."""
    empty = await invoke(
        services, "backup", "--out", str(tmp_path / "a.backup"), **_env(empty_twin)
    )
    assert empty.exit_code == 2 and "holds nothing to back up" in empty.output
    assert not (tmp_path / "a.backup").exists() and not (tmp_path / "a.backup.partial").exists()

    no_tools = tmp_path / "bin"
    no_tools.mkdir()
    out = tmp_path / "b.backup"
    source = services.settings.database_url
    found = await invoke(
        services, "backup", "--out", str(out), **(_env(source) | {"PG_BIN_DIR": str(no_tools)})
    )
    if source.startswith("sqlite"):
        assert found.exit_code == 0 and out.exists(), found.output
    else:
        assert found.exit_code == 2 and "pg_dump was not found" in found.output
        assert not out.exists()
