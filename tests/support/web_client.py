"""A browser of the web view for tests: aiohttp's own test server on loopback serving
`web.server.build_app`, signed in as a person through the real link flow (POST /sign-in, the
link read from the outbox row's payload, the link posted), keeping its session cookie."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from aiohttp import ClientResponse, FormData
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from core.services import Services
from storage.models import OutboxMessage, Person
from web.server import build_app
from web.visit import COOKIE

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Browser:
    """A client with a session cookie sent by hand (aiohttp's jar drops a Secure cookie on
    http) and the session's form token, added to every form posted."""

    client: TestClient[Any, Any]
    wakes: list[int] = field(default_factory=list)  # each time a page woke the outbox
    cookie: str = ""
    csrf: str = ""

    async def get(self, path: str) -> ClientResponse:
        return await self.client.get(path, headers=self._headers(), allow_redirects=False)

    async def post(self, path: str, data: dict[str, str] | FormData) -> ClientResponse:
        if isinstance(data, dict):
            data = {"csrf": self.csrf} | data
        else:
            data.add_field("csrf", self.csrf)
        return await self.client.post(
            path, data=data, headers=self._headers(), allow_redirects=False
        )

    async def sign_in(self, services: Services, email: str) -> None:
        response = await self.client.post("/sign-in", data={"email": email})
        assert response.status == 200, await response.text()
        async with services.sessionmaker() as session:
            payload = await session.scalar(
                select(OutboxMessage.payload)
                .join(Person, Person.id == OutboxMessage.person_id)
                .where(Person.email == email, OutboxMessage.kind == "web_sign_in")
                .order_by(OutboxMessage.id.desc())
            )
        assert payload is not None, f"no sign-in link for {email}"
        link = payload["values"]["link"]
        used = await self.client.post(urlsplit(link).path, allow_redirects=False)
        assert used.status == 303, await used.text()
        self.cookie = used.cookies[COOKIE].value
        page = await self.get("/")
        found = CSRF.search(await page.text())
        assert found is not None
        self.csrf = found.group(1)

    def _headers(self) -> dict[str, str]:
        return {"Cookie": f"{COOKIE}={self.cookie}"} if self.cookie else {}


@asynccontextmanager
async def browser(services: Services) -> AsyncIterator[Browser]:
    """A browser of a fresh test server of the web view, not signed in."""
    wakes: list[int] = []
    app = build_app(services, lambda: wakes.append(1))
    async with TestClient(TestServer(app)) as client:
        yield Browser(client, wakes)


@asynccontextmanager
async def signed_in(services: Services, email: str) -> AsyncIterator[Browser]:
    async with browser(services) as opened:
        await opened.sign_in(services, email)
        yield opened
