"""Exports for coordinators: people, task progress and monthly reports as plain tables.

Column headers are stable English snake_case keys and cells hold raw values (dates, numbers,
booleans, codes such as "pending" or "K"), so a script can rely on them: that is what
`advisorybot export --keys` writes. A person reads them in their language instead: the CLI
words the sheet titles, headers and codes from a template (`digest/table_words.py`), as
storage renders no text; `storage.spreadsheets` writes either.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.attendance import round_codes_by_cohort
from storage.cohorts import cohort_templates
from storage.indicators import StaffTally, staff_tallies
from storage.models import (
    Cohort,
    Jst,
    Language,
    Material,
    MonthlyReport,
    Person,
    ProgrammeStep,
    ReportState,
    TaskProgress,
    TaskState,
)
from storage.monitoring import monitoring_of
from storage.programme import ReportQuestion
from storage.programme_calendar import REPORT, TASK, CalendarStep

Cell = str | int | float | bool | dt.date | dt.datetime | None

ANSWER_PREFIX = "answer_"
MISSING = "missing"


class ExportKind(StrEnum):
    PEOPLE = "people"
    TASKS = "tasks"
    REPORTS = "reports"
    MATERIALS = "materials"  # the preparation materials in their review loop


@dataclass(frozen=True)
class ExportTable:
    """A titled table: header keys and rows of raw cell values; `people`: whose personal data
    it shows (by id, for the audit log)."""

    title: str
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    people: set[int] = field(default_factory=set)


PEOPLE_HEADERS = (
    "email",
    "full_name",
    "gender",
    "language",
    "role",
    "jst_teryt",
    "jst_name",
    "joined",
    "joined_at",
)
ATTENDED_PREFIX = "attended_"  # a column a training round: attended_Z1, attended_Z2, …
COMPETENCE_HEADERS = (
    "rounds_attended",
    "supported",
    "score_before",
    "score_after",
    "improved",
)
TASK_HEADERS = (
    "jst_teryt",
    "jst_name",
    "task_code",
    "task_title_pl",  # task_title_en when the titles are English
    "due_on",
    "extended",
    "state",
    "submitted_at",
    "submitted_by",
    "accepted_at",
    "resolution_number",
    "resolution_date",
    "resolution_link",
)
MISSING_HEADERS = ("jst_teryt", "jst_name", "report_code", "period_start", "due_on", "state")
MISSING_TITLE = "missing"
REPORT_HEADERS = (
    "jst_teryt",
    "jst_name",
    "report_code",
    "period_start",
    "due_on",
    "state",
    "submitted_at",
    "submitted_by",
    "late",
)

MATERIAL_HEADERS = (
    "material_id",
    "cohort",
    "material_title",
    "material_kind",
    "state",
    "review_round",
    "due_on",
    "submitted_at",
    "submitted_by",
    "reviewed_at",
    "reviewed_by",
    "accepted_at",
)


async def export_rows(
    session: AsyncSession, kind: ExportKind, *, titles: Language = Language.PL
) -> ExportTable:
    """The whole table of one kind, ordered by JST and programme position; tasks are titled
    in `titles`' language."""
    if kind is ExportKind.PEOPLE:
        return await _people(session)
    if kind is ExportKind.TASKS:
        return await _tasks(session, titles)
    if kind is ExportKind.MATERIALS:
        return await _materials(session)
    return await _reports(session)


