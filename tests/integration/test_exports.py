"""Exports (people, tasks, reports) to CSV and XLSX, and the programme's indicators."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.services import Services
from storage.attendance import Source, record_attendance
from storage.exports import (
    COMPETENCE_HEADERS,
    MATERIAL_HEADERS,
    PEOPLE_HEADERS,
    REPORT_HEADERS,
    TASK_HEADERS,
    Cell,
    ExportKind,
    ExportTable,
    export_rows,
)
from storage.indicators import compute_indicators
from storage.models import (
    AdviserAssignment,
    Cohort,
    Gender,
    Jst,
    Material,
    MaterialState,
    MonthlyReport,
    Person,
    ProgrammeStep,
    ReportState,
    Role,
    SelfAssessment,
    TaskProgress,
    TaskState,
)
from storage.programme import default_template_path, load_template
from storage.spreadsheets import write_table
from tests.support.cli_runs import invoke, output_folder
from tests.support.programme_data import add_cohort, add_jst, add_person

AT = dt.datetime(2026, 3, 20, 13, 30, tzinfo=dt.UTC)
LOCAL = "2026-03-20T14:30:00+01:00"
FORMULA = '=HYPERLINK("http://evil.example","x")'
# The shipped template (its report questions head the answer columns); its indicator targets
# are 150 people, 105 women, 45 men, 50 JSTs.
PILOT = load_template(default_template_path()).model_dump(mode="json")
PILOT["competences"] |= {"min_rounds_attended": 1}  # the test calendar has one round, F1
TITLES_EN = {"ZW1": "Initial diagnosis", "ZW2": "Public debate"}


async def _seed(services: Services) -> None:
    """Three JSTs in two cohorts, staff of both genders (one erased), a task and two reports."""
    async with services.sessionmaker.begin() as session:
        pilot = await add_cohort(session, "pilot", template=PILOT)
        second = await add_cohort(session, "second", template={"indicators": {"people": 12}})
        alfa = await add_jst(session, pilot, "1401011", "Gmina Alfa")
        beta = await add_jst(session, pilot, "1401022", "Gmina Beta")
        await add_jst(session, second, "0201011", "Gmina Gamma")
        anna = await add_person(
            session, "anna@example.pl", "Anna Nowak", jst=alfa, telegram_user_id=11, joined_at=AT
        )
        bartek = await add_person(
            session, "bartek@example.pl", "Bartek Lis", jst=alfa, gender=Gender.MALE
        )
        celina = await add_person(
            session, "erased-3@invalid", "-", jst=beta, erased_at=AT, joined_at=AT
        )
        dorota = await add_person(session, "dorota@example.pl", "Dorota", role=Role.ADVISER)
        await add_person(session, "ewa@example.pl", "Ewa Bez Jst")
        kinga = await add_person(session, "kinga@example.pl", "Kinga", role=Role.COORDINATOR)
        olga = await add_person(session, "olga@example.pl", "Olga", role=Role.EXPERT)
        session.add(AdviserAssignment(jst_id=alfa.id, adviser_id=dorota.id))
        session.add_all(_materials(pilot, kinga, olga))
        await _rounds(session, anna, bartek, celina)
        session.add_all(_tasks(alfa, beta, anna, celina))
        session.add_all(_reports(alfa, beta, anna))
        for step in await session.scalars(select(ProgrammeStep)):
            step.title_en = TITLES_EN.get(step.code, step.title_en)


def _materials(pilot: Cohort, kinga: Person, olga: Person) -> list[Material]:
    """A schedule Olga returned to Kinga, and a scenario still with the experts."""
    return [
        Material(
            cohort_id=pilot.id,
            title="Harmonogram zjazdów",
            kind="schedule",
            state=MaterialState.RETURNED,
            review_round=1,
            due_on=dt.date(2026, 3, 27),
            submitted_by_id=kinga.id,
            submitted_at=AT,
            reviewed_by_id=olga.id,
            reviewed_at=AT,
            remarks="Dodać sale.",
            created_at=AT,
            updated_at=AT,
        ),
        Material(
            cohort_id=pilot.id,
            title=FORMULA,
            kind="scenario",
            state=MaterialState.SUBMITTED,
            review_round=0,
            due_on=dt.date(2026, 3, 27),
            submitted_by_id=kinga.id,
            submitted_at=AT,
            created_at=AT,
            updated_at=AT,
        ),
    ]


async def _rounds(session: AsyncSession, anna: Person, bartek: Person, celina: Person) -> None:
    """Round F1: Anna (joined) and Bartek (not on Telegram) there, Celina absent; Anna's
    self-assessment higher after than before."""
    marks = {anna.id: True, bartek.id: True, celina.id: False}
    await record_attendance(
        session, "F1", marks, source=Source.IMPORT, actor="operator:test", now=AT
    )
    session.add_all(
        SelfAssessment(person_id=anna.id, moment=moment, answers={}, score=score, submitted_at=AT)
        for moment, score in (("before", 20), ("after", 31))
    )


def _tasks(alfa: Jst, beta: Jst, anna: Person, celina: Person) -> list[TaskProgress]:
    """Alfa's ZW1 extended and submitted by Anna; Beta's accepted, with its resolution."""
    return [
        TaskProgress(
            jst_id=alfa.id,
            step_code="ZW1",
            state=TaskState.SUBMITTED,
            extended_until=dt.date(2026, 4, 15),
            submitted_at=AT,
            submitted_by_id=anna.id,
            updated_at=AT,
        ),
        TaskProgress(
            jst_id=beta.id,
            step_code="ZW1",
            state=TaskState.ACCEPTED,
            submitted_at=AT,
            submitted_by_id=celina.id,
            accepted_at=AT,
            resolution_number="XII/34/2026",
            resolution_date=dt.date(2026, 3, 18),
            resolution_link=BIP,
            updated_at=AT,
        ),
    ]


def _reports(alfa: Jst, beta: Jst, anna: Person) -> list[MonthlyReport]:
    """Alfa's first report submitted late by Anna (a formula in it); Beta's a draft."""
    return [
        MonthlyReport(
            jst_id=alfa.id,
            step_code="R01",
            state=ReportState.SUBMITTED,
            answers={"progress": FORMULA, "meetings": 3, "topics": ["a", "b"]},
            submitted_by_id=anna.id,
            submitted_at=AT,
            late=True,
            updated_at=AT,
        ),
        MonthlyReport(
            jst_id=beta.id,
            step_code="R01",
            state=ReportState.DRAFT,
            answers={"progress": "+48 w toku", "ok": True},
            updated_at=AT,
        ),
    ]


D = dt.date.fromisoformat
ANNA = "anna@example.pl"
BIP = "https://bip.example.pl/uchwaly/XII-34-2026"
KINGA = ("kinga@example.pl",)
MARCH_27 = D("2026-03-27")
GAMMA, ALFA, BETA = (
    ("0201011", "Gmina Gamma"),
    ("1401011", "Gmina Alfa"),
    ("1401022", "Gmina Beta"),
)
ZW1, ZW2 = ("ZW1", "Diagnoza wstępna"), ("ZW2", "Debata publiczna")
R01, R02 = ("R01", D("2026-03-01"), D("2026-04-07")), ("R02", D("2026-04-01"), D("2026-05-07"))
PENDING: list[Cell] = ["pending", None, None, None, None, None, None]
NONE: list[Cell] = [None] * 6  # no round, no self-assessment: not a JST's team member
MISSING: list[Cell] = ["missing", None, None, None, None, None, None, None]
EXPECTED: dict[ExportKind, list[list[Cell]]] = {
    ExportKind.PEOPLE: [
        [ANNA, "Anna Nowak", "K", "pl", "member", *ALFA, True, AT, True, 1, True, 20, 31, True],
        [
            "bartek@example.pl",
            "Bartek Lis",
            "M",
            "pl",
            "member",
            *ALFA,
            False,
            None,
            *(True, 1, False, None, None, False),
        ],
        [None, None, "K", "pl", "member", *BETA, True, AT, False, 0, False, None, None, False],
        ["dorota@example.pl", "Dorota", "K", "pl", "adviser", None, None, False, None, *NONE],
        ["kinga@example.pl", "Kinga", "K", "pl", "coordinator", None, None, False, None, *NONE],
        ["olga@example.pl", "Olga", "K", "pl", "expert", None, None, False, None, *NONE],
        ["ewa@example.pl", "Ewa Bez Jst", "K", "pl", "member", None, None, False, None, *NONE],
    ],
    ExportKind.MATERIALS: [
        [
            1,
            "pilot",
            "Harmonogram zjazdów",
            "schedule",
            "returned",
            1,
            MARCH_27,
            AT,
            *KINGA,
            AT,
            "olga@example.pl",
            None,
        ],
        [2, "pilot", FORMULA, "scenario", "submitted", 0, MARCH_27, AT, *KINGA, None, None, None],
    ],
    ExportKind.TASKS: [
        [*GAMMA, *ZW1, D("2026-03-31"), False, *PENDING],
        [*GAMMA, *ZW2, D("2026-05-31"), False, *PENDING],
        [*ALFA, *ZW1, D("2026-04-15"), True, "submitted", AT, ANNA, None, None, None, None],
        [*ALFA, *ZW2, D("2026-05-31"), False, *PENDING],
        [
            *BETA,
            *ZW1,
            D("2026-03-31"),
            False,
            "accepted",
            AT,
            None,
            AT,
            "XII/34/2026",
            D("2026-03-18"),
            BIP,
        ],
        [*BETA, *ZW2, D("2026-05-31"), False, *PENDING],
    ],
    # Alfa and Beta (the shipped template: monitoring from each JST's resolution) have
    # adopted no plan: their months are not asked for, the reports they have stored are shown
    # on the cohort's months; Gamma's cohort (its template incomplete) has its stored months.
    ExportKind.REPORTS: [
        [*GAMMA, *R01, *MISSING],
        [*GAMMA, *R02, *MISSING],
        [*ALFA, *R01, "submitted", AT, ANNA, True, 3, None, FORMULA, '["a", "b"]'],
        [*BETA, *R01, "draft", None, None, False, None, True, "+48 w toku", None],
    ],
}
ANSWER_HEADERS = ["answer_meetings", "answer_ok", "answer_progress", "answer_topics"]
HEADERS = {
    ExportKind.PEOPLE: [*PEOPLE_HEADERS, "attended_F1", *COMPETENCE_HEADERS],
    ExportKind.TASKS: list(TASK_HEADERS),
    ExportKind.REPORTS: [*REPORT_HEADERS, *ANSWER_HEADERS],
    ExportKind.MATERIALS: list(MATERIAL_HEADERS),
}
ZONE = ZoneInfo("Europe/Warsaw")


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return output_folder(tmp_path, monkeypatch)


@pytest.mark.parametrize("kind", list(ExportKind))
async def test_export_rows_match_the_database(services: Services, kind: ExportKind) -> None:
    await _seed(services)
    async with services.sessionmaker() as session:
        table = await export_rows(session, kind)
    assert (table.headers, table.rows) == (HEADERS[kind], EXPECTED[kind])


def _csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dt.datetime):
        assert value == AT
        return LOCAL
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and value[:1] in "=+-@":
        return "'" + value
    return str(value)


def _xlsx_value(value: Cell) -> Any:
    if isinstance(value, dt.datetime):
        return dt.datetime.fromisoformat(LOCAL).replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)  # noqa: DTZ001 (Excel has no zones)
    return value


async def _export(
    services: Services, folder: Path, kind: ExportKind, suffix: str, *options: str
) -> Path:
    """Seed, run `advisorybot export KIND --out FILE [OPTIONS]` and return the file."""
    await _seed(services)
    out = folder / f"{kind}{suffix}"
    result = await invoke(services, "export", kind.value, "--out", str(out), *options)
    assert result.exit_code == 0, result.output
    assert f"written to {out}; rows: {len(EXPECTED[kind])}." in result.output
    return out


@pytest.mark.parametrize("kind", list(ExportKind))
async def test_csv_export_reads_back(services: Services, folder: Path, kind: ExportKind) -> None:
    out = await _export(services, folder, kind, ".csv", "--keys")
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    with out.open(encoding="utf-8-sig", newline="") as stream:
        header, *rows = list(csv.reader(stream, delimiter=";"))
    assert header == HEADERS[kind]
    assert rows == [[_csv_text(cell) for cell in row] for row in EXPECTED[kind]]
    if kind is ExportKind.REPORTS:
        assert rows[2][-2] == "'" + FORMULA


@pytest.mark.parametrize("kind", list(ExportKind))
async def test_xlsx_export_reads_back(services: Services, folder: Path, kind: ExportKind) -> None:
    out = await _export(services, folder, kind, ".xlsx", "--keys")
    sheet = load_workbook(out).active
    assert sheet is not None
    assert sheet.title == kind.value and sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert header == HEADERS[kind]
    assert rows == [[_xlsx_value(cell) for cell in row] for row in EXPECTED[kind]]
    widest = max(len(str(row[1])) for row in EXPECTED[kind])
    assert sheet.column_dimensions["B"].width >= min(widest, len("Gmina Gamma"))
    if kind is ExportKind.TASKS:
        assert sheet["E2"].is_date and sheet["E2"].number_format == "yyyy-mm-dd"
    if kind is ExportKind.REPORTS:
        cell = sheet.cell(row=4, column=header.index("answer_progress") + 1)
        assert cell.value == FORMULA and cell.data_type == "s"
        assert load_workbook(out).sheetnames == ["reports", "missing"]


def _read(out: Path) -> tuple[list[Any], list[list[Any]]]:
    """The first sheet's (or the CSV's) header and rows; an empty CSV cell reads as None."""
    if out.suffix == ".csv":
        with out.open(encoding="utf-8-sig", newline="") as stream:
            read: list[list[Any]] = [
                [cell or None for cell in row] for row in csv.reader(stream, delimiter=";")
            ]
    else:
        sheet = load_workbook(out).active
        assert sheet is not None
        read = [list(row) for row in sheet.iter_rows(values_only=True)]
    return read[0], read[1:]


def _sheets(out: Path) -> dict[str, list[list[Any]]]:
    """Every sheet of a workbook by its title: header and rows."""
    return {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in load_workbook(out).worksheets
    }


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
async def test_people_are_exported_in_polish_words_by_default(
    services: Services, folder: Path, suffix: str
) -> None:
    """Issue 18: headers, gender, language, role (by the person's gender) and yes/no as a
    Polish coordinator reads them, not "K", "member" and "true"."""
    out = await _export(services, folder, ExportKind.PEOPLE, suffix)
    header, rows = _read(out)
    assert header == [
        "E-mail",
        "Imię i nazwisko",
        "Płeć",
        "Język",
        "Rola",
        "TERYT",
        "JST",
        "Korzysta z bota",
        "Dołączenie do bota",
        "Obecność F1",
        "Zjazdy z obecnością",
        "Objęcie wsparciem (dołączenie i obecność na zjeździe)",
        "Samoocena przed",
        "Samoocena po",
        "Podniesienie kompetencji",
    ]
    assert [row[2:5] + row[7:8] for row in rows] == [
        ["kobieta", "polski", "członkini zespołu", "tak"],
        ["mężczyzna", "polski", "członek zespołu", "nie"],
        ["kobieta", "polski", "członkini zespołu", "tak"],
        ["kobieta", "polski", "doradczyni", "nie"],
        ["kobieta", "polski", "koordynatorka", "nie"],
        ["kobieta", "polski", "ekspertka ORE", "nie"],
        ["kobieta", "polski", "członkini zespołu", "nie"],
    ]
    assert rows[0][:2] + rows[0][5:7] == [ANNA, "Anna Nowak", *ALFA], "data cells stay as stored"
    if suffix == ".xlsx":
        assert list(_sheets(out)) == ["Osoby"]


TASK_WORDS = {
    "pl": (
        "Zadania",
        [
            "TERYT",
            "JST",
            "Kod zadania",
            "Zadanie",
            "Termin",
            "Termin przedłużony",
            "Stan",
            "Data zgłoszenia",
            "Zgłoszone przez (e-mail)",
            "Data przyjęcia",
            "Numer uchwały",
            "Data uchwały",
            "Uchwała w BIP",
        ],
        ["Diagnoza wstępna", "Debata publiczna"] * 3,
        ("nie", "tak"),
        ("do zrobienia", "zgłoszone", "przyjęte"),
    ),
    "en": (
        "Tasks",
        [
            "TERYT",
            "JST",
            "Task code",
            "Task",
            "Deadline",
            "Deadline extended",
            "State",
            "Submitted",
            "Submitted by (e-mail)",
            "Accepted",
            "Resolution number",
            "Resolution date",
            "Resolution in the BIP",
        ],
        ["Initial diagnosis", "Public debate"] * 3,
        ("no", "yes"),
        ("to do", "submitted", "accepted"),
    ),
}


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
@pytest.mark.parametrize(("lang", "options"), [("pl", ()), ("en", ("--lang", "en"))])
async def test_tasks_are_exported_in_the_readers_language(
    services: Services, folder: Path, suffix: str, lang: str, options: tuple[str, ...]
) -> None:
    """Polish unless --lang en: the sheet, headers, the task's title in that language, states
    in the digest's words, an extension as yes or no."""
    out = await _export(services, folder, ExportKind.TASKS, suffix, *options)
    title, headers, titles, (no, yes), (pending, submitted, accepted) = TASK_WORDS[lang]
    header, rows = _read(out)
    assert header == headers
    assert [row[3] for row in rows] == titles
    assert [row[5:7] for row in rows] == [
        [no, pending],
        [no, pending],
        [yes, submitted],
        [no, pending],
        [no, accepted],
        [no, pending],
    ]
    assert (rows[4][10], rows[4][12], rows[2][8]) == ("XII/34/2026", BIP, ANNA)
    if suffix == ".xlsx":
        assert list(_sheets(out)) == [title]


async def test_keys_with_english_titles_name_the_title_column_so(
    services: Services, folder: Path
) -> None:
    """--keys keeps the codes; --lang then picks only the titles (and says so in the key)."""
    out = await _export(services, folder, ExportKind.TASKS, ".csv", "--keys", "--lang", "en")
    header, rows = _read(out)
    assert header == [key.replace("_pl", "_en") for key in TASK_HEADERS]
    assert [row[3] for row in rows] == ["Initial diagnosis", "Public debate"] * 3
    assert [row[6] for row in rows] == [row[6] for row in EXPECTED[ExportKind.TASKS]]


PROGRESS_PL = "Jak ogólnie przebiega wdrażanie HDR? (1 – bardzo źle, 5 – bardzo dobrze)"
PROGRESS_EN = "How is the plan (HDR) implementation going overall? (1 – very badly, 5 – very well)"
REPORT_WORDS: dict[str, dict[str, list[str | None]]] = {
    "pl": {
        "sheets": ["Raporty", "Brakujące raporty"],
        "fixed": ["TERYT", "JST", "Kod raportu", "Początek miesiąca", "Termin", "Stan"],
        "more": ["Data wysłania", "Wysłany przez (e-mail)", "Po terminie"],
        "answers": ["Odpowiedź „meetings”", "Odpowiedź „ok”", PROGRESS_PL, "Odpowiedź „topics”"],
        "states": ["brak", "brak", "wysłany", "w przygotowaniu"],
        "late": [None, None, "tak", "nie"],
    },
    "en": {
        "sheets": ["Reports", "Missing reports"],
        "fixed": ["TERYT", "JST", "Report code", "Month starts", "Deadline", "State"],
        "more": ["Sent", "Sent by (e-mail)", "Late"],
        "answers": ["Answer “meetings”", "Answer “ok”", PROGRESS_EN, "Answer “topics”"],
        "states": ["missing", "missing", "submitted", "in progress"],
        "late": [None, None, "yes", "no"],
    },
}


@pytest.mark.parametrize(("lang", "options"), [("pl", ()), ("en", ("--lang", "en"))])
async def test_reports_workbook_in_the_readers_language(
    services: Services, folder: Path, lang: str, options: tuple[str, ...]
) -> None:
    """Both sheets worded; an answer's column headed by its question in the cohort's
    template, or named by its key where no template asks it."""
    out = await _export(services, folder, ExportKind.REPORTS, ".xlsx", *options)
    words = REPORT_WORDS[lang]
    sheets = _sheets(out)
    assert list(sheets) == words["sheets"]
    (header, *rows), (missing_header, *missing) = sheets.values()
    assert header == words["fixed"] + words["more"] + words["answers"]
    assert [row[5] for row in rows] == words["states"]
    assert [row[8] for row in rows] == words["late"]
    assert rows[3][10] == ("tak" if lang == "pl" else "yes"), "a yes/no answer as a word"
    assert rows[2][11] == FORMULA and rows[2][9] == 3
    assert missing_header == words["fixed"]
    assert ["1401022", "R01", words["states"][3]] in [[r[0], r[2], r[5]] for r in missing]
    assert {row[5] for row in missing} <= {words["states"][0], words["states"][3]}


async def test_reports_csv_in_polish_by_default(services: Services, folder: Path) -> None:
    out = await _export(services, folder, ExportKind.REPORTS, ".csv")
    header, rows = _read(out)
    words = REPORT_WORDS["pl"]
    assert header == words["fixed"] + words["more"] + words["answers"]
    assert [row[5] for row in rows] == words["states"]
    assert [row[8] for row in rows] == words["late"]
    assert rows[2][11] == "'" + FORMULA, "a worded table is still neutralised"


def test_nothing_is_read_as_a_formula(tmp_path: Path) -> None:
    texts: list[Cell] = ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "#N/A", "bad\x07bell", "ok", -5]
    table = ExportTable("cells", [f"c{index}" for index in range(len(texts))], [texts])
    write_table(tmp_path / "cells.csv", table, ZONE)
    write_table(tmp_path / "cells.xlsx", table, ZONE)
    with (tmp_path / "cells.csv").open(encoding="utf-8-sig", newline="") as stream:
        assert list(csv.reader(stream, delimiter=";"))[1] == [
            "'=1+1",
            "'+1",
            "'-1",
            "'@SUM(A1)",
            "'\tx",
            "#N/A",
            "bad\x07bell",
            "ok",
            "-5",
        ]
    sheet = load_workbook(tmp_path / "cells.xlsx").active
    assert sheet is not None
    cells = sheet[2]
    assert [cell.value for cell in cells] == [*texts[:6], "bad\ufffdbell", "ok", -5]
    assert [cell.data_type for cell in cells] == ["s"] * 8 + ["n"]


