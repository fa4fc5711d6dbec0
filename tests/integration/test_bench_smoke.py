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

PROJECT = Path(__file__).resolve().parent.parent.parent
AREAS = {"inbound", "footprint", "tick", "delivery", "digest", "import", "retention"}
RESULT_KEYS = {"name", "value", "unit", "baseline", "baseline_name", "goal", "ratio", "met"}


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
