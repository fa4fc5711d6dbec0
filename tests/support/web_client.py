"""The web view (web.server.build_app) on aiohttp's own test server over loopback HTTP, and a
browser of one person signed in through the real link flow: asked for on /sign-in, the link
read from the queued e-mail, confirmed by POST. aiohttp's client keeps no Secure cookie on
http://, so the session cookie is sent by hand."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from aiohttp import ClientResponse, DummyCookieJar, FormData, web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from core.services import Services
from outbox.telegram_files import FileSource
from storage.models import OutboxMessage, Person
from web.server import build_app
from web.sign_in import SIGN_IN_EMAIL
from web.visit import COOKIE

CSRF_VALUE = re.compile(r'name="csrf" value="([^"]*)"')
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


@contextlib.asynccontextmanager
async def web_client(
    services: Services, app: web.Application | None = None
) -> AsyncIterator[TestClient[Any, Any]]:
    """A client of the web view (or of `app`) on a free loopback port; it keeps no cookie of
    its own. The server keeps no access log, as `web.server` serves the view (a sign-in
    link's token is in its path): aiohttp's test server would log every request otherwise."""
    server = TestServer(app or build_app(services, lambda: None), host="127.0.0.1")
    await server.start_server(access_log=None)
    async with TestClient(server, cookie_jar=DummyCookieJar()) as c:
        yield c


def form_token(html: str) -> str:
    found = CSRF_VALUE.search(html)
    assert found is not None, "the page has no form token"
    return found.group(1)


def session_cookie(response: ClientResponse) -> str | None:
    """The session cookie the response sets ("" when it deletes it, None: not touched)."""
    morsel = response.cookies.get(COOKIE)
    return None if morsel is None else morsel.value


class TelegramFiles:
    """Telegram's files as the bot would fetch them by id (outbox.telegram_files.FileSource)."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files

    async def fetch(self, file_id: str) -> bytes:
        return self.files[file_id]


@dataclass
class WebBrowser:
    """One browser: its session cookie and the form token of its pages."""

    client: TestClient[Any, Any]
    cookie: str | None = None
    csrf: str = ""
    wakes: list[int] = field(default_factory=list)  # each time a page woke the outbox

    def headers(self, origin: str | None) -> dict[str, str]:
        sent = {"Accept-Language": "pl"}
        if self.cookie:
            sent["Cookie"] = f"{COOKIE}={self.cookie}"
        if origin is not None:
            sent["Origin"] = origin
        return sent

    @property
    def origin(self) -> str:
        parts = urlsplit(str(self.client.make_url("/")))
        return f"{parts.scheme}://{parts.netloc}"

    async def get(self, path: str) -> ClientResponse:
        response = await self.client.get(path, headers=self.headers(None), allow_redirects=False)
        await response.read()
        return response

    async def page(self, path: str) -> tuple[int, str]:
        """A page's status and text."""
        response = await self.get(path)
        return response.status, await response.text()

    async def form(self, page: str, data: Mapping[str, str], action: str) -> ClientResponse:
        """A form of `page` sent to `action` with the page's hidden fields (its form token,
        a nonce) and `data`."""
        status, text = await self.page(page)
        assert status == 200, (status, page)
        return await self.post(action, dict(HIDDEN.findall(text)) | dict(data))

    async def post(
        self,
        path: str,
        data: dict[str, str] | FormData | None = None,
        *,
        csrf: str | None = None,
        origin: str | None = "",
    ) -> ClientResponse:
        """A form sent from our own page: the session's form token and our origin, unless
        `csrf` or `origin` say otherwise (origin None: no Origin header at all)."""
        token = self.csrf if csrf is None else csrf
        fields: dict[str, str] | FormData
        if isinstance(data, FormData):  # a file uploaded
            data.add_field("csrf", token)
            fields = data
        else:
            fields = {"csrf": token} | (data or {})
        sent_origin = self.origin if origin == "" else origin
        response = await self.client.post(
            path, data=fields, headers=self.headers(sent_origin), allow_redirects=False
        )
        await response.read()
        return response


async def latest_link(services: Services, person_id: int) -> str:
    """The path of the last sign-in link queued for the person (/sign-in/<token>)."""
    async with services.reader() as session:
        payload = await session.scalar(
            select(OutboxMessage.payload)
            .where(OutboxMessage.kind == SIGN_IN_EMAIL, OutboxMessage.person_id == person_id)
            .order_by(OutboxMessage.id.desc())
            .limit(1)
        )
    assert payload is not None, "no sign-in e-mail was queued"
    link: str = payload["values"]["link"]
    return urlsplit(link).path


async def sign_in(
    client: TestClient[Any, Any], services: Services, email: str, person_id: int
) -> WebBrowser:
    """A browser signed in as the person: link asked for, read from its e-mail, confirmed."""
    browser = WebBrowser(client)
    asked = await browser.post("/sign-in", {"email": email})
    assert asked.status == 200
    link = await latest_link(services, person_id)
    used = await browser.post(link)
    assert used.status == 303, await used.text()
    browser.cookie = session_cookie(used)
    assert browser.cookie, "no session cookie was set"
    overview = await browser.get("/")
    browser.csrf = form_token(await overview.text())
    return browser


@contextlib.asynccontextmanager
async def signed_in(
    services: Services, email: str, files: FileSource | None = None
) -> AsyncIterator[WebBrowser]:
    """A fresh web view (fetching Telegram's files from `files`) with a browser signed in as
    the person of this address; the browser's `wakes` counts the times a page woke the
    outbox."""
    wakes: list[int] = []
    async with services.reader() as session:
        person_id = await session.scalar(select(Person.id).where(Person.email == email))
    assert person_id is not None, f"nobody has the address {email}"
    async with web_client(services, build_app(services, lambda: wakes.append(1), files)) as client:
        browser = await sign_in(client, services, email, person_id)
        browser.wakes = wakes
        yield browser
