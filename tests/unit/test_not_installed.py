"""A tool the tests need from the machine (PostgreSQL, chromium) is skipped where it is missing,
and fails the tests in CI, which installs it."""

from __future__ import annotations

import pytest

from tests.support.system import not_installed


def test_missing_here_skips(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="chromium is not installed here"):
        not_installed("chromium")


def test_missing_in_ci_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="chromium is not installed; CI installs it"):
        not_installed("chromium")
