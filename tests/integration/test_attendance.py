"""`advisorybot attendance import|mark` on SQLite and PostgreSQL: the list of signatures of a
training round, refused whole with every bad cell named, idempotent, audited; shown in /status."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import func, select

from core.services import Services
from storage.models import Attendance, AuditEntry, Gender, Role
from storage.team import team_view
from tests.support.cli_runs import invoke
from tests.support.programme_data import add_cohort, add_jst, add_person
from tests.support.team_files import write_xlsx

AT = dt.datetime(2026, 1, 10, 9, tzinfo=dt.UTC)
HEADER: list[object] = ["full_name", "email", "present"]


async def _seed(services: Services) -> dict[str, int]:
    """Cohort "pilot" (round F1 in January 2026) with Alfa's team, and Gamma's in "second"."""
    async with services.sessionmaker.begin() as session:
        pilot = await add_cohort(session, "pilot")
        second = await add_cohort(session, "second")
        alfa = await add_jst(session, pilot, "1401011", "Gmina Alfa")
        gamma = await add_jst(session, second, "0201011", "Gmina Gamma")
        people = {
            "anna": await add_person(session, "anna@example.pl", "Anna Nowak", jst=alfa),
            "bartek": await add_person(
                session, "bartek@example.pl", "Bartek Lis", jst=alfa, gender=Gender.MALE
            ),
            "celina": await add_person(session, "celina@example.pl", "Celina Wójcik", jst=alfa),
            "gosia": await add_person(session, "gosia@example.pl", "Gosia", jst=gamma),
            "dorota": await add_person(session, "dorota@example.pl", "Dorota", role=Role.ADVISER),
        }
        return {name: person.id for name, person in people.items()} | {"alfa": alfa.id}


async def _marks(services: Services) -> dict[int, bool]:
    async with services.sessionmaker() as session:
        rows = await session.scalars(select(Attendance).where(Attendance.step_code == "F1"))
        return {row.person_id: row.present for row in rows}


async def _audited(services: Services) -> int:
    async with services.sessionmaker() as session:
        count = await session.scalar(
            select(func.count()).where(AuditEntry.action == "attendance.recorded")
        )
        return int(count or 0)


async def test_the_list_of_signatures_is_recorded_once(services: Services, tmp_path: Path) -> None:
    ids = await _seed(services)
    signed = write_xlsx(
        tmp_path / "z1.xlsx",
        [
            HEADER,
            ["Anna Nowak", "Anna@Example.pl", "podpis"],
            ["Bartek Lis", "bartek@example.pl", None],
            ["Celina Wójcik", "celina@example.pl", "TAK"],
        ],
    )
    result = await invoke(services, "attendance", "import", "pilot", "F1", str(signed))
    assert result.exit_code == 0, result.output
    assert "present: 2, absent: 1" in result.output
    assert "new: 3, changed: 0, unchanged: 0" in result.output
    assert await _marks(services) == {ids["anna"]: True, ids["bartek"]: False, ids["celina"]: True}
    assert await _audited(services) == 3
    again = await invoke(services, "attendance", "import", "pilot", "F1", str(signed))
    assert "new: 0, changed: 0, unchanged: 3" in again.output
    assert await _audited(services) == 3, "nothing changed, nothing audited"
    async with services.sessionmaker() as session:
        view = await team_view(session, ids["alfa"], dt.date(2026, 3, 2))
    (round_one,) = view.attendance
    assert (round_one.code, round_one.attended) == ("F1", ("Anna Nowak", "Celina Wójcik"))


async def test_a_dry_run_writes_nothing(services: Services, tmp_path: Path) -> None:
    await _seed(services)
    signed = write_xlsx(tmp_path / "z1.xlsx", [HEADER, ["Anna", "anna@example.pl", "x"]])
    result = await invoke(
        services, "attendance", "import", "pilot", "F1", str(signed), "--dry-run"
    )
    assert result.exit_code == 0, result.output
    assert "Dry run" in result.output
    assert "2 members of the cohort's teams are not on the list" in result.output
    assert await _marks(services) == {}


async def test_every_bad_row_is_named_and_nothing_recorded(
    services: Services, tmp_path: Path
) -> None:
    await _seed(services)
    signed = write_xlsx(
        tmp_path / "z1.xlsx",
        [
            HEADER,
            ["Anna Nowak", "anna@example.pl", "tak"],
            ["Nieznana", "nikt@example.pl", "tak"],
            ["Gosia", "gosia@example.pl", "tak"],
            ["Dorota", "dorota@example.pl", "tak"],
            ["Bartek", "bartek@example.pl", "może"],
            ["Anna again", "anna@example.pl", "nie"],
            ["Zła", "anna@", "tak"],
        ],
    )
    result = await invoke(
        services, "attendance", "import", "pilot", "F1", str(signed), OPERATOR_LANGUAGE="pl"
    )
    assert result.exit_code == 2
    assert "Lista odrzucona, nic nie zapisano. Błędy (6):" in result.output
    for line in (
        "wiersz 3, kolumna email: nikogo z tym adresem e-mail nie zaimportowano",
        "wiersz 4, kolumna email: ta osoba należy do zespołu JST Gmina Gamma w edycji „second”",
        "wiersz 5, kolumna email: ta osoba nie jest członkiem zespołu JST (adviser)",
        "wiersz 6, kolumna present: nieznana wartość „może”",
        "wiersz 7, kolumna email: ta osoba jest już na liście w wierszu 2",
        "wiersz 8, kolumna email: niepoprawny adres e-mail „anna@”",
    ):
        assert line in result.output
    assert await _marks(services) == {}


async def test_a_file_without_the_columns_is_refused(services: Services, tmp_path: Path) -> None:
    await _seed(services)
    signed = write_xlsx(tmp_path / "z1.xlsx", [["email", "podpis"], ["anna@example.pl", "x"]])
    result = await invoke(services, "attendance", "import", "pilot", "F1", str(signed))
    assert result.exit_code == 2
    assert "row 1, column present: this column is missing" in result.output
    assert 'row 1, column B: unknown column "podpis"' in result.output


async def test_only_a_round_of_the_cohort_that_has_begun(
    services: Services, tmp_path: Path
) -> None:
    await _seed(services)
    signed = write_xlsx(tmp_path / "z1.xlsx", [HEADER, ["Anna", "anna@example.pl", "x"]])
    result = await invoke(services, "attendance", "import", "pilot", "ZW1", str(signed))
    assert result.exit_code == 2
    assert 'Cohort "pilot" has no training round ZW1 (its rounds: F1).' in result.output
    result = await invoke(services, "attendance", "import", "nowhere", "F1", str(signed))
    assert 'There is no cohort "nowhere"' in result.output


async def test_marking_by_hand(services: Services) -> None:
    ids = await _seed(services)
    result = await invoke(
        services, "attendance", "mark", "pilot", "F1", "anna@example.pl", "bartek@example.pl"
    )
    assert result.exit_code == 0, result.output
    result = await invoke(
        services, "attendance", "mark", "pilot", "F1", "bartek@example.pl", "--absent"
    )
    assert "new: 0, changed: 1, unchanged: 0" in result.output
    assert await _marks(services) == {ids["anna"]: True, ids["bartek"]: False}
    refused = await invoke(services, "attendance", "mark", "pilot", "F1", "gosia@example.pl")
    assert refused.exit_code == 2
    assert (
        'gosia@example.pl: this person belongs to the team of Gmina Gamma in cohort "second"'
        in (refused.output)
    )
