"""/moje_dane (GDPR Art. 15): everything stored about a person as two files, JSON and the same
as a CSV table headed in their language (the files they sent are copied by notices.files)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from core.services import Services
from storage.exports import ExportTable
from storage.personal_data import flat_rows
from storage.spreadsheets import csv_bytes

LABELS = "tg/labels.txt.j2"
COLUMNS = ("section", "item", "field", "value")


@dataclass(frozen=True)
class DataFile:
    """One file of the person's data: `format` (json, csv) names its caption too."""

    format: str
    name: str
    content: bytes


def data_files(services: Services, lang: str, data: dict[str, Any]) -> list[DataFile]:
    """The data as JSON, then as a CSV table (a row a value), named in the reader's language."""
    templates = services.templates
    stem = templates.macro(lang, LABELS, "my_data_file")
    column = templates.words(lang, "tg/my_data_labels.txt.j2")
    table = ExportTable(
        stem,
        [column("column", key=key) for key in COLUMNS],
        [list(row) for row in flat_rows(data)],
    )
    return [
        DataFile("json", f"{stem}.json", json.dumps(data, ensure_ascii=False, indent=2).encode()),
        DataFile("csv", f"{stem}.csv", csv_bytes(table, templates.zone)),
    ]
