"""Bad input, table-driven (issue 16): every command with bad arguments, odd texts, files
where text is expected, edits, group chats and forged button data, typed by a member, an
adviser and a coordinator of the demo world against the real bot (in process, over the local
Bot API); then bad arguments to the operator's CLI; on SQLite and PostgreSQL. Each input gets
a clear reply (in Polish on Telegram, never the internal-error one; a refusal and no
traceback in the CLI), and nothing that matters changes in the database.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import Awaitable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.services import Services
from localapi import ControlClient
from sandbox.runtime import Sandbox
from storage.models import (
    AdviserAssignment,
    Answer,
    AuditEntry,
    Base,
    OutboxMessage,
    OutboxState,
    Person,
    Question,
    TaskProgress,
)
from tests.support.bad_files import bad_team_files
from tests.support.cli_runs import invoke, output_folder
from tests.support.sandbox_chat import People, first_after, message_with

TOMASZ = "tomasz.wrobel@stary-sacz.example.pl"  # a member in Stary Sącz
AGNIESZKA = "agnieszka.kowalczyk@stary-sacz.example.pl"  # asks Krzysztof a question
JOANNA = "joanna.mazur@lublin.example.pl"  # asks Beata a question
KRZYSZTOF = "krzysztof.pawlak@doradcy.example.pl"  # the adviser of Stary Sącz
BEATA = "beata.wozniak@doradcy.example.pl"  # the adviser of Lublin
RENATA = "renata.kaminska@ore.example.pl"  # the coordinator
INTERNAL_ERROR = "Przepraszam, coś poszło nie tak"
POLISH = re.compile(r"[ąćęłńóśźż]|\b(jest|nie|przycisk|polecenie|tego)\b", re.IGNORECASE)
GROUP = -1_000_777
UNTOUCHED_TABLES = {"forms", "message_links", "invite_attempts", "outbox", "app_keys"}

TEXTS = [
    "\x00",
    "pytanie\x00z zerem",
    "\u202eodwrócony tekst",
    "\u200b\u200b\u200b",
    "   ",
    "\n\t\n",
    "a" * 4096,
    "ż" * 4096,
    "<b>&amp;</script><i>",
    "*gruby* _kursywa_ `kod` [link](http://x.example)",
    "😀😀😀",
    "\U0001f469\u200d\U0001f4bb",
]
FORGED_DATA = [
    "zz:1",
    "f:",
    "f:00:send\x00",
    "x" * 64,
    "y" * 65,
    "lang:xx",
    "lang:",
    "erase:zz",
    "wd:zz",
    "tk:",
    "tk:a:x:y:z",
    "qteam:",
    "qteam:abc:def",
    "notice:zz",
    ":::",
    "\x00",
]
FILES: list[tuple[str, bytes, dict[str, object]]] = [
    ("sticker", b"RIFF\x00\x00WEBP", {"emoji": "😀"}),
    ("voice", b"OggS\x00junk", {"duration": 3}),
    ("document", b"\x00\x01\x02binary", {"file_name": "x.bin", "mime_type": "application/x"}),
    ("document", b"<script>", {"file_name": "\u202egpj.html", "caption": "\x00"}),
]


async def snapshot(services: Services) -> dict[str, object]:
    """What bad input must not change: every table's row count (but forms, message links,
    invite attempts), outbox rows other than replies to the caller and the rules' own (the
    tick plans reminders and digests meanwhile), the people's languages,
    questions' states, shared answers, extensions and substitutes."""
    found: dict[str, object] = {}
    async with services.sessionmaker() as session:
        for table in Base.metadata.sorted_tables:
            if table.name not in UNTOUCHED_TABLES:
                count = select(func.count()).select_from(table)
                found[table.name] = await session.scalar(count)
        others = select(OutboxMessage.kind).where(
            OutboxMessage.kind.not_like("reply:%"), OutboxMessage.planned_by.is_(None)
        )
        found["outbox"] = sorted(await session.scalars(others))
        found["languages"] = sorted(map(str, await session.scalars(select(Person.language))))
        found["questions"] = sorted(map(str, await session.scalars(select(Question.state))))
        found["shared"] = await session.scalar(
            select(func.count()).where(Answer.to_team.is_(True))
        )
        found["extended"] = sorted(
            map(str, await session.scalars(select(TaskProgress.extended_until)))
        )
        found["substitutes"] = sorted(
            map(str, await session.scalars(select(AdviserAssignment.substitute_id)))
        )
        found["audit"] = await session.scalar(select(func.count()).select_from(AuditEntry))
    return found


