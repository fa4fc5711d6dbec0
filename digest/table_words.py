"""An exported table in its reader's language: sheet title, headers and coded cells worded by
cli/export_labels.txt.j2, the way the digest's workbook words its own (`Templates.words`).

Storage writes stable keys and raw codes (what `--keys` keeps, for scripts) and renders no
text, so the wording happens here, on the finished table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession

from core.templates import DEFAULT_LANGUAGE, Templates, Words
from storage.exports import (
    ANSWER_PREFIX,
    Cell,
    ExportKind,
    ExportTable,
    export_rows,
    missing_reports,
    report_questions,
)
from storage.models import Language
from storage.programme import ReportQuestion

LABELS = "cli/export_labels.txt.j2"
READER_LANGUAGE = Language(DEFAULT_LANGUAGE)  # `--lang`'s default

# The columns whose cells are codes, by sheet, and the macro of LABELS that words each code.
CODED: dict[str, dict[str, str]] = {
    "people": {"gender": "gender", "language": "language", "role": "role"},
    "tasks": {"state": "task_state"},
    "reports": {"state": "report_state"},
    "missing": {"state": "report_state"},
    "invites": {"role": "role"},
    "materials": {"material_kind": "material_kind", "state": "material_state"},
}


async def export_sheets(
    session: AsyncSession,
    templates: Templates,
    kind: ExportKind,
    lang: Language,
    today: dt.date,
    *,
    keys: bool = False,
) -> list[ExportTable]:
    """An export's sheets (`advisorybot export`, the web view's exports): the kind's table
    (for reports, also who is missing which month), worded in `lang` for a person, or with the
    stable keys and codes for a script (`keys`)."""
    tables = [await export_rows(session, kind, titles=lang)]
    if kind is ExportKind.REPORTS:
        tables.append(await missing_reports(session, today))
    if keys:
        return tables
    questions = await report_questions(session) if kind is ExportKind.REPORTS else {}
    words = templates.words(lang.value, LABELS)
    return [
        replace(worded(table, words, questions=questions), people=table.people) for table in tables
    ]


def worded(
    table: ExportTable,
    words: Words,
    *,
    questions: Mapping[str, ReportQuestion] | None = None,
    unseen: Sequence[Mapping[str, Cell]] = (),
) -> ExportTable:
    """`table` for a person: report answers headed by their question (`questions`), booleans
    as yes or no, codes as words; a code's word may read the row's other cells by key, and
    `unseen` (one mapping a row) adds cells it reads that the table does not show."""
    coded = CODED.get(table.title, {})
    rows: list[list[Cell]] = []
    for index, row in enumerate(table.rows):
        cells = dict(zip(table.headers, row, strict=True))
        if unseen:
            cells.update(unseen[index])
        rows.append(
            [
                _cell(words, coded.get(key), value, cells)
                for key, value in zip(table.headers, row, strict=True)
            ]
        )
    headers = [_header(words, table.title, key, questions or {}) for key in table.headers]
    return ExportTable(words("sheet", name=table.title), headers, rows)


def _header(words: Words, sheet: str, key: str, questions: Mapping[str, ReportQuestion]) -> str:
    if key.startswith(ANSWER_PREFIX):
        answer = key.removeprefix(ANSWER_PREFIX)
        return words("answer", key=answer, question=questions.get(answer))
    return words("header", sheet=sheet, key=key)


def _cell(words: Words, macro: str | None, value: Cell, cells: Mapping[str, Cell]) -> Cell:
    if isinstance(value, bool):
        return words("yes_no", value=value)
    if macro is None or value is None:
        return value
    return words(macro, value=value, row=cells)