async def test_export_refuses_an_unknown_format(services: Services, folder: Path) -> None:
    result = await invoke(services, "export", "people", "--out", str(folder / "people.ods"))
    assert result.exit_code == 2
    assert "must end in one of .csv, .xlsx" in result.output
    taken = folder / "taken.csv"
    taken.mkdir()
    result = await invoke(services, "export", "people", "--out", str(taken))
    assert result.exit_code == 2
    assert "is a folder" in result.output
    result = await invoke(services, "export", "nobody", "--out", str(folder / "x.csv"))
    assert result.exit_code != 0
    assert not (folder / "people.ods").exists() and not (folder / "x.csv").exists()


def _numbers(value: int, target: int) -> dict[str, Any]:
    return {"value": value, "target": target, "percent": round(100 * value / target, 1)}


# Targets: 150 + 12 people (two cohorts), 105 women, 45 men, 50 JSTs. Supported: Anna only
# (Bartek attended but never joined, Celina joined but was absent); she also improved.
EXPECTED_NUMBERS = {
    "product": {
        "staff_supported": {
            "total": _numbers(1, 162),
            "women": _numbers(1, 105),
            "men": _numbers(0, 45),
        }
    },
    "result": {
        "staff_improved": {
            "total": _numbers(1, 162),
            "women": _numbers(1, 105),
            "men": _numbers(0, 45),
        },
        "jsts_under_advisory": {"total": _numbers(1, 50)},
    },
    "members_registered": 3,
    "members_joined_telegram": 2,
}