class Matrix:
    """Sends inputs one by one and checks each reply and the database after it."""

    def __init__(self, box: Sandbox) -> None:
        self.control: ControlClient = box.running.control
        self.services = box.running.services
        self.inputs: set[tuple[str, str, str]] = set()
        self.before: dict[str, object] = {}

    async def start(self) -> None:
        await self.control.until_delivered()
        self.before = await snapshot(self.services)

    async def check(
        self, who: str, kind: str, shown: str, chat: int, sent: Awaitable[object]
    ) -> None:
        key = (who, kind, shown)
        assert key not in self.inputs, key
        self.inputs.add(key)
        event = await first_after(self.control, chat, ("message", "callback_answer"), sent)
        text = event.message.text if event.message is not None else event.data.get("text") or ""
        assert text, (key, "answered with nothing")
        assert INTERNAL_ERROR not in text, key
        assert POLISH.search(text), (key, text)
        await self.control.until_delivered()
        await replies_sent(self.services)
        assert await snapshot(self.services) == self.before, (key, text)


async def replies_sent(services: Services) -> None:
    """Waits until every reply queued so far is out: a long reply goes in parts, and the next
    input's reply must not be taken for the rest of this one."""
    on_the_way = (OutboxState.PENDING, OutboxState.CLAIMED, OutboxState.SENDING)
    query = select(func.count()).where(
        OutboxMessage.kind.like("reply:%"), OutboxMessage.state.in_(on_the_way)
    )
    for _ in range(300):
        async with services.sessionmaker() as session:
            if not await session.scalar(query):
                return
        await asyncio.sleep(0.02)
    raise AssertionError("replies still on their way")


def day(services: Services, days: int, form: str = "%d.%m.%Y") -> str:
    today = services.clock.now().astimezone(services.settings.zone).date()
    return (today + dt.timedelta(days=days)).strftime(form)


async def ask(control: ControlClient, user_id: int, text: str) -> None:
    await control.say(user_id, text)
    draft = await message_with(control, user_id, "f:")
    await control.press(user_id, draft.message_id, draft.buttons[0][1] or "")
    await control.until_delivered()


def command_inputs(services: Services, own: int, other: int) -> dict[str, list[str]]:
    """Bad commands by role (the role that may use each, so the handler itself answers)."""
    d1, d2 = day(services, 3), day(services, 5)
    iso = day(services, 60, "%Y-%m-%d")
    adviser = [
        *(
            f"/{name} {args}".rstrip()
            for name in ("odpowiedz", "zamknij")
            for args in (
                "",
                "abc",
                "0",
                "1234567890",
                "-5",
                "999999 tekst",
                "99999999999999999999",
                f"{other} tekst",
                "1.5 tekst",
                "! tekst",
                "\u200b",
            )
        ),
        f"/odpowiedz {other}! tekst",
        f"/odpowiedz {own}",
        f"/odpowiedz {own}!",
        *(
            f"/przedluz {args}".rstrip()
            for args in (
                "",
                "abc",
                "1210133",
                "1210133 ZW1",
                f"12101 ZW1 {iso}",
                f"9999999 ZW1 {iso}",
                f"0663011 ZW1 {iso}",
                f"1210133 ZZ9 {iso}",
                "1210133 ZW1 2027-02-30",
                "1210133 ZW1 30.02.2027",
                "1210133 ZW1 jutro",
                "1210133 ZW1 2000-01-01",
                "1210133 ZW1 2099-13-01",
                "1210133 ZW1 99999-01-01",
                f"abcdefg ZW1 {iso}",
            )
        ),
        *(
            f"/zastepstwo {args}".rstrip()
            for args in (
                "",
                "nie-email",
                f"a@b {d1} {d2}",
                f"nikt@example.pl {d1} {d2}",
                f"{BEATA} {d2} {d1}",
                f"{BEATA} 01.01.2000 02.01.2000",
                f"{BEATA} 31.02.2027 01.03.2027",
                f"{KRZYSZTOF} {d1} {d2}",
                f"{TOMASZ} {d1} {d2}",
                f"{RENATA} {d1} {d2}",
                f"{BEATA} jutro pojutrze",
                f"{BEATA} {d1}",
                f"{BEATA}\x00 {d1} {d2}",
            )
        ),
    ]
    member = [
        *(
            f"/uchwala {args}".rstrip()
            for args in (
                "",
                "abc",
                "12/2026",
                "XII/34/2026 2026-02-30",
                "XII/34/2026 30.02.2026",
                "XII/34/2026 jutro",
                "XII/34/2026 2999-01-01",
                f"{'X' * 300} 2026-01-05",
                "XII/34/2026 2026-13-01",
                "\x00 2026-01-05",
            )
        ),
        "/pytanie",
        "/pytanie    ",
    ]
    everyone = [
        "/jezyk xx",
        "/jezyk ąę",
        "/start",
        "/start junk",
        "/start " + "A" * 64,
        "/start ' or 1=1 --",
        "/nieznane",
        "/ODPOWIEDZ abc",
        "/zadania@inny_bot",
    ]
    return {"member": member + everyone, "adviser": adviser + everyone, "coordinator": everyone}


