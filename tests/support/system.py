"""What the tests need from the machine rather than from pip (tools/system-deps installs it):
missing here, its tests are skipped; missing in CI, which installs it, they fail."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def not_installed(what: str) -> NoReturn:
    if os.environ.get("CI"):
        pytest.fail(f"{what} is not installed; CI installs it (tools/system-deps) to test with it")
    pytest.skip(f"{what} is not installed here (tools/system-deps installs it; CI does)")
