"""A real SMTP server (aiosmtpd) on a loopback port: it can go down and come back on that port,
and answer chosen recipients with a chosen reply (550, 451, ...)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from core.services import Services
from core.settings import load_settings
from tests.support.bot_process import free_port

MAIL_FROM = "Bot programu <bot@advisory.example.pl>"


@dataclass(frozen=True)
class Received:
    """One message as the server took it: the envelope and the parsed message."""

    sender: str
    recipients: list[str]
    message: EmailMessage


@dataclass
class MailHandler:
    """Keeps every message; `replies` maps a recipient to the reply RCPT gets instead of 250;
    the next `unconfirmed` messages are kept but answered 451 (as if the reply got lost)."""

    received: list[Received] = field(default_factory=list)
    replies: dict[str, str] = field(default_factory=dict)
    unconfirmed: int = 0

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.replies:
            return self.replies[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        content = envelope.original_content.replace(b"\r\n", b"\n")  # as Python writes it
        parsed = message_from_bytes(content, policy=policy.default)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        if self.unconfirmed:
            self.unconfirmed -= 1
            return "451 4.3.0 Try again later"
        return "250 2.0.0 OK: queued"


@dataclass
class SmtpServer:
    """The server on a fixed free port; `stop` and `start` again for "down for a while"."""

    port: int = field(default_factory=free_port)
    handler: MailHandler = field(default_factory=MailHandler)
    login: tuple[str, str] | None = None  # when set: AUTH with these, required (no TLS here)
    _controller: Controller | None = None

    def start(self) -> None:
        assert self._controller is None, "already running"
        auth: dict[str, Any] = {}
        if self.login is not None:
            auth = {"authenticator": self._check, "auth_required": True, "auth_require_tls": False}
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **auth)
        self._controller.start()

    def _check(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        given = (data.login.decode(), data.password.decode())
        return AuthResult(
            success=isinstance(data, LoginPassword) and given == self.login, handled=False
        )

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def to(self, address: str) -> list[EmailMessage]:
        """The messages that reached `address`, in order."""
        return [item.message for item in self.received if address in item.recipients]

    def settings(self) -> dict[str, Any]:
        """Settings fields for a plaintext connection to this server."""
        return {
            "smtp_host": "127.0.0.1",
            "smtp_port": self.port,
            "smtp_tls": "none",
            "mail_from": MAIL_FROM,
        }

    def services(self, services: Services, **overrides: Any) -> Services:
        """The same services (database, clock) with settings pointing at this server."""
        settings = load_settings(
            database_url=services.settings.database_url,
            telegram_bot_username=services.settings.telegram_bot_username,
            _env_file=None,
            **{**self.settings(), **overrides},
        )
        return dataclasses.replace(services, settings=settings)

    def env(self) -> dict[str, str]:
        """The same as environment variables, for the real CLI and bot process."""
        return {name.upper(): str(value) for name, value in self.settings().items()}


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A running SMTP server for the test (import this fixture into the test module)."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()
