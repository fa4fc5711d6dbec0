"""A browser of the web view for the fast tests: aiohttp's own test server over real loopback
HTTP, signed in through the real link flow (the link read from the outbox row's e-mail).

aiohttp's client keeps no Secure cookie on plain http, so the session cookie is sent by hand.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from core.services import Services
from outbox.telegram_files import FileSource
from storage.models import OutboxMessage
from web.server import build_app
from web.sign_in import SIGN_IN_EMAIL
from web.visit import COOKIE

HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')


@dataclass
class Browser:
    client: TestClient[Any, Any]
    cookie: str | None = None
    wakes: list[int] = field(default_factory=list)  # each wake of the outbox the app asked

    def _headers(self) -> dict[str, str]:
        return {"Cookie": f"{COOKIE}={self.cookie}"} if self.cookie else {}

    async def get(self, path: str) -> tuple[int, str]:
        response = await self.client.get(path, headers=self._headers(), allow_redirects=False)
        return response.status, await response.text()

    async def post(self, path: str, data: Mapping[str, Any]) -> ClientResponse:
        response = await self.client.post(
            path, data=dict(data), headers=self._headers(), allow_redirects=False
        )
        await response.read()
        return response

    async def form(self, page: str, data: Mapping[str, Any], action: str) -> ClientResponse:
        """A form of `page` sent to `action`, with the page's hidden fields (CSRF, nonce)."""
        status, text = await self.get(page)
        assert status == 200, (status, page)
        hidden = dict(HIDDEN.findall(text))
        return await self.post(action, hidden | dict(data))

    async def sign_in(self, services: Services, email: str) -> None:
        """The link asked for, read from its e-mail in the outbox, and used."""
        response = await self.post("/sign-in", {"email": email})
        assert response.status == 200
        async with services.sessionmaker() as session:
            row = await session.scalar(
                select(OutboxMessage)
                .where(OutboxMessage.kind == SIGN_IN_EMAIL)
                .order_by(OutboxMessage.id.desc())
                .limit(1)
            )
        assert row is not None, f"no sign-in link for {email}"
        used = await self.post(urlsplit(row.payload["values"]["link"]).path, {})
        assert used.status == 303
        self.cookie = used.cookies[COOKIE].value


@asynccontextmanager
async def web_browser(
    services: Services, files: FileSource | None = None
) -> AsyncIterator[Browser]:
    """A browser of a fresh web view on loopback, signed in as nobody yet."""
    wakes: list[int] = []
    app = build_app(services, lambda: wakes.append(1), files)
    async with TestClient(TestServer(app)) as client:
        yield Browser(client, wakes=wakes)


@asynccontextmanager
async def signed_in(
    services: Services, email: str, files: FileSource | None = None
) -> AsyncIterator[Browser]:
    """A browser signed in as the adviser or coordinator with this address."""
    async with web_browser(services, files) as browser:
        await browser.sign_in(services, email)
        yield browser
