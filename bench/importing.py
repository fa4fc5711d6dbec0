"""Benchmark 6: `advisorybot import` of a national-size team file, on SQLite and PostgreSQL.

The real command in a fresh process (as an operator runs it, start-up included) on an empty
database with one cohort: a file of 10,000 rows (2,498 JSTs, each an adviser row and three
members, and five coordinators; names with diacritics, unique e-mails), imported once
(everything created) and again (nothing changes), and the issue's 200,000-row file, which is
refused before it is read. Baseline in the same run: the same import of the pilot's 200 rows.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.databases import Databases, services_for
from bench.measure import MB, WORKDIR
from bench.names import ascii_fold, random_name, slug
from bench.places import places
from bench.results import Goal, Result
from storage.cohorts import add_cohort
from storage.imports.read import COLUMNS
from storage.programme import default_template_path

COHORT = "Nabór krajowy"
ROWS, PILOT_ROWS, QUICK_ROWS = 10_000, 200, 400
REFUSED_ROWS = 200_000  # the file: 489 s and 872 MB before it was refused by size
GOAL = Goal(10.0)
COORDINATORS = 5
TEAM = 3  # members of each JST, beside its adviser's row
CLI = "from bot.cli import main; main()"  # the console script, from the code next to bench


@dataclass(frozen=True)
class Run:
    """One `advisorybot import` process: how long it took, its peak memory and its output."""

    seconds: float
    peak_mb: float
    output: str
    exit_code: int


async def run(databases: Databases, *, quick: bool = False) -> list[Result]:
    rows = QUICK_ROWS if quick else ROWS
    refused_rows = QUICK_ROWS * 2 if quick else REFUSED_ROWS
    folder = databases.root / "import"
    folder.mkdir(exist_ok=True)
    pilot = team_file(folder / "pilot.csv", PILOT_ROWS)
    big = team_file(folder / "teams.csv", rows)
    too_big = team_file(folder / "too_big.csv", refused_rows)
    limit = {"IMPORT_MAX_ROWS": str(rows)} if quick else {}
    results = []
    for kind in databases.kinds:
        baseline = (await _imported(databases, kind, pilot))[0]
        first, again = await _imported(databases, kind, big)
        refused = await _import(await _database(databases, kind), too_big, limit)
        assert refused.exit_code == 2, refused.output
        name = f"{rows}_rows.{kind}"
        refused_name = f"refused_{refused_rows}_rows.{kind}"
        results += [
            _against_pilot(f"import.{name}", first, baseline, GOAL),
            _against_pilot(f"import.again_{name}", again, baseline, GOAL),
            _against_pilot(
                f"import.{refused_name}", refused, baseline, None, output=refused.output
            ),
        ]
    return results


def _against_pilot(name: str, run: Run, pilot: Run, goal: Goal | None, **details: Any) -> Result:
    """An import's seconds and peak memory, against importing the pilot's file."""
    details = {"peak_rss_mb": run.peak_mb, **details}
    baseline = f"import_{PILOT_ROWS}_rows"
    return Result(name, run.seconds, "s", pilot.seconds, baseline, goal, details=details)


def team_file(path: Path, rows: int, seed: int = 16) -> Path:
    """A CSV team file of `rows` rows as an operator would export it from a spreadsheet."""
    rng = random.Random(seed)
    jsts = (rows - COORDINATORS) // (TEAM + 1)
    advisers = [_person(rng, "ore.example.pl", index) for index in range(max(1, jsts // 4))]
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, delimiter=";")
        writer.writerow(COLUMNS)
        for index, place in enumerate(places(jsts, rng)):
            jst = [place.teryt, place.name, place.kind.value, place.voivodeship]
            writer.writerow([*jst, "doradca", *advisers[index % len(advisers)]])
            domain = slug(place.name) + ".example.pl"
            for member in range(TEAM):
                writer.writerow([*jst, "członek", *_person(rng, domain, index * TEAM + member)])
        for index in range(COORDINATORS):
            writer.writerow(
                ["", "", "", "", "koordynator", *_person(rng, "ore.example.pl", index)]
            )
    return path


def _person(rng: random.Random, domain: str, number: int) -> list[str]:
    """full_name, email, gender, language: unique by `number`."""
    first, surname, woman = random_name(rng, 0.7)
    email = ascii_fold(f"{first}.{surname}{number}@{domain}").lower()
    return [f"{first} {surname}", email, "K" if woman else "M", "pl"]


async def _imported(databases: Databases, kind: str, path: Path) -> tuple[Run, Run]:
    """The file imported into a fresh database, then imported again."""
    url = await _database(databases, kind)
    runs = await _import(url, path), await _import(url, path)
    for done in runs:
        assert done.exit_code == 0, done.output
    return runs


async def _database(databases: Databases, kind: str) -> str:
    url = await databases.empty(kind)
    services = services_for(url)
    try:
        async with services.sessionmaker.begin() as session:
            created = dt.datetime.now(dt.UTC)
            start = created.date()
            await add_cohort(
                session, COHORT, start, default_template_path(), now=created, actor="bench"
            )
    finally:
        await services.close()
    return url


async def _import(url: str, path: Path, extra: dict[str, str] | None = None) -> Run:
    return await asyncio.to_thread(_import_process, url, path, extra or {})


def _import_process(url: str, path: Path, extra: dict[str, str]) -> Run:
    """`advisorybot import` in a process of its own; its peak memory from wait4()."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(path.parent),
        "DATABASE_URL": url,
        "OPERATOR_LANGUAGE": "en",
        "PYTHONPATH": str(WORKDIR),
        **extra,
    }
    command = [sys.executable, "-c", CLI, "import", str(path), "--cohort", COHORT]
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=path.parent, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    assert process.stdout is not None
    output = process.stdout.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    lines = output.strip().splitlines()
    return Run(seconds, usage.ru_maxrss * 1024 / MB, lines[0], process.returncode)
