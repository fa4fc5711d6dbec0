"""A bad template file is refused with the right line and reason, for every rule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from storage.programme import default_template_path, load_template
from storage.programme_errors import TemplateError, locate_line, syntax_error_position

# A small valid template; the line numbers below refer to it.
MINIMAL = """\
code = "mini"
title_pl = "Mini"
title_en = "Mini"

[[phase]]
code = "A"
kind = "training"
title_pl = "A"
title_en = "A"
months = 2

[[phase]]
code = "B"
kind = "monitoring"
title_pl = "B"
title_en = "B"
months = 1

[[task]]
code = "T1"
title_pl = "T"
title_en = "T"
due_at_end_of = "A"

[monitoring]
starts = "phase"
starts_at_end_of = "A"
reports = 2
due_day = 10
report_title_pl = "Raport {number}"
report_title_en = "Report {number}"

[review]
first_review_days = 7
fix_days = 5
rereview_days = 5

[reminders]
task_days_before = [7, 0]
task_overdue_alert_days = 7
report_reminder_working_days = [5]
report_adviser_notice_working_days = 15

[indicators]
people = 3
women = 2
men = 1
jsts = 1
"""


SECOND_TASK = '\n[[task]]\ncode = "T2"\ntitle_pl = "T"\ntitle_en = "T"\ndue_at_end_of = "A"'


def _edited(changes: dict[int, str]) -> str:
    """MINIMAL with some 1-based lines replaced (a replacement may hold several lines)."""
    lines = MINIMAL.splitlines()
    return "\n".join(changes.get(number, line) for number, line in enumerate(lines, 1)) + "\n"


def _refusal(tmp_path: Path, text: str | bytes) -> TemplateError:
    path = tmp_path / "programme.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(TemplateError) as caught:
        load_template(path)
    assert caught.value.path == path
    return caught.value


def test_minimal_template_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "programme.toml"
    path.write_text(MINIMAL, encoding="utf-8")
    assert load_template(path).months == 3


@pytest.mark.parametrize(
    ("changes", "line", "reason", "params"),
    [
        ({10: "months = 0"}, 10, "not_positive", {"key": "months"}),
        ({17: "months = -1"}, 17, "not_positive", {"key": "months"}),
        ({10: "months = 61"}, 10, "too_large", {"key": "months", "limit": 60}),
        ({10: 'months = "2"'}, 10, "wrong_type", {"key": "months", "expected": "int"}),
        ({10: "months = true"}, 10, "wrong_type", {"key": "months", "expected": "int"}),
        ({10: ""}, 5, "missing_key", {"key": "months"}),
        ({16: ""}, 12, "missing_key", {"key": "title_en"}),
        ({14: 'kind = "party"'}, 14, "not_allowed", {"key": "kind", "value": "party"}),
        ({13: 'code = "A"'}, 13, "duplicate_code", {"code": "A"}),
        ({20: 'code = "R02"'}, 20, "duplicate_code", {"code": "R02"}),
        ({20: 'code = "t1"'}, 20, "bad_code", {"value": "t1"}),
        ({1: 'code = "Mini 1"'}, 1, "bad_template_code", {"value": "Mini 1"}),
        ({2: 'title_pl = "  "'}, 2, "empty_text", {"key": "title_pl"}),
        ({23: 'due_at_end_of = "Z"'}, 23, "unknown_phase", {"key": "due_at_end_of", "value": "Z"}),
        ({27: 'starts_at_end_of = "Q"'}, 27, "unknown_phase", {"value": "Q"}),
        ({26: 'starts = "resolution"'}, 27, "only_with_phase", {}),
        ({26: 'starts = "resolution"', 27: ""}, 26, "no_resolution_task", {}),
        ({26: 'starts = "after"'}, 26, "not_allowed", {"key": "starts"}),
        ({27: ""}, 25, "missing_key", {"key": "starts_at_end_of"}),
        ({23: 'due_after = { step = "T9" }'}, 23, "unknown_earlier", {"value": "T9"}),
        ({23: 'due_after = { step = "monitoring", months = 0 }'}, 23, "too_small", {}),
        ({23: 'due_at_end_of = "A"\ndue_after = { step = "DP" }'}, 24, "two_due_rules", {}),
        ({23: ""}, 19, "missing_key", {"key": "due_at_end_of"}),
        (
            {23: f'due_at_end_of = "A"\nplan = true\n{SECOND_TASK}\nplan = true'},
            31,
            "flag_twice",
            {"key": "plan", "code": "T1"},
        ),
        ({28: "reports = 0"}, 28, "too_small", {"key": "reports", "limit": 1}),
        ({28: "reports = 37"}, 28, "too_large", {"key": "reports", "limit": 36}),
        ({29: "due_day = 0"}, 29, "too_small", {"key": "due_day", "limit": 1}),
        ({29: "due_day = 29"}, 29, "too_large", {"key": "due_day", "limit": 28}),
        ({30: 'report_title_pl = "Raport"'}, 30, "missing_placeholder", {}),
        ({36: "rereview_days = 5\ncolour = 5"}, 37, "unknown_key", {"key": "colour"}),
        ({39: "task_days_before = [7, -1]"}, 39, "too_small", {"limit": 0}),
        ({39: "task_days_before = 7"}, 39, "wrong_type", {"expected": "list"}),
        ({48: "jsts = 1\n\n[extra]\nkey = 1"}, 50, "unknown_key", {"key": "extra"}),
        ({33: "", 34: "", 35: "", 36: ""}, 1, "missing_key", {"key": "review"}),
        ({10: "months = 0", 29: "due_day = 99"}, 10, "not_positive", {}),
        ({10: "months = "}, 10, "syntax", {"column": 10}),
        ({33: "[monitoring]"}, 33, "syntax", {}),
        ({48: "jsts = 1\nnote = [1,"}, 49, "syntax", {"column": None}),
    ],
)
def test_refusal_names_the_line_and_the_reason(
    tmp_path: Path, changes: dict[int, str], line: int, reason: str, params: dict[str, Any]
) -> None:
    refusal = _refusal(tmp_path, _edited(changes))
    assert (refusal.line, refusal.reason) == (line, reason)
    assert params.items() <= refusal.params.items()


def test_no_phases_at_all(tmp_path: Path) -> None:
    text = _edited({3: 'title_en = "Mini"\nphase = []'} | {n: "" for n in range(5, 24)})
    refusal = _refusal(tmp_path, text)
    assert (refusal.line, refusal.reason, refusal.params) == (4, "empty_list", {"key": "phase"})


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    text = MINIMAL.replace('title_en = "Mini"', 'title_en = "Mini \xff"').encode("latin-1")
    refusal = _refusal(tmp_path, text)
    assert (refusal.line, refusal.reason) == (3, "not_utf8")


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    for path in (tmp_path / "absent.toml", tmp_path):
        with pytest.raises(TemplateError) as caught:
            load_template(path)
        assert (caught.value.line, caught.value.reason) == (None, "unreadable")


def test_shipped_file_with_a_bad_fourth_phase(tmp_path: Path) -> None:
    lines = default_template_path().read_text(encoding="utf-8").splitlines()
    fourth = [n for n, line in enumerate(lines) if line == "[[phase]]"][3]
    months = next(n for n in range(fourth, len(lines)) if lines[n].startswith("months ="))
    lines[months] = "months = 0"
    refusal = _refusal(tmp_path, "\n".join(lines))
    assert (refusal.line, refusal.reason) == (months + 1, "not_positive")


LOCATOR_TEXT = """\
code = "x"  # top level

