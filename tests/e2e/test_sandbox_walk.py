"""Issue 8 acceptance: `advisorybot sandbox --walk` rehearses the demo cohort in compressed time,
and the report's counts (read from the local Telegram and the mail sink) match the outbox.

Eight months reach the first task's deadline: the on-time JSTs submit before it and their
adviser accepts, the late one is reminded and alerted about before it submits, the silent one
gets everything by e-mail, two questions are asked and answered, and the members are reminded
of the dated training rounds Z1 and Z2.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import func, select

from sandbox.runtime import DATABASE_FILE
from storage.db import create_engine
from storage.models import (
    Answer,
    Channel,
    Jst,
    OutboxMessage,
    OutboxState,
    Person,
    Question,
    TaskProgress,
    TaskState,
)
from tests.support.bot_process import ADVISORYBOT

# About 30 s alone, most of it drawing the weekly digests' charts (35 weeks, 3 readers); a
# loaded CI machine running tests in parallel may take several times that.
WALK_SECONDS = 280
ON_TIME, LATE, SILENT = "1210133", "0663011", "2012072"


class Counts(HTMLParser):
    """The report's summary table: per person and in total, Telegram messages and e-mails."""

    def __init__(self) -> None:
        super().__init__()
        self.people: dict[str, tuple[int, int]] = {}
        self.total: tuple[int, int] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag != "tr" or found.get("class") not in ("person", "total"):
            return
        counts = (int(found["data-telegram"] or 0), int(found["data-emails"] or 0))
        if found["class"] == "person":
            self.people[str(found["data-email"])] = counts
        else:
            self.total = counts


async def _sent(database: Path) -> dict[str, tuple[int, int]]:
    """By person's e-mail: sent Telegram rows, and the e-mails their sent e-mail rows made (the
    sink's reply names the file; several coordinator alerts share one e-mail). A reply to
    someone the bot did not know yet (`/start CODE`) names their chat instead of the person."""
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    try:
        async with engine.connect() as connection:
            people = (
                await connection.execute(select(Person.id, Person.email, Person.telegram_chat_id))
            ).all()
            rows = (
                await connection.execute(
                    select(
                        OutboxMessage.person_id,
                        OutboxMessage.channel,
                        OutboxMessage.payload,
                        OutboxMessage.external_id,
                    ).where(OutboxMessage.state == OutboxState.SENT)
                )
            ).all()
    finally:
        await engine.dispose()
    by_id = {person_id: email for person_id, email, _ in people}
    by_chat = {chat: email for _, email, chat in people if chat is not None}
    telegram: Counter[str] = Counter()
    emails: dict[str, set[str]] = {email: set() for email in by_id.values()}
    for person_id, channel, payload, external_id in rows:
        email = by_id[person_id] if person_id else by_chat[payload["chat_id"]]
        if channel == Channel.TELEGRAM:
            telegram[email] += 1
        else:
            assert external_id and ".eml" in external_id, external_id
            emails[email].add(external_id)
    return {email: (telegram[email], len(emails[email])) for email in by_id.values()}


async def _states(database: Path) -> tuple[Counter[tuple[str, str]], int, int]:
    """Task states by (TERYT, state); questions asked; answers given."""
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    try:
        async with engine.connect() as connection:
            states = await connection.execute(
                select(Jst.teryt, TaskProgress.state).join(Jst, TaskProgress.jst_id == Jst.id)
            )
            tasks = Counter((teryt, TaskState(state).value) for teryt, state in states)
            questions = await connection.scalar(select(func.count(Question.id)))
            answers = await connection.scalar(select(func.count(Answer.id)))
            return tasks, int(questions or 0), int(answers or 0)
    finally:
        await engine.dispose()


@pytest.mark.timeout(WALK_SECONDS + 20)
async def test_the_walk_report_lists_what_everyone_received_as_the_outbox_sent_it(
    tmp_path: Path,
) -> None:
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "OPERATOR_LANGUAGE": "en"}
    process = await asyncio.create_subprocess_exec(
        ADVISORYBOT,
        "sandbox",
        "--walk",
        "--months",
        "8",
        "--out",
        "report.html",
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    output = (await asyncio.wait_for(process.communicate(), WALK_SECONDS))[0].decode()
    assert process.returncode == 0, output
    assert "Report: report.html" in output

    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    report = Counts()
    report.feed(html)
    database = tmp_path / ".sandbox" / "walk" / DATABASE_FILE
    assert report.people == await _sent(database)
    counts = report.people.values()
    assert report.total == (sum(t for t, _ in counts), sum(e for _, e in counts))
    assert report.total[0] > 0 and report.total[1] > 0

    silent = report.people["grzegorz.sikora@wizajny.example.pl"]
    assert silent[0] == 0 and silent[1] > 1, "never joined: invitation and reminders by e-mail"
    assert report.people["renata.kaminska@ore.example.pl"][0] == 0, "coordinators read e-mail"
    tasks, questions, answers = await _states(database)
    assert tasks[(ON_TIME, "accepted")] == 1, "ZW1 submitted before the deadline, accepted"
    assert tasks[(LATE, "submitted")] + tasks[(LATE, "accepted")] == 1, "ZW1 after reminders"
    assert not any(teryt == SILENT for teryt, _ in tasks)
    assert questions == 2 and answers == 2
    assert "Czy debatę możemy przeprowadzić w formule online?" in html, "Lublin's question"
    assert "Termin minął" in html, "Lublin was reminded after its deadline"
    # Rounds Z1 and Z2 fall in the eight months: their members are reminded the working day
    # before (and 7 before) on Telegram, with the place, and the silent JST's by e-mail.
    assert "zjazd szkoleniowy – jutro: " in html
    assert "Gdzie: Ośrodek Rozwoju Edukacji, Al. Ujazdowskie 28, Warszawa" in html
    assert re.search(r"II zjazd szkoleniowy: \d+ \w+ \d{4} – jutro", html), "an e-mail's subject"