async def _people(session: AsyncSession) -> ExportTable:
    """Everyone; erased people keep only what anonymisation keeps (no name, no e-mail)."""
    found = await session.execute(
        select(Person, Jst)
        .outerjoin(Jst, Person.jst_id == Jst.id)
        .order_by(Jst.teryt.nulls_last(), Person.role, Person.full_name, Person.id)
    )
    codes = list(
        dict.fromkeys(c for cs in (await round_codes_by_cohort(session)).values() for c in cs)
    )
    tallies = {tally.person_id: tally for tally in await staff_tallies(session)}
    headers = [*PEOPLE_HEADERS, *(ATTENDED_PREFIX + code for code in codes), *COMPETENCE_HEADERS]
    table = ExportTable(ExportKind.PEOPLE.value, headers)
    for person, jst in found:
        erased = person.erased_at is not None
        if not erased:
            table.people.add(person.id)
        table.rows.append(
            [
                None if erased else person.email,
                None if erased else person.full_name,
                person.gender.value,
                person.language.value,
                person.role.value,
                jst.teryt if jst else None,
                jst.name if jst else None,
                person.joined_at is not None,
                person.joined_at,
                *_competences(tallies.get(person.id), codes),
            ]
        )
    return table


def _competences(tally: StaffTally | None, codes: list[str]) -> list[Cell]:
    """A member's attendance of each round and their part in the indicators (storage.indicators);
    empty for advisers and coordinators."""
    if tally is None:
        return [None] * (len(codes) + len(COMPETENCE_HEADERS))
    return [
        *(code in tally.rounds for code in codes),
        len(tally.rounds),
        tally.supported,
        tally.before,
        tally.after,
        tally.improved,
    ]


async def _tasks(session: AsyncSession, titles: Language) -> ExportTable:
    """One row per JST and task step of its cohort; no progress yet means pending."""
    progress = {
        (row.jst_id, row.step_code): row for row in await session.scalars(select(TaskProgress))
    }
    emails = await _emails(session)
    title_key = f"task_title_{titles.value}"
    headers = [title_key if key == "task_title_pl" else key for key in TASK_HEADERS]
    table = ExportTable(ExportKind.TASKS.value, headers)
    pairs = await _jst_steps(session, TASK)
    monitoring = await monitoring_of(session, {jst.id for jst, _ in pairs})
    for jst, step in pairs:
        task = progress.get((jst.id, step.code))
        extended_until = task.extended_until if task else None
        assert step.due_on is not None, "a task step has a due date"
        own = monitoring.get(jst.id)
        due = own.task_due(step.code, step.due_on, extended_until) if own else extended_until
        if task is not None and task.submitted_by_id is not None:
            table.people.update({task.submitted_by_id} & emails.keys())
        table.rows.append(
            [
                jst.teryt,
                jst.name,
                step.code,
                step.title_en if titles is Language.EN else step.title_pl,
                due or step.due_on,  # a task waiting for the resolution: the planned date
                extended_until is not None,
                (task.state if task else TaskState.PENDING).value,
                task.submitted_at if task else None,
                emails.get(task.submitted_by_id) if task else None,
                task.accepted_at if task else None,
                task.resolution_number if task else None,
                task.resolution_date if task else None,
                task.resolution_link if task else None,
            ]
        )
    return table


async def _reports(session: AsyncSession) -> ExportTable:
    """One row per JST and report step; every answer key found becomes a column of its own."""
    reports = {
        (row.jst_id, row.step_code): row for row in await session.scalars(select(MonthlyReport))
    }
    keys = sorted({key for report in reports.values() for key in report.answers})
    emails = await _emails(session)
    table = ExportTable(
        ExportKind.REPORTS.value, [*REPORT_HEADERS, *(ANSWER_PREFIX + key for key in keys)]
    )
    for jst, step, report in await _jst_months(session, reports):
        fixed: list[Cell] = [jst.teryt, jst.name, step.code, step.starts_on, step.due_on]
        if report is None:
            table.rows.append([*fixed, MISSING, None, None, None] + [None] * len(keys))
            continue
        if report.submitted_by_id is not None:
            table.people.update({report.submitted_by_id} & emails.keys())
        fixed += [
            report.state.value,
            report.submitted_at,
            emails.get(report.submitted_by_id),
            report.late,
        ]
        table.rows.append(fixed + [_answer_cell(report.answers.get(key)) for key in keys])
    return table


