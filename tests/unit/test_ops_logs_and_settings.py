"""Issue 24's operator settings and log lines: LOG_FORMAT=json writes one JSON object a line with
the ids known and no secret; LOG_LEVEL and OPS_LISTEN are read from the environment (a bad value
is named in one line: test_settings.py); every verdict of outbox/policy.py has its outcome."""

from __future__ import annotations

import json
import logging
import typing
import warnings
from types import SimpleNamespace

import pytest

from core.logging_setup import CURRENT_UPDATE, REDACTED, outbox_ids, setup_logging
from core.metrics import OUTCOMES
from core.settings import load_settings
from outbox.policy import Verdict

TOKEN = "987654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"
PASSWORD = "smtp-Secret-7"


def json_lines(err: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in err.splitlines()]


def test_a_json_line_has_the_ids_it_knows_and_no_secret(
    capsys: pytest.CaptureFixture[str],
) -> None:
    setup_logging([TOKEN, PASSWORD], "DEBUG", "json")
    log = logging.getLogger("outbox.telegram_sender")
    row = SimpleNamespace(id=41, person_id=7)
    token = CURRENT_UPDATE.set(1234)
    try:
        log.info("outbox row %s sent with %s", 41, TOKEN, extra=outbox_ids(row))
    finally:
        CURRENT_UPDATE.reset(token)
    log.debug("no update now", extra=outbox_ids(SimpleNamespace(id=42, person_id=None)))
    try:
        raise ConnectionError(f"password {PASSWORD}")
    except ConnectionError:
        log.exception("the pass failed")

    first, second, third = json_lines(capsys.readouterr().err)
    assert first["message"] == f"outbox row 41 sent with {REDACTED}"
    assert (first["level"], first["logger"]) == ("INFO", "outbox.telegram_sender")
    assert (first["update_id"], first["outbox_id"], first["person_id"]) == (1234, 41, 7)
    assert str(first["time"]).endswith("+00:00")
    assert second["outbox_id"] == 42
    assert "update_id" not in second and "person_id" not in second
    assert "ConnectionError" in str(third["traceback"]) and REDACTED in str(third["traceback"])
    assert PASSWORD not in json.dumps(third)


def test_a_warning_is_a_json_line_too(capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging([TOKEN], "INFO", "json")
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn(f"deprecated: {TOKEN}", DeprecationWarning, stacklevel=1)
    (line,) = json_lines(capsys.readouterr().err)
    assert line["logger"] == "py.warnings" and line["level"] == "WARNING"
    assert "DeprecationWarning" in str(line["message"]) and TOKEN not in str(line["message"])


def test_the_level_holds_back_what_is_below_it(capsys: pytest.CaptureFixture[str]) -> None:
    settings = load_settings(_env_file=None, log_level="warning")
    assert settings.log_level == "WARNING" and settings.log_format == "text"
    setup_logging([], settings.log_level, settings.log_format)
    logging.getLogger("bot.app").info("not written")
    logging.getLogger("bot.app").warning("written")
    (line,) = capsys.readouterr().err.splitlines()
    assert line.endswith("WARNING bot.app: written")


@pytest.mark.parametrize(
    ("value", "address"),
    [
        ("", None),
        ("8081", ("127.0.0.1", 8081)),
        ("127.0.0.1:9100", ("127.0.0.1", 9100)),
        ("[::1]:9100", ("::1", 9100)),
        ("0.0.0.0:8081", ("0.0.0.0", 8081)),  # in a container, behind its network
    ],
)
def test_ops_listen(monkeypatch: pytest.MonkeyPatch, value: str, address: object) -> None:
    monkeypatch.setenv("OPS_LISTEN", value)
    assert load_settings(_env_file=None).ops_address == address


def test_every_verdict_has_its_outcome() -> None:
    verdicts = {kind.__name__ for kind in typing.get_args(Verdict)}
    assert verdicts == set(OUTCOMES)
    assert len(set(OUTCOMES.values())) == len(OUTCOMES)
