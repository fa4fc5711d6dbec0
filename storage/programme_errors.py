"""Why a programme template file is refused, and on which line of the file.

Validation speaks in key paths (`("phase", 3, "months")`); a person fixing the file needs a
line number, so `locate_line` finds the 4th `[[phase]]` table and its `months =` line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic_core import ErrorDetails

Location = tuple[str | int, ...]

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\[\]]+?)\s*\]\]?\s*(#.*)?$")
_SYNTAX_POSITION = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)$")
_WRONG_TYPES = {
    "int_type": "int",
    "string_type": "text",
    "bool_type": "bool",
    "list_type": "list",
    "model_type": "table",
    "dict_type": "table",
    "model_attributes_type": "table",
}


class TemplateError(Exception):
    """A template file the programme cannot use: the file, a 1-based line, a reason code."""

    def __init__(self, path: Path, line: int | None, reason: str, **params: Any) -> None:
        super().__init__(f"{path}:{line}: {reason} {params}")
        self.path = path
        self.line = line
        self.reason = reason
        self.params = params


@dataclass(frozen=True)
class Problem:
    """One broken rule of a parsed template: where (a key path) and why (a reason code)."""

    loc: Location
    reason: str
    params: dict[str, Any] = field(default_factory=dict)


class TemplateInvalid(ValueError):
    """A parsed template (a dict) breaks the template rules."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.loc}: {p.reason}" for p in problems))
        self.problems = problems


def problem_from_pydantic(error: ErrorDetails) -> Problem:
    """Turn one pydantic error into a reason code the message templates know."""
    loc: Location = tuple(error["loc"])
    kind = error["type"]
    ctx = error.get("ctx", {})
    key = next((part for part in reversed(loc) if isinstance(part, str)), "")
    simple = {
        "missing": "missing_key",
        "extra_forbidden": "unknown_key",
        "greater_than": "not_positive",
        "string_too_short": "empty_text",
        "too_short": "empty_list",
    }
    if kind in simple:
        return Problem(loc, simple[kind], {"key": key})
    if kind in _WRONG_TYPES:
        return Problem(loc, "wrong_type", {"key": key, "expected": _WRONG_TYPES[kind]})
    if kind == "greater_than_equal":
        return Problem(loc, "too_small", {"key": key, "limit": ctx["ge"]})
    if kind == "less_than_equal":
        return Problem(loc, "too_large", {"key": key, "limit": ctx["le"]})
    if kind == "string_too_long":
        return Problem(loc, "too_long", {"key": key, "limit": ctx["max_length"]})
    if kind == "literal_error":
        allowed = ", ".join(re.findall(r"'([^']*)'", ctx["expected"]))
        value = str(error["input"])
        return Problem(loc, "not_allowed", {"key": key, "value": value, "allowed": allowed})
    if kind == "string_pattern_mismatch":
        reason = "bad_template_code" if loc == ("code",) else "bad_code"
        return Problem(loc, reason, {"key": key, "value": str(error["input"])})
    return Problem(loc, "invalid", {"key": key})


def syntax_error_position(message: str, text: str) -> tuple[int, int | None, str]:
    """Line, column and detail of a tomllib error (its position is only in the message)."""
    match = _SYNTAX_POSITION.search(message)
    if match is None:
        return 1, None, message
    detail = message[: match.start()]
    if match.group(1) is None:
        return max(1, len(text.splitlines())), None, detail
    return int(match.group(1)), int(match.group(2)), detail


@dataclass(frozen=True)
class _Header:
    line: int
    name: str
    array: bool


def locate_line(text: str, loc: Location) -> int:
    """The 1-based line of `loc` in a TOML text: the key's line, else its table's header."""
    lines = text.splitlines()
    headers = [
        _Header(number, match.group(2).replace(" ", ""), match.group(1) == "[[")
        for number, line in enumerate(lines, start=1)
        if (match := _HEADER.match(line))
    ]
    table: _Header | None = None
    path = ""
    rest = list(loc)
    while rest and isinstance(rest[0], str):
        name = f"{path}.{rest[0]}" if path else rest[0]
        indexed = len(rest) > 1 and isinstance(rest[1], int)
        same = [h for h in headers if h.name == name and h.array == indexed]
        position = rest[1] if indexed else 0
        assert isinstance(position, int)
        if position >= len(same):
            break
        table, path = same[position], name
        rest = rest[2:] if indexed else rest[1:]
    first = table.line + 1 if table else 1
    following = [h.line for h in headers if h.line >= first]
    last = following[0] - 1 if following else len(lines)
    if rest and isinstance(rest[0], str):
        key = re.compile(rf"""^\s*(["']?){re.escape(rest[0])}\1\s*=""")
        for number in range(first, last + 1):
            if key.match(lines[number - 1]):
                return number
    return table.line if table else 1
