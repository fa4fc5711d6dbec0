"""One request to the web view: who is asking (their session, read as the bot reads a Telegram
account: storage.people), in which language, and what they may do (core.access.PAGES).

Every handler is a `@page(key)`: a stranger is sent to sign in, a role the page is not for is
refused, a JST (or a record of one) outside `Caller.jst_ids` is not found, as on Telegram.
Every POST carries the session's form token (CSRF) and, when the browser says it, our own
Origin; anything else is refused before a handler runs and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import functools
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from multidict import MultiDictProxy

from core import access
from core.services import Services
from core.templates import DEFAULT_LANGUAGE
from storage.people import Caller
from storage.web_sessions import SIGNING_IN, OpenSession, current_session

COOKIE = "advisorybot_session"
MAX_UPLOAD = 5 * 1024 * 1024  # a file sent to the web view; the country's team file is ~1.5 MB
CSRF_FIELD = "csrf"
Form = MultiDictProxy[str | bytes | bytearray | web.FileField]
Handler = Callable[["Visit"], Awaitable[web.StreamResponse]]
Route = Callable[[web.Request], Awaitable[web.StreamResponse]]
VISIT = web.AppKey("visit_services", Services)
Wake = Callable[[], None]
WAKE: web.AppKey[Wake] = web.AppKey("wake_outbox")


# The menu: each page's key (core.access.PAGES) and address, shown to the roles it is for.
MENU: tuple[tuple[str, str], ...] = (
    ("overview", "/"),
    ("questions", "/questions"),
    ("review", "/review"),
    ("import", "/import"),
    ("invitations", "/invitations"),
    ("outbox", "/outbox"),
    ("erasure", "/erasure"),
    ("exports", "/exports"),
)


# The page key (core.access.PAGES) of each route handler made by @page: what a route is for,
# read by whoever walks the application's routes (the security tests: every route x role).
PAGE_OF: dict[Route, str] = {}


def menu(caller: Caller) -> list[tuple[str, str]]:
    return [(key, href) for key, href in MENU if caller.role in access.page(key).roles]


VISIT_OF: web.RequestKey[Visit] = web.RequestKey("visit")  # set by web.server's middleware


class Refused(Exception):
    """The request is refused: `reason` names the words of the page saying why."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass
class Visit:
    request: web.Request
    services: Services
    language: str
    now: dt.datetime
    session: OpenSession | None = None
    caller: Caller | None = None
    form: Form | None = None
    cookies: dict[str, str | None] = field(default_factory=dict)  # to set (None: to delete)

    @property
    def today(self) -> dt.date:
        return self.now.astimezone(self.services.settings.zone).date()

    @property
    def csrf(self) -> str:
        return self.session.csrf if self.session is not None else ""

    @property
    def actor(self) -> str:
        """Who acts, as the audit log names a person."""
        return f"person:{self.signed_in().person_id}"

    def signed_in(self) -> Caller:
        assert self.caller is not None  # @page lets nobody else through
        return self.caller

    def render(
        self, name: str, *, status: int = 200, words: str = "words", **values: Any
    ) -> web.Response:
        """`web/<name>` in the visitor's language with the words of `<lang>/web/<words>.txt.j2`
        (core.templates.Templates.page), and what every page shows."""
        text = self.services.templates.page(
            self.language,
            name,
            words=words,
            caller=self.caller,
            csrf=self.csrf,
            path=self.request.path,
            here=self.request.path_qs,
            menu=menu,
            **values,
        )
        return web.Response(text=text, status=status, content_type="text/html", charset="utf-8")

    def jst_id(self, value: str | None) -> int:
        """A JST named by the request that the caller sees; anything else is not found (a JST
        of someone else's is not told apart from one that does not exist)."""
        number = whole_number(value)
        if number is None or number not in self.signed_in().jst_ids:
            raise Refused(404, "not_found")
        return number

    def field(self, name: str) -> str:
        """A text field of the posted form ("" when missing or a file)."""
        value = self.form.get(name) if self.form is not None else None
        return value.strip() if isinstance(value, str) else ""

    def wake_outbox(self) -> None:
        self.request.app[WAKE]()


def whole_number(value: str | None) -> int | None:
    """A number of at most nine digits, as the bot reads a record's number (NUMBER in
    handlers/questions/adviser.py): the database's ids are 32-bit, and a longer one would
    fail PostgreSQL's query instead of finding nothing."""
    if value is None or not value.isascii() or not value.isdigit() or len(value) > 9:
        return None
    return int(value)


def page(key: str) -> Callable[[Handler], Route]:
    """A handler of the page or action `key` (core.access.PAGES), for the roles it names."""
    roles = access.page(key).roles

    def wrap(handler: Handler) -> Route:
        @functools.wraps(handler)
        async def run(request: web.Request) -> web.StreamResponse:
            visit = request[VISIT_OF]
            if visit.caller is None:
                if request.method == "GET":
                    raise web.HTTPSeeOther("/sign-in")
                raise Refused(403, "signed_out")
            if visit.caller.role not in roles:
                raise Refused(403, "not_for_your_role")
            return await handler(visit)

        PAGE_OF[run] = key
        return run

    return wrap


def language_of(request: web.Request) -> str:
    """Before sign-in: English when the browser prefers it to Polish, else Polish."""
    for item in request.headers.get("Accept-Language", "").split(","):
        code = item.split(";")[0].strip().lower()
        if code.startswith("pl"):
            return "pl"
        if code.startswith("en"):
            return "en"
    return DEFAULT_LANGUAGE


async def start_visit(request: web.Request, services: Services) -> Visit:
    """The visit of a request: its session and caller if the cookie names a live one."""
    now = services.clock.now()
    visit = Visit(request, services, language_of(request), now)
    token = request.cookies.get(COOKIE)
    if token:
        idle = dt.timedelta(minutes=services.settings.web_idle_minutes)
        async with services.sessionmaker.begin() as session:
            visit.session = await current_session(session, token, now, idle)
        if visit.session is not None:
            visit.caller = await services.callers.by_person(visit.session.person_id, visit.today)
        if visit.caller is None or visit.caller.role not in SIGNING_IN:
            visit.session = visit.caller = None
            visit.cookies[COOKIE] = None  # ended, expired or erased: the browser forgets it
        else:
            visit.language = visit.caller.language
    return visit


async def read_form(visit: Visit) -> None:
    """A POST's form, refused unless it comes from our own origin and, in a session, carries
    the session's form token: before any handler, so a refused form changes nothing."""
    request = visit.request
    _same_origin(request, visit.services.settings.web_base)
    form = visit.form = await request.post()
    sent = form.get(CSRF_FIELD)
    if visit.session is not None and not (
        isinstance(sent, str) and hmac.compare_digest(sent, visit.session.csrf)
    ):
        raise Refused(403, "form_expired")


def _same_origin(request: web.Request, base: str | None) -> None:
    """A browser names the page a form was sent from: it must be ours (as the request came,
    or as WEB_URL says people open it behind a proxy)."""
    origin = request.headers.get("Origin")
    ours = {f"{request.scheme}://{request.host}"}
    if base is not None:
        parts = urlsplit(base)
        ours.add(f"{parts.scheme}://{parts.netloc}")
    if origin is not None and origin not in ours:
        raise Refused(403, "form_expired")
