"""Measuring helpers: memory of a process, percentiles, JSON-line reports from worker processes."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

WORKDIR = Path(__file__).resolve().parent.parent  # `python -m bench...` runs from the project
MB = 1024 * 1024


def memory_mb(pid: int | str = "self", field: str = "VmRSS") -> float:
    """A process's resident memory now (VmRSS) or at its peak so far (VmHWM), from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # no /proc: peak only


def cpu_seconds(pid: int | str = "self") -> float:
    """CPU time a process has used so far (user + system, all threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: Sequence[float], rank: float) -> float:
    """Nearest-rank percentile (an observed value), e.g. rank 95 for p95."""
    ordered = sorted(values)
    position = max(1, -(-len(ordered) * rank // 100))
    return ordered[int(position) - 1]


def report(**values: Any) -> None:
    """A worker's result: one JSON line on stdout."""
    print(json.dumps(values, default=str), flush=True)


def run_worker(module: str, *args: str, timeout: float = 3600) -> dict[str, Any]:
    """Run `python -m <module> args...` in a fresh process; its last stdout line, parsed."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=WORKDIR,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{module} failed ({done.returncode}):\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result
