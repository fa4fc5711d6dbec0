"""Benchmark results: one row each (value, same-run baseline, ratio, goal), the table and the
JSON file with the machine they were measured on."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

RESULTS_FILE = Path(__file__).with_name("results.json")
COLUMNS = ("name", "value", "unit", "baseline", "ratio", "goal", "met")


@dataclass(frozen=True)
class Goal:
    """A bound on the value (`at_most` or `at_least`), or on the ratio when `on_ratio`."""

    bound: float
    at_most: bool = True
    on_ratio: bool = False

    def met(self, value: float, ratio: float | None) -> bool | None:
        measured = ratio if self.on_ratio else value
        if measured is None:
            return None
        return measured <= self.bound if self.at_most else measured >= self.bound

    def text(self, unit: str) -> str:
        sign = "<=" if self.at_most else ">="
        return f"ratio {sign} {self.bound:g}" if self.on_ratio else f"{sign} {self.bound:g} {unit}"


@dataclass(frozen=True)
class Result:
    """One measured number, with what it was compared against in the same run."""

    name: str
    value: float
    unit: str
    baseline: float | None = None
    baseline_name: str | None = None
    goal: Goal | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.baseline == 0:
            return None
        return self.value / self.baseline

    @property
    def met(self) -> bool | None:
        return None if self.goal is None else self.goal.met(self.value, self.ratio)

    def cells(self) -> tuple[str, ...]:
        met = {True: "yes", False: "NO", None: ""}[self.met]
        goal = self.goal.text(self.unit) if self.goal else ""
        return (
            self.name,
            _number(self.value),
            self.unit,
            _number(self.baseline),
            _number(self.ratio),
            goal,
            met,
        )

    def as_json(self) -> dict[str, Any]:
        found = asdict(self)
        found["goal"] = self.goal.text(self.unit) if self.goal else None
        return found | {"ratio": self.ratio, "met": self.met}


def table(results: Sequence[Result]) -> str:
    """A plain-text table, also valid Markdown (bench/README.md keeps one)."""
    rows = [COLUMNS, *(result.cells() for result in results)]
    widths = [max(len(row[index]) for row in rows) for index in range(len(COLUMNS))]
    lines = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
        for row in rows
    ]
    lines.insert(1, "|" + "|".join("-" * (width + 2) for width in widths) + "|")
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    """What the numbers were measured on: they mean little without it."""
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "cores": os.cpu_count(),
        "load_average": os.getloadavg(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def write(results: Sequence[Result], options: dict[str, Any], path: Path = RESULTS_FILE) -> None:
    document = {
        "machine": machine(),
        "options": options,
        "results": [result.as_json() for result in results],
    }
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _number(value: float | None) -> str:
    if value is None:
        return ""
    if value == 0 or abs(value) >= 100:
        return f"{value:.0f}"
    return f"{value:.3g}"