def _without_words(numbers: dict[str, Any]) -> dict[str, Any]:
    """The numbers of `indicators --json`, without the names and definitions."""
    return numbers | {
        group: {
            key: {k: v for k, v in values.items() if k not in {"name", "definition"}}
            for key, values in numbers[group].items()
        }
        for group in ("product", "result")
    }


async def test_indicators_count_engagement_and_sum_targets(services: Services) -> None:
    await _seed(services)
    result = await invoke(services, "indicators", "--json")
    assert result.exit_code == 0, result.output
    numbers = json.loads(result.output)
    assert _without_words(numbers) == EXPECTED_NUMBERS
    supported = numbers["product"]["staff_supported"]
    assert supported["name"]["pl"] == "Liczba przedstawicieli kadr JST objętych wsparciem"
    assert "attended at least one training round" in supported["definition"]["en"]
    improved = numbers["result"]["staff_improved"]["name"]["pl"]
    assert improved == "Liczba przedstawicieli kadr JST, którzy podnieśli kompetencje"


async def test_indicators_recount_from_the_people_export(services: Services) -> None:
    """Every indicator is a count of the people export's rows (how a coordinator checks it)."""
    await _seed(services)
    async with services.sessionmaker() as session:
        table = await export_rows(session, ExportKind.PEOPLE)
        indicators = await compute_indicators(session)
    rows = [dict(zip(table.headers, row, strict=True)) for row in table.rows]
    supported = [row for row in rows if row["supported"]]
    assert indicators.staff_supported.value == len(supported)
    assert indicators.staff_women.value == sum(row["gender"] == "K" for row in supported)
    assert indicators.staff_improved.value == sum(bool(row["improved"]) for row in rows)
    assert indicators.jsts_under_advisory.value == len({row["jst_teryt"] for row in supported})