[[phase]]
code = "A"
[[ phase ]]   # the second phase
"months" = 2
[monitoring]
reports = 3
[monitoring.extra]
depth = 1
"""


@pytest.mark.parametrize(
    ("loc", "line"),
    [
        (("code",), 1),
        (("title_pl",), 1),
        (("phase", 0, "code"), 4),
        (("phase", 0, "months"), 3),
        (("phase", 1, "months"), 6),
        (("phase", 1), 5),
        (("phase", 7, "months"), 1),
        (("monitoring", "reports"), 8),
        (("monitoring", "due_day"), 7),
        (("monitoring", "extra"), 9),
        (("monitoring", "extra", "depth"), 10),
        (("review", "fix_days"), 1),
    ],
)
def test_locate_line(loc: tuple[str | int, ...], line: int) -> None:
    assert locate_line(LOCATOR_TEXT, loc) == line


def test_syntax_error_position() -> None:
    assert syntax_error_position("Invalid value (at line 3, column 7)", "a\nb\nc\n") == (
        3,
        7,
        "Invalid value",
    )
    assert syntax_error_position("Unclosed array (at end of document)", "a\nb\n") == (
        2,
        None,
        "Unclosed array",
    )
    assert syntax_error_position("Something else", "") == (1, None, "Something else")
