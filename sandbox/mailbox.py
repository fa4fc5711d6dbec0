"""The sandbox's mail server: an SMTP sink on a loopback port that keeps every e-mail as a file.

It runs in the sandbox's own event loop (aiosmtpd's protocol on `loop.create_server`), takes
any sender and recipient without TLS or login, and writes `NNNN.eml` files that any mail
program opens; `/inbox` and the walk's report read them back.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP

START_PARAMETER = re.compile(r"\?start=([A-Za-z0-9_-]+)")
FILE_NAME = "{number:04d}.eml"  # sorted by name up to 9999, by number always


@dataclass(frozen=True)
class Mail:
    """One stored e-mail: its number (file order), recipients, subject, date and text."""

    number: int
    recipients: tuple[str, ...]
    subject: str
    date: dt.datetime | None
    text: str


class _Keeper:
    """aiosmtpd's handler: every message becomes the next numbered file."""

    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        content = envelope.original_content.replace(b"\r\n", b"\n")
        path = self.mailbox.keep(content)
        # The bot records this reply with the outbox row(s) the e-mail carried (batched alerts
        # are several rows): the file name ties each row to the e-mail a person got.
        return f"250 2.0.0 OK: kept as {path.name}"


class Mailbox:
    """A directory of numbered .eml files, with the SMTP server that fills it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._server: asyncio.Server | None = None
        self._parsed: dict[int, Mail] = {}  # files never change once written
        self.port = 0

    async def start(self, host: str = "127.0.0.1") -> int:
        """Listen on a free loopback port; returns it."""
        self.directory.mkdir(parents=True, exist_ok=True)
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: SMTP(_Keeper(self), hostname=host, enable_SMTPUTF8=True), host, 0
        )
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self.port

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    def keep(self, content: bytes) -> Path:
        """Store a message as the next number (after the highest, so none is overwritten)."""
        numbers = self._numbers()
        path = self.directory / FILE_NAME.format(number=max(numbers, default=0) + 1)
        path.write_bytes(content)
        return path

    def mails(self) -> list[Mail]:
        """Every stored e-mail, oldest first."""
        return [self._mail(number) for number in sorted(self._numbers())]

    def mail(self, number: int) -> Mail | None:
        return self._mail(number) if number in self._numbers() else None

    def _mail(self, number: int) -> Mail:
        if number not in self._parsed:
            self._parsed[number] = _read(number, self.directory / FILE_NAME.format(number=number))
        return self._parsed[number]

    def invitation_code(self, address: str) -> str | None:
        """The code of the newest invitation link e-mailed to `address`, if any."""
        wanted = address.strip().lower()
        for mail in reversed(self.mails()):
            found = START_PARAMETER.search(mail.text)
            if found and wanted in mail.recipients:
                return found[1]
        return None

    def _numbers(self) -> set[int]:
        if not self.directory.exists():
            return set()
        return {int(path.stem) for path in self.directory.glob("*.eml") if path.stem.isdigit()}


def _read(number: int, path: Path) -> Mail:
    parsed = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    recipients = tuple(address.lower() for _, address in getaddresses(parsed.get_all("To", [])))
    date = parsed["Date"]
    body = parsed.get_body(preferencelist=("plain", "html"))
    return Mail(
        number=number,
        recipients=recipients,
        subject=str(parsed["Subject"] or ""),
        date=parsedate_to_datetime(str(date)) if date else None,
        text=body.get_content() if body is not None else "",
    )
