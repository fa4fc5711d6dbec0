"""`advisorybot import` refuses alike on SQLite and PostgreSQL: control characters, invisible
names and files over IMPORT_MAX_ROWS, each with one clear line and nothing written."""

from __future__ import annotations

from pathlib import Path

from typer.testing import Result

from core.services import Services
from tests.integration.test_import import TEAMS, add_cohort, import_file, snapshot
from tests.support.cli_runs import invoke

NUL_NAME = "Bartosz\x00Wiśniewski"
INVISIBLE_NAME = "\u200b\u200c\u200d\u2060\ufeff\u00ad "


async def _import(services: Services, *extra: str, **env: str) -> Result:
    arguments = ("import", str(TEAMS), "--cohort", "pilot", *extra)
    return await invoke(services, *arguments, OPERATOR_LANGUAGE="pl", **env)


def _teams_with(tmp_path: Path, old: str, new: str) -> Path:
    path = tmp_path / "teams.csv"
    text = TEAMS.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


async def test_a_nul_in_a_name_is_a_bad_cell_on_both_databases(
    services: Services, tmp_path: Path
) -> None:
    """It passed the checks and then crashed the import on PostgreSQL (SQLite stored it)."""
    await add_cohort(services)
    empty = await snapshot(services)
    result = await import_file(services, _teams_with(tmp_path, "Bartosz Wiśniewski", NUL_NAME))
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().splitlines() == [
        "Plik odrzucony, nic nie zaimportowano. Błędy (1):",
        "  wiersz 3, kolumna full_name: niewidoczny znak sterujący U+0000, niedozwolony "
        "(wpisz tę wartość od nowa)",
    ]
    assert await snapshot(services) == empty


async def test_a_name_of_invisible_characters_is_empty(services: Services, tmp_path: Path) -> None:
    await add_cohort(services)
    empty = await snapshot(services)
    path = _teams_with(tmp_path, "Bartosz Wiśniewski", INVISIBLE_NAME)
    result = await import_file(services, path, lang="en")
    assert result.exit_code == 2, result.output
    assert "  row 3, column full_name: empty, but required" in result.stderr.splitlines()
    assert await snapshot(services) == empty


async def test_a_file_over_import_max_rows_is_refused_with_one_line(services: Services) -> None:
    """The issue's 200,000-row dry run took 489 s and 872 MB before it said anything."""
    await add_cohort(services)
    empty = await snapshot(services)
    refused = await _import(services, "--dry-run", IMPORT_MAX_ROWS="9")
    assert refused.exit_code == 2, refused.output
    assert refused.stderr.strip() == (
        "Plik ma więcej niż 9 wierszy z danymi (IMPORT_MAX_ROWS): nic nie zaimportowano. "
        "Podziel go na mniejsze pliki albo zwiększ IMPORT_MAX_ROWS."
    )
    assert await snapshot(services) == empty
    imported = await _import(services, IMPORT_MAX_ROWS="10")
    assert imported.exit_code == 0, imported.output
