"""Issue 23: `advisorybot run` loads nothing at start that it does not use. Run as a process by
the real command, with Python's import log (PYTHONPROFILEIMPORTTIME) on, until it has answered a
first update: the exports' openpyxl, the digest's XlsxWriter and matplotlib, the calendar
files' icalendar, Alembic, the sandbox's terminal, the local Bot API, the webhook's aiohttp
server (its client is the bot's transport), every country's holidays but Poland's and, on
SQLite, PostgreSQL's SQLAlchemy dialect are not among its imports. (The log also names an
import that failed: PTB tries its webhook extra's tornado, which pyproject.toml does not
install.)"""

from __future__ import annotations

import re

from localapi import ControlClient
from tests.support.bot_process import BotWorld

NOT_AT_START = (
    "openpyxl",
    "xlsxwriter",
    "matplotlib",
    "PIL",
    "numpy",
    "icalendar",
    "prompt_toolkit",
    "sandbox",
    "localapi",
    "aiosmtpd",
    "web",  # the web view: only with WEB_LISTEN
    "asyncpg",  # on SQLite
    "sqlalchemy.dialects.postgresql",  # on SQLite
    "bot.cli.exports",
    "bot.cli.sandbox",
    "alembic",  # the schema check reads its table; the migrations load it
    "holidays.countries",  # every country's holidays: Poland's module is loaded alone
)
IMPORTED = re.compile(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)$", re.MULTILINE)


async def test_run_imports_only_what_it_uses(world: BotWorld, control: ControlClient) -> None:
    world.env["PYTHONPROFILEIMPORTTIME"] = "1"
    world.start()
    await control.until_polling()
    stranger = await control.user(7001, "Ktoś")
    await stranger.say("/start")
    assert "linku" in (await stranger.next_message(within=10)).text  # the stranger's answer
    imported = set(IMPORTED.findall(world.log_text()))
    assert {"telegram", "bot.app", "holidays"} <= imported, "the import log is read"
    loaded = {name for name in imported if name.split(".")[0] in NOT_AT_START}
    loaded |= {name for name in imported if name in NOT_AT_START}
    loaded |= {name for name in imported if name.startswith("aiohttp.web")}  # the server
    assert not loaded, sorted(loaded)
