"""`advisorybot import` on SQLite and PostgreSQL: idempotent, updates in place, refuses whole."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import func, inspect, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import Result

from core.services import Services
from storage.erasure import erase_person
from storage.models import (
    AdviserAssignment,
    AuditEntry,
    Base,
    Cohort,
    Gender,
    Jst,
    Person,
)
from tests.support.cli_runs import invoke
from tests.support.team_files import DATA, write_xlsx

TEAMS, EDITED, BAD = DATA / "teams.csv", DATA / "teams_edited.csv", DATA / "teams_bad.csv"
TABLES = ("cohorts", "jsts", "people", "adviser_assignments", "audit_log", "task_progress")
Snapshot = dict[str, list[tuple[Any, ...]]]


async def add_cohort(services: Services, name: str = "pilot") -> None:
    async with services.sessionmaker.begin() as session:
        session.add(
            Cohort(
                name=name,
                start_date=dt.date(2026, 3, 2),
                template_code="test",
                template={},
                created_at=services.clock.now(),
            )
        )


async def import_file(
    services: Services, path: Path, *extra: str, lang: str = "pl", cohort: str = "pilot"
) -> Result:
    arguments = ("import", str(path), "--cohort", cohort, *extra)
    return await invoke(services, *arguments, OPERATOR_LANGUAGE=lang)


async def snapshot(services: Services) -> Snapshot:
    """Every row of the tables an import may touch, to prove nothing was written."""
    async with services.sessionmaker() as session:
        result: Snapshot = {}
        for name in TABLES:
            table = Base.metadata.tables[name]
            rows = await session.execute(select(table).order_by(table.c.id))
            result[name] = [tuple(row) for row in rows]
        return result


def values(row: Base) -> tuple[Any, ...]:
    return tuple(getattr(row, column.key) for column in inspect(row).mapper.column_attrs)


async def person(services: Services, email: str) -> Person:
    async with services.sessionmaker() as session:
        return (await session.scalars(select(Person).where(Person.email == email))).one()


async def person_id(session: AsyncSession, email: str) -> int:
    found = await session.scalar(select(Person.id).where(Person.email == email))
    assert found is not None
    return found


async def adviser_of(services: Services, teryt: str) -> tuple[str, int | None]:
    async with services.sessionmaker() as session:
        assignment = await session.scalar(
            select(AdviserAssignment).join(Jst).where(Jst.teryt == teryt)
        )
        assert assignment is not None
        adviser = await session.get_one(Person, assignment.adviser_id)
        return adviser.email, assignment.substitute_id


async def test_import_then_reimport_changes_nothing(services: Services) -> None:
    await add_cohort(services)
    first = await import_file(services, TEAMS)
    assert first.exit_code == 0, first.output
    assert "JST: nowe: 3, zmienione: 0, bez zmian: 0" in first.stdout
    assert "osoby: nowe: 9, zmienione: 0, bez zmian: 0" in first.stdout
    assert "przypisania doradców: nowe: 3, zmienione: 0, bez zmian: 0" in first.stdout
    after_first = await snapshot(services)
    # 16 audit entries: 3 JSTs, 9 people, 3 assignments, the coordinator covering "pilot"
    assert [len(after_first[name]) for name in TABLES] == [1, 3, 9, 3, 16, 0]
    assert (await person(services, "anna.nowak@example.pl")).full_name == "Anna Nowak"

    again = await import_file(services, TEAMS)
    assert again.exit_code == 0, again.output
    assert "osoby: nowe: 0, zmienione: 0, bez zmian: 9" in again.stdout
    assert await snapshot(services) == after_first


async def test_xlsx_of_the_same_teams_changes_nothing(services: Services, tmp_path: Path) -> None:
    """Numeric TERYT cells (Excel drops leading zeros) still match the JSTs imported from CSV."""
    await add_cohort(services)
    assert (await import_file(services, TEAMS)).exit_code == 0
    before = await snapshot(services)
    with TEAMS.open(encoding="utf-8") as stream:
        lines: list[list[object]] = [list(line) for line in csv.reader(stream, delimiter=";")]
    for line in lines[1:]:
        line[0] = int(str(line[0])) if line[0] else None
    write_xlsx(tmp_path / "teams.xlsx", lines)

    result = await import_file(services, tmp_path / "teams.xlsx")
    assert result.exit_code == 0, result.output
    assert "JST: nowe: 0, zmienione: 0, bez zmian: 3" in result.stdout
    assert await snapshot(services) == before


async def test_edited_file_updates_people_without_duplicates(services: Services) -> None:
    await add_cohort(services)
    assert (await import_file(services, TEAMS)).exit_code == 0
    async with services.sessionmaker.begin() as session:
        substitute = await person_id(session, "koordynacja@example.pl")
        for teryt in ("1465011", "1201"):
            jst_id = select(Jst.id).where(Jst.teryt == teryt).scalar_subquery()
            await session.execute(
                update(AdviserAssignment)
                .where(AdviserAssignment.jst_id == jst_id)
                .values(
                    substitute_id=substitute,
                    substitute_from=dt.date(2026, 7, 1),
                    substitute_until=dt.date(2026, 7, 31),
                )
            )
    edward_before = await person(services, "edward.kaminski@example.pl")
    jan_before = await person(services, "jan.kowalski@example.pl")
    anna_before = await person(services, "anna.nowak@example.pl")
    audit_before = len((await snapshot(services))["audit_log"])

    result = await import_file(services, EDITED)
    assert result.exit_code == 0, result.output
    assert "JST: nowe: 0, zmienione: 0, bez zmian: 3" in result.stdout
    assert "osoby: nowe: 1, zmienione: 3, bez zmian: 4" in result.stdout
    assert "przypisania doradców: nowe: 0, zmienione: 1, bez zmian: 2" in result.stdout
    assert "Osoby z bazy, których nie ma w pliku (bez zmian): 2." in result.stdout

    state = await snapshot(services)
    assert len(state["people"]) == 10
    assert len(state["jsts"]) == 3
    anna = await person(services, "anna.nowak@example.pl")
    assert anna.full_name == "Anna Nowak-Kowalska"
    assert anna.updated_at > anna_before.updated_at
    assert anna.created_at == anna_before.created_at
    assert (await person(services, "bartosz.wisniewski@example.pl")).gender is Gender.FEMALE
    celina = await person(services, "celina.wojcik@example.pl")
    async with services.sessionmaker() as session:
        assert celina.jst_id == await session.scalar(select(Jst.id).where(Jst.teryt == "0201022"))
    assert values(await person(services, "edward.kaminski@example.pl")) == values(edward_before)
    assert values(await person(services, "jan.kowalski@example.pl")) == values(jan_before)
    assert (await adviser_of(services, "1201")) == ("marek.mazur@example.pl", None)
    kept_email, kept_substitute = await adviser_of(services, "1465011")
    assert kept_email == "jan.kowalski@example.pl"
    assert kept_substitute is not None

    actions = [row[3] for row in state["audit_log"][audit_before:]]
    assert sorted(actions) == [
        "assignment.updated",
        "person.created",
        "person.updated",
        "person.updated",
        "person.updated",
    ]
    assert {row[2].split(":")[0] for row in state["audit_log"]} == {"operator"}

    again = await import_file(services, EDITED)
    assert again.exit_code == 0, again.output
    assert await snapshot(services) == state


async def test_bad_file_is_refused_whole(services: Services) -> None:
    await add_cohort(services)
    assert (await import_file(services, TEAMS)).exit_code == 0
    before = await snapshot(services)

    result = await import_file(services, BAD)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert lines[0] == "Plik odrzucony, nic nie zaimportowano. Błędy (18):"
    problems = [line.strip() for line in lines[1:]]
    assert len(problems) == 18
    assert problems[0] == "wiersz 2, kolumna email: niepoprawny adres e-mail „anna.nowak@”"
    assert all(line.startswith("wiersz ") and ", kolumna " in line for line in problems)
    rows = [int(line.split(",")[0].removeprefix("wiersz ")) for line in problems]
    assert rows == sorted(rows)
    assert await snapshot(services) == before


async def test_english_operator_gets_row_and_column_lines(services: Services) -> None:
    await add_cohort(services)
    result = await import_file(services, BAD, lang="en")
    assert result.exit_code == 2
    assert "row 2, column email: invalid e-mail address" in result.stderr
    assert "row 10, column role: JST 2201011 has no adviser" in result.stderr


async def test_dry_run_writes_nothing(services: Services) -> None:
    await add_cohort(services)
    empty = await snapshot(services)
    result = await import_file(services, TEAMS, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "nic nie zapisano" in result.stdout
    assert "osoby: nowe: 9, zmienione: 0, bez zmian: 0" in result.stdout
    assert await snapshot(services) == empty

    assert (await import_file(services, TEAMS)).exit_code == 0
    imported = await snapshot(services)
    edited = await import_file(services, EDITED, "--dry-run", lang="en")
    assert edited.exit_code == 0, edited.output
    assert "people: new: 1, changed: 3, unchanged: 4" in edited.stdout
    assert await snapshot(services) == imported


async def test_jst_of_another_cohort_is_refused(services: Services) -> None:
    await add_cohort(services)
    await add_cohort(services, "second")
    assert (await import_file(services, TEAMS)).exit_code == 0
    before = await snapshot(services)
    result = await invoke(
        services, "import", str(TEAMS), "--cohort", "second", OPERATOR_LANGUAGE="pl"
    )
    assert result.exit_code == 2
    assert "wiersz 2, kolumna jst_teryt: ta JST należy już do edycji „pilot”" in result.stderr
    assert await snapshot(services) == before


async def test_person_erased_on_request_is_not_brought_back(services: Services) -> None:
    await add_cohort(services)
    assert (await import_file(services, TEAMS)).exit_code == 0
    async with services.sessionmaker.begin() as session:
        now = services.clock.now()
        await erase_person(session, "anna.nowak@example.pl", now, now.date(), actor="operator")
    before = await snapshot(services)
    result = await import_file(services, TEAMS, lang="en")
    assert result.exit_code == 2
    assert "row 2, column email: this person's data was erased at their request" in result.stderr
    assert await snapshot(services) == before


async def test_warnings_are_printed_but_do_not_refuse(services: Services, tmp_path: Path) -> None:
    await add_cohort(services)
    lines = TEAMS.read_text(encoding="utf-8").splitlines()
    member = lines[1]
    extra = [member.replace("Anna.Nowak", f"nowa{number}") for number in range(2)]
    path = tmp_path / "big.csv"
    path.write_text("\n".join([*lines[:2], *extra, *lines[2:]]) + "\n", encoding="utf-8")
    result = await import_file(services, path)
    assert result.exit_code == 0, result.output
    assert "Ostrzeżenia (3):" in result.stdout  # and the file's 1- and 2-person teams
    assert (
        "wiersz 2, kolumna role: zespół JST 1465011 ma 5 osób, a karta projektu przewiduje"
        " zespoły 3–4-osobowe (zaimportowano mimo to)" in result.stdout
    )
    async with services.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Person)) == 11


async def test_unknown_cohort_and_unreadable_file(services: Services, tmp_path: Path) -> None:
    result = await import_file(services, TEAMS)
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "Nie ma edycji „pilot”. Najpierw ją utwórz: advisorybot cohort add"
    )
    missing = await import_file(services, tmp_path / "nope.csv", lang="en")
    assert missing.exit_code == 2
    assert missing.stderr.strip() == f"There is no file {tmp_path / 'nope.csv'}."
    legacy = tmp_path / "teams.csv"
    legacy.write_bytes(TEAMS.read_text(encoding="utf-8").encode("cp1250"))
    not_utf8 = await import_file(services, legacy)
    assert not_utf8.exit_code == 2
    assert "nie jest zapisany w UTF-8 (może w Windows-1250?)" in not_utf8.stderr
    async with services.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(AuditEntry)) == 0


async def test_installed_console_script(services: Services) -> None:
    await add_cohort(services)
    script = Path(sys.executable).parent / "advisorybot"
    env = os.environ | {
        "DATABASE_URL": services.settings.database_url,
        "OPERATOR_LANGUAGE": "en",
    }
    command = [str(script), "import", str(TEAMS), "--cohort", "pilot"]
    done = await asyncio.to_thread(
        subprocess.run, command, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert 'Imported into cohort "pilot":' in done.stdout
    assert "people: new: 9, changed: 0, unchanged: 0" in done.stdout
