"""Cohorts on SQLite and PostgreSQL: the domain functions and the `cohort` CLI."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from dataclasses import asdict, fields
from itertools import accumulate
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner, Result

from bot.cli import app
from core.services import Services
from storage.cohorts import CohortRefused, add_cohort, cohort_steps, find_cohort, list_cohorts
from storage.models import AuditEntry, ProgrammeStep
from storage.programme import default_template_path, load_template
from storage.programme_calendar import CalendarStep, compute_calendar
from storage.programme_errors import TemplateError

START = dt.date(2026, 3, 15)
PHASE_MONTHS = [3, 1, 3, 1, 3, 1, 2, 1, 3, 1, 6, 1, 1]


def _fields(step: ProgrammeStep) -> dict[str, object]:
    """A stored step's calendar fields, as `asdict` gives them for a CalendarStep."""
    return {field.name: getattr(step, field.name) for field in fields(CalendarStep)}


def _bad_template(tmp_path: Path) -> tuple[Path, int]:
    """The shipped template with the ADOPT phase's months set to 0, and that line."""
    lines = default_template_path().read_text(encoding="utf-8").splitlines()
    header = lines.index('code = "ADOPT"')
    line = next(n for n in range(header, len(lines)) if lines[n].startswith("months ="))
    lines[line] = "months = 0"
    path = tmp_path / "bad.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path, line + 1


async def test_add_cohort_stores_the_calendar(services: Services) -> None:
    now = services.clock.now()
    async with services.sessionmaker.begin() as session:
        cohort = await add_cohort(
            session, " pilot ", START, default_template_path(), now=now, actor="operator"
        )
    async with services.sessionmaker() as session:
        stored = await find_cohort(session, "pilot")
        assert stored is not None
        steps = await cohort_steps(session, stored.id)
        audit = list(await session.scalars(select(AuditEntry)))
    assert stored.id == cohort.id
    assert (stored.start_date, stored.template_code, stored.created_at) == (START, "ore-2024", now)
    assert stored.template["indicators"] == {"people": 150, "women": 105, "men": 45, "jsts": 50}
    expected = compute_calendar(load_template(default_template_path()), START)
    assert [_fields(step) for step in steps] == [asdict(step) for step in expected]
    assert [(a.action, a.entity_id, a.details["name"]) for a in audit] == [
        ("cohort.add", cohort.id, "pilot")
    ]


async def test_refusals_store_nothing(services: Services, tmp_path: Path) -> None:
    now = services.clock.now()
    path = default_template_path()
    async with services.sessionmaker.begin() as session:
        await add_cohort(session, "pilot", START, path, now=now, actor="operator")
    bad_path, line = _bad_template(tmp_path)
    attempts = [("pilot", path, "exists"), ("", path, "bad_name"), ("x" * 101, path, "bad_name")]
    for name, template, reason in attempts:
        with pytest.raises(CohortRefused) as refused:
            async with services.sessionmaker.begin() as session:
                await add_cohort(session, name, START, template, now=now, actor="operator")
        assert refused.value.reason == reason
    with pytest.raises(TemplateError) as invalid:
        async with services.sessionmaker.begin() as session:
            await add_cohort(session, "second", START, bad_path, now=now, actor="operator")
    assert (invalid.value.line, invalid.value.reason) == (line, "not_positive")
    async with services.sessionmaker() as session:
        assert [c.name for c in await list_cohorts(session)] == ["pilot"]


async def test_list_cohorts_earliest_first(services: Services) -> None:
    now = services.clock.now()
    async with services.sessionmaker.begin() as session:
        for name, start in [("b", dt.date(2027, 1, 1)), ("a", START), ("c", START)]:
            await add_cohort(session, name, start, default_template_path(), now=now, actor="t")
    async with services.sessionmaker() as session:
        assert [c.name for c in await list_cohorts(session)] == ["a", "c", "b"]


def _cli(database_url: str, *args: str, lang: str = "pl") -> Result:
    env = {"DATABASE_URL": database_url, "OPERATOR_LANGUAGE": lang}
    return CliRunner().invoke(app, list(args), env=env)


@pytest.fixture
def migrated(database_url: str) -> str:
    """The database URL after `advisorybot db upgrade`."""
    assert _cli(database_url, "db", "upgrade").exit_code == 0
    return database_url


