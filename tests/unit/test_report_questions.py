"""The report form's questions come from the programme template, checked with line numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.programme import default_template_path, load_template
from storage.programme_errors import TemplateError

SHIPPED = default_template_path().read_text(encoding="utf-8")


def _refusal(tmp_path: Path, text: str) -> TemplateError:
    path = tmp_path / "programme.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TemplateError) as caught:
        load_template(path)
    return caught.value


def _line(text: str, needle: str) -> int:
    return text.splitlines().index(needle) + 1


def test_the_shipped_questions_in_order() -> None:
    questions = load_template(default_template_path()).monitoring.question
    assert [(q.key, q.kind, q.optional, q.only_if) for q in questions] == [
        ("progress", "scale", False, None),
        ("done", "text", False, None),
        ("slipped", "choice", False, None),
        ("obstacles", "text", True, None),
        ("support", "yesno", False, None),
        ("support_what", "text", False, "support"),
    ]


def test_a_duplicate_key_names_its_line(tmp_path: Path) -> None:
    text = SHIPPED.replace('key = "obstacles"', 'key = "done"')
    refusal = _refusal(tmp_path, text)
    second = _line(SHIPPED, 'key = "obstacles"')  # the second "done", not the first
    assert (refusal.reason, refusal.line) == ("duplicate_code", second)


def test_an_unknown_kind_names_its_line(tmp_path: Path) -> None:
    text = SHIPPED.replace('kind = "yesno"', 'kind = "maybe"')
    refusal = _refusal(tmp_path, text)
    assert refusal.line == _line(text, 'kind = "maybe"')
