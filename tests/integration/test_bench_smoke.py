"""The benchmark harness runs end to end at tiny sizes, so it never rots (bench/README.md).

It asserts the shape of bench's results file and that every benchmark produced a number; it
never asserts a time: benchmarks measure, tests do not time anything.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

from bench.__main__ import NAMES
from bench.openloop import ASK, FULL_PLAN, PRESS, QUICK_PLAN, STATUS, Plan

PROJECT = Path(__file__).resolve().parent.parent.parent
AREAS = set(NAMES)  # every benchmark the command runs reports
RESULT_KEYS = {"name", "value", "unit", "baseline", "baseline_name", "goal", "ratio", "met"}
LATENCY = {
    f"latency.{what}.sqlite"
    for what in (
        *(f"{exchange}_p{rank}" for exchange in ("status", "question") for rank in (50, 95, 99)),
        "cpu_share",
        "rate",
        "lost",
    )
}
GOALS = {  # issue 23: each against the echo bot's in the same run
    "inbound.status_cpu.sqlite": "ratio <= 2",
    "inbound.question_cpu.sqlite": "ratio <= 4",
    "latency.status_p95.sqlite": "<= 150 ms",
    "latency.question_p95.sqlite": "<= 300 ms",
    "footprint.startup.sqlite": "<= 0.8 s",
    "footprint.idle_rss.sqlite": "<= 100 MB",
}


def test_every_benchmark_runs_and_reports_a_number(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--out", str(out)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]

    document = json.loads(out.read_text(encoding="utf-8"))
    assert {"date", "cores", "python"} <= set(document["machine"])
    results = document["results"]
    assert {result["name"].split(".")[0] for result in results} == AREAS
    for result in results:
        assert set(result) >= RESULT_KEYS, result
        assert math.isfinite(result["value"]) and result["value"] >= 0, result
        assert result["name"] in done.stdout, "the printed table lists every result"
    goals = [result for result in results if result["goal"] is not None]
    assert all(isinstance(result["met"], bool) for result in goals)

    by_name = {result["name"]: result for result in results}
    assert {name for name in by_name if name.startswith("latency.")} == LATENCY
    assert all(by_name[name]["baseline_name"] for name in LATENCY), "the echo bot's, each"
    assert {name: by_name[name]["goal"] for name in GOALS} == GOALS
    offered = by_name["latency.rate.sqlite"]["details"]
    assert 0 < offered["updates_sent"] <= offered["updates_scheduled"]
    stages = by_name["footprint.idle_rss.sqlite"]["details"]
    assert {"first_status_mb", "first_tick_mb"} <= set(stages), "the RSS at each stage"
    loaded = by_name["footprint.loaded.sqlite"]  # what run's libraries weigh, step by step
    steps = loaded["details"]["steps_mb"]
    assert "the sqlite driver" in steps and len(steps) > 10
    assert math.isclose(loaded["value"], loaded["details"]["interpreter_mb"] + sum(steps.values()))


def test_the_open_loop_schedule_holds_its_rate_mix_and_reading_time() -> None:
    """Every slot an update; a question then three /status; each press at least `think` after
    its message (bench/openloop.py)."""
    for plan in (FULL_PLAN, QUICK_PLAN, Plan(seconds=3.0, think=0.2)):
        schedule = plan.schedule()
        assert len(schedule) == round(plan.rate * plan.seconds)
        asked = {number: slot for slot, (kind, number) in enumerate(schedule) if kind == ASK}
        pressed = {number: slot for slot, (kind, number) in enumerate(schedule) if kind == PRESS}
        statuses = [number for kind, number in schedule if kind == STATUS]
        assert sorted(asked) == sorted(pressed) == list(range(plan.questions()))
        assert statuses == list(range(len(statuses)))
        assert all(pressed[n] - asked[n] >= plan.think * plan.rate for n in asked)
        exchanges = [kind for kind, _ in schedule if kind != PRESS]
        head = exchanges[: 4 * (len(asked) - 1)]  # before the last question: the pattern
        assert head == [ASK, STATUS, STATUS, STATUS] * (len(asked) - 1)
    full = FULL_PLAN.schedule()
    assert sum(kind == ASK for kind, _ in full) == 116
    assert sum(kind == STATUS for kind, _ in full) == 368