async def _materials(session: AsyncSession) -> ExportTable:
    """One row per material: its state, round and deadline (the review's, or the fix's), who
    handed in the latest version and who reviewed it last, by e-mail."""
    emails = await _emails(session)
    table = ExportTable(ExportKind.MATERIALS.value, list(MATERIAL_HEADERS))
    found = await session.execute(select(Material, Cohort.name).join(Cohort).order_by(Material.id))
    for material, cohort in found:
        people = {material.submitted_by_id, material.reviewed_by_id or material.submitted_by_id}
        table.people.update(people & emails.keys())
        table.rows.append(
            [
                material.id,
                cohort,
                material.title,
                material.kind,
                material.state.value,
                material.review_round,
                material.due_on,
                material.submitted_at,
                emails.get(material.submitted_by_id),
                material.reviewed_at,
                emails.get(material.reviewed_by_id),
                material.accepted_at,
            ]
        )
    return table


async def missing_reports(session: AsyncSession, today: dt.date) -> ExportTable:
    """Who owes which month: every report month that has ended without a submitted report."""
    reports = {
        (row.jst_id, row.step_code): row for row in await session.scalars(select(MonthlyReport))
    }
    table = ExportTable(MISSING_TITLE, list(MISSING_HEADERS))
    for jst, step, report in await _jst_months(session, reports):
        if step.ends_on < today and (report is None or report.state is ReportState.DRAFT):
            state = report.state.value if report else MISSING
            table.rows.append([jst.teryt, jst.name, step.code, step.starts_on, step.due_on, state])
    return table


async def report_questions(session: AsyncSession) -> dict[str, ReportQuestion]:
    """Each report answer's question by its key, from the cohorts' templates (the earliest
    cohort's wording where two differ): what heads an answer's column for a person."""
    questions: dict[str, ReportQuestion] = {}
    for _, template in sorted((await cohort_templates(session)).items()):
        for question in template.monitoring.question:
            questions.setdefault(question.key, question)
    return questions


async def _jst_steps(session: AsyncSession, kind: str) -> list[tuple[Jst, ProgrammeStep]]:
    """Every JST paired with each step of `kind` in its own cohort's calendar."""
    found = await session.execute(
        select(Jst, ProgrammeStep)
        .join(ProgrammeStep, ProgrammeStep.cohort_id == Jst.cohort_id)
        .where(ProgrammeStep.kind == kind)
        .order_by(Jst.teryt, ProgrammeStep.position)
    )
    return [(jst, step) for jst, step in found]


async def _jst_months(
    session: AsyncSession, reports: dict[tuple[int, str], MonthlyReport]
) -> list[tuple[Jst, CalendarStep | ProgrammeStep, MonthlyReport | None]]:
    """Every JST with each of its report months (storage/monitoring.py: none before its
    monitoring starts) and its report; a report stored for a month the JST's monitoring no
    longer has (its resolution returned) with the cohort's planned month."""
    pairs = await _jst_steps(session, REPORT)
    monitoring = await monitoring_of(session, {jst.id for jst, _ in pairs})
    found: list[tuple[Jst, CalendarStep | ProgrammeStep, MonthlyReport | None]] = []
    for jst, planned in pairs:
        own = monitoring[jst.id].report(planned.code) if jst.id in monitoring else None
        report = reports.get((jst.id, planned.code))
        if own is not None or report is not None:
            found.append((jst, own or planned, report))
    return found


async def _emails(session: AsyncSession) -> dict[int | None, str]:
    """E-mail by person id; erased people are left out, so they export as empty cells."""
    found = await session.execute(
        select(Person.id, Person.email).where(Person.erased_at.is_(None))
    )
    return {person_id: email for person_id, email in found}


def _answer_cell(value: Any) -> Cell:
    """Scalars stay as they are; lists and objects become JSON text in one cell."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