def test_cli_add_show_list(migrated: str) -> None:
    added = _cli(migrated, "cohort", "add", "pilot", "--start", "2026-03-15")
    assert added.exit_code == 0, added.output
    assert "Dodano edycję „pilot”" in added.output
    assert "15 marca 2026 – 14 czerwca 2028, 27 miesięcy, 32 kroki" in added.output

    shown = _cli(migrated, "cohort", "show", "pilot")
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert "razem 27 miesięcy" in lines[1]
    rows = {line.split()[0]: line for line in lines[4:]}
    assert list(rows)[:4] == ["PREP", "Z1", "D1", "ZW1"]
    assert "15 marca 2026 – 14 czerwca 2026" in rows["PREP"]
    assert "termin: 14 października 2026" in rows["ZW1"]
    assert "Zadanie wdrożeniowe 1" in rows["ZW1"]
    # planned for a resolution on its due date, 14 October 2027: from November
    assert "listopad 2027, termin: 15 grudnia 2027" in rows["R01"]
    assert "lipiec 2028, termin: 16 sierpnia 2028" in rows["R09"]  # 15 August: a holiday
    assert "termin: 15 stycznia 2029" in rows["UPOW"]
    assert len(rows) == 32

    english = _cli(migrated, "cohort", "show", "pilot", lang="en")
    assert "From March 15, 2026 to June 14, 2028, 27 months in total" in english.output
    assert "due October 14, 2026" in english.output
    assert "Implementation task 1" in english.output

    listed = _cli(migrated, "cohort", "list")
    assert listed.output.strip() == (
        "pilot: 15 marca 2026 – 14 czerwca 2028 (27 miesięcy, szablon ore-2024)"
    )


def test_cli_show_json(migrated: str) -> None:
    assert _cli(migrated, "cohort", "add", "pilot", "--start", "2026-01-31").exit_code == 0
    shown = _cli(migrated, "cohort", "show", "pilot", "--json")
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.output)
    assert {k: data[k] for k in ("name", "template", "start", "end", "months")} == {
        "name": "pilot",
        "template": "ore-2024",
        "start": "2026-01-31",
        "end": "2028-04-29",
        "months": 27,
    }
    phases = [step for step in data["steps"] if step["kind"] not in ("task", "report")]
    assert [step["code"] for step in phases][:3] == ["PREP", "Z1", "D1"]
    start = dt.date(2026, 1, 31)
    for step, months_before in zip(phases, [0, *accumulate(PHASE_MONTHS)], strict=False):
        first = dt.date.fromisoformat(step["starts_on"])
        assert (first.year - start.year) * 12 + first.month - start.month == months_before
    steps = {step["code"]: step for step in data["steps"]}
    assert steps["UCHWALA"]["due_on"] == "2027-08-30"
    assert steps["R12"] == {
        "position": 30,
        "code": "R12",
        "kind": "report",
        "title_pl": "Miesięczny raport z monitorowania nr 12",
        "title_en": "Monthly monitoring report no. 12",
        "starts_on": "2028-08-01",
        "ends_on": "2028-08-31",
        "due_on": "2028-09-15",
    }
    assert (steps["DP"]["position"], steps["DP"]["due_on"]) == (31, "2028-10-16")


def test_cli_refusals(migrated: str, tmp_path: Path) -> None:
    assert _cli(migrated, "cohort", "list").output.startswith("Nie ma jeszcze żadnej edycji")
    assert _cli(migrated, "cohort", "add", "pilot", "--start", "2026-03-15").exit_code == 0

    again = _cli(migrated, "cohort", "add", "pilot", "--start", "2026-04-01")
    assert again.exit_code == 2
    assert "Edycja „pilot” już istnieje" in again.output

    unknown = _cli(migrated, "cohort", "show", "nope", lang="en")
    assert unknown.exit_code == 2
    assert 'There is no cohort "nope"' in unknown.output

    for value in ("2026-02-30", "15.03.2026", "20260315", "2026-3-5"):
        refused = _cli(migrated, "cohort", "add", "other", "--start", value)
        assert refused.exit_code == 2
        assert f"Niepoprawna data „{value}”" in refused.output

    bad_path, line = _bad_template(tmp_path)
    bad = _cli(
        migrated, "cohort", "add", "other", "--start", "2026-03-15", "--template", str(bad_path)
    )
    assert bad.exit_code == 2
    assert f"Plik szablonu {bad_path}, wiersz {line}: liczba miesięcy musi być dodatnia" in (
        bad.output
    )
    bad_en = _cli(
        migrated,
        "cohort",
        "add",
        "other",
        "--start",
        "2026-03-15",
        "--template",
        str(bad_path),
        lang="en",
    )
    assert f"Template file {bad_path}, line {line}: months must be positive" in bad_en.output

    listed = _cli(migrated, "cohort", "list")
    assert [line.split(":")[0] for line in listed.output.splitlines()] == ["pilot"]


def test_installed_console_script(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("advisorybot")
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"}
    env["OPERATOR_LANGUAGE"] = "en"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(script), *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        )

    assert run("db", "upgrade").returncode == 0
    added = run("cohort", "add", "pilot-2026", "--start", "2026-09-01")
    assert added.returncode == 0, added.stderr
    assert 'Added cohort "pilot-2026"' in added.stdout
    shown = json.loads(run("cohort", "show", "pilot-2026", "--json").stdout)
    assert (shown["start"], shown["end"], len(shown["steps"])) == ("2026-09-01", "2028-11-30", 32)