async def test_indicators_table(services: Services) -> None:
    await _seed(services)
    result = await invoke(services, "indicators")
    assert result.exit_code == 0, result.output
    assert re.search(
        r"Product indicator: JST staff supported\n +in all +1 / 162 +0\.6%", result.output
    )
    assert re.search(r"of whom men +0 / 45 +0\.0%", result.output)
    assert re.search(r"JSTs covered by advisory\n +in all +1 / 50 +2\.0%", result.output)
    assert "Team members: imported 3, on Telegram 2" in result.output


async def test_indicators_without_targets(services: Services) -> None:
    async with services.sessionmaker() as session:
        indicators = await compute_indicators(session)
    assert indicators.staff_supported.percent is None
    result = await invoke(services, "indicators")
    assert result.exit_code == 0, result.output
    assert re.search(r"in all +0 / 0 +\(no target\)", result.output)


async def test_indicators_in_polish_write_a_decimal_comma(services: Services) -> None:
    """ "7.3%" in a Polish table (issue 18): Babel writes the number as Polish does."""
    await _seed(services)
    result = await invoke(services, "indicators", OPERATOR_LANGUAGE="pl")
    assert result.exit_code == 0, result.output
    assert re.search(r"razem +1 / 162 +0,6%", result.output)
    assert not re.search(r"\d\.\d%", result.output)
