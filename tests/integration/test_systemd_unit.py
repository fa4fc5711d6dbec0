"""docs/advisorybot.service is a unit systemd accepts (`systemd-analyze verify`), pointed at
this installation's `advisorybot`: every directive known, every command executable."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.bot_process import ADVISORYBOT

UNIT = Path(__file__).resolve().parents[2] / "docs" / "advisorybot.service"
INSTALLED = "/opt/advisorybot/venv/bin/advisorybot"


def test_the_systemd_unit_verifies(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (Debian's systemd package)")
    text = UNIT.read_text(encoding="utf-8")
    assert f"ExecStartPre={INSTALLED} db upgrade" in text and f"ExecStart={INSTALLED} run" in text
    unit = tmp_path / UNIT.name
    unit.write_text(text.replace(INSTALLED, ADVISORYBOT), encoding="utf-8")
    verified = subprocess.run(
        [analyze, "verify", "--man=no", str(unit)], capture_output=True, text=True, check=False
    )
    assert (verified.returncode, verified.stderr.strip()) == (0, ""), verified.stderr