async def test_bad_input_is_answered_and_changes_nothing(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One sandbox a database: the Telegram matrix, then the CLI's on the same world."""
    assert await telegram_matrix(sandbox) >= 110
    assert await cli_matrix(sandbox.running.services, output_folder(tmp_path, monkeypatch)) >= 50


async def telegram_matrix(sandbox: Sandbox) -> int:
    """Returns how many distinct inputs it sent."""
    running = sandbox.running
    control, services = running.control, running.services
    people = People(sandbox)
    for email in (TOMASZ, AGNIESZKA, JOANNA, KRZYSZTOF, BEATA, RENATA):
        await people.join(email)
    await ask(control, people.ids[AGNIESZKA], "Czy arkusze wypełniamy dla każdej szkoły?")
    await ask(control, people.ids[JOANNA], "Kiedy jest termin sprawozdania?")
    async with services.sessionmaker() as session:
        own, other = await session.scalars(select(Question.id).order_by(Question.id))
    callers = {
        "member": people.ids[TOMASZ],
        "adviser": people.ids[KRZYSZTOF],
        "coordinator": people.ids[RENATA],
    }
    await control.group(GROUP, "Zespół", [people.ids[TOMASZ], people.ids[KRZYSZTOF]])
    matrix = Matrix(sandbox)
    await matrix.start()
    commands = command_inputs(services, own, other)
    for who, user_id in callers.items():
        for text in commands[who] + TEXTS:
            await matrix.check(who, "text", text, user_id, control.say(user_id, text))
        if who == "adviser":
            text = "Odpowiedź bez pytania."
            await matrix.check(who, "free", text, user_id, control.say(user_id, text))
        welcome = (await control.received(user_id))[0]
        sent = control.say(user_id, "A to?", reply_to=welcome.message_id)
        await matrix.check(who, "reply", "welcome", user_id, sent)
        for kind, content, details in FILES:
            sent = control.send_file(user_id, kind, content, **details)
            await matrix.check(who, "file", f"{kind} {details}", user_id, sent)
        mine = [m for m in await control.messages(user_id) if m.text == TEXTS[-1]][-1]
        sent = control.edit(user_id, mine.message_id, "/zamknij 1")
        await matrix.check(who, "edit", "", user_id, sent)
        last = (await control.received(user_id))[-1]
        for data in FORGED_DATA:
            pressed = control.press(user_id, last.message_id, data, forged=True)
            await matrix.check(who, "press", data, user_id, pressed)
    for who in ("member", "adviser"):
        for text in ("dzień dobry", "/status", f"/odpowiedz {own} tekst"):
            sent = control.say(callers[who], text, chat_id=GROUP)
            await matrix.check(who, "group", text, GROUP, sent)
    return len(matrix.inputs)


def cli_inputs(folder: Path, sent_row: int) -> list[tuple[str, ...]]:
    """Bad operator commands, each refused with a reason."""
    later = "2099-01-15"
    out = str(folder / "out.csv")
    files = [("import", str(path), "--cohort", "Piaskownica") for path in bad_team_files(folder)]
    return [
        *files,
        ("import", str(folder / "missing.csv"), "--cohort", "Piaskownica"),
        ("import", str(folder), "--cohort", "Piaskownica"),
        ("import", str(folder / "empty.csv")),
        ("import", str(folder / "bad-role.csv"), "--cohort", "nie-ma-takiej"),
        ("import", "--cohort", "Piaskownica"),
        ("invites", "--out", str(folder / "a.pdf")),
        ("invites", "--cohort", "nie-ma-takiej", "--out", out),
        ("invites", "--send", "--out", out),
        ("invites", "--resend"),
        ("invites", "--out", str(folder / "no" / "such" / "dir.csv")),
        ("invites",),
        ("outbox", "retry", "999999"),
        ("outbox", "retry", "abc"),
        ("outbox", "retry", "0"),
        ("outbox", "retry", "-1"),
        ("outbox", "retry", "99999999999999999999"),
        ("outbox", "retry", str(sent_row)),
        ("outbox", "retry"),
        ("outbox", "--state", "lost"),
        ("erase", "nikt@example.pl"),
        ("erase", "to-nie-email"),
        ("erase", ""),
        ("erase",),
        ("extend", "9999999", "ZW1", later),
        ("extend", "1210133", "ZZ9", later),
        ("extend", "1210133", "ZW1", "2027-02-30"),
        ("extend", "1210133", "ZW1", "30.02.2027"),
        ("extend", "1210133", "ZW1", "jutro"),
        ("extend", "1210133", "ZW1", "2000-01-01"),
        ("extend", "abc", "ZW1", later),
        ("extend", "1210133", "ZW1"),
        ("cohort", "add", "Piaskownica", "--start", "2027-01-01"),
        ("cohort", "add", "Nowa", "--start", "2027-02-30"),
        ("cohort", "add", "Nowa", "--start", "jutro"),
        ("cohort", "add", "Nowa"),
        ("cohort", "add", "", "--start", "2027-01-01"),
        ("cohort", "add", "Nowa", "--start", "2027-01-01", "--template", str(folder / "x")),
        (
            "cohort",
            "add",
            "Nowa",
            "--start",
            "2027-01-01",
            "--template",
            str(folder / "cp1250.csv"),
        ),
        ("cohort", "show", "nie-ma-takiej"),
        ("cohort", "show", ""),
        ("digest", "preview", "--out", str(folder / "d.html"), "--now", "wczoraj"),
        ("digest", "preview", "--out", str(folder / "d.html"), "--now", "2027-02-30T08:00"),
        ("digest", "preview"),
        ("digest", "send", "--now", "wczoraj"),
        ("digest", "opt-out", "nikt@example.pl"),
        ("digest", "opt-out", TOMASZ),
        ("digest", "opt-in", "nikt@example.pl"),
        ("reminders", "preview", "--days", "0"),
        ("reminders", "preview", "--days", "401"),
        ("reminders", "preview", "--days", "abc"),
        ("reminders", "preview", "--jst", "9999999"),
        ("reminders", "preview", "--now", "jutro"),
        ("export", "nic", "--out", out),
        ("export", "people", "--out", str(folder / "a.pdf")),
        ("export", "people"),
        ("frobnicate",),
        ("cohort", "frobnicate"),
        ("outbox", "frobnicate"),
        ("digest", "frobnicate"),
        ("db", "frobnicate"),
        ("--bogus",),
        ("indicators", "--bogus"),
    ]


async def cli_matrix(services: Services, folder: Path) -> int:
    """Every bad command: a non-zero exit with a reason, no traceback, nothing changed."""
    async with services.sessionmaker() as session:
        sent_row = await session.scalar(
            select(func.min(OutboxMessage.id)).where(OutboxMessage.state == OutboxState.SENT)
        )
    assert sent_row is not None
    commands = cli_inputs(folder, sent_row)
    assert len(set(commands)) == len(commands)
    before = await snapshot(services)
    for arguments in commands:
        result = await invoke(services, *arguments)
        shown = f"advisorybot {' '.join(arguments)}"
        assert result.exit_code != 0, (shown, result.output)
        assert "Traceback" not in result.output, (shown, result.output)
        assert isinstance(result.exception, SystemExit | None), (shown, result.exception)
        assert result.output.strip(), (shown, "refused without a reason")
        assert await snapshot(services) == before, shown
    return len(commands)
