"""Every route of the web view x every role, a stranger and an erased person's old session: the
outcome core.access.PAGES says (a stranger is sent to sign in, a role the page is not for is
refused, another JST's record is not found), every refusal changing nothing in the database,
every response with the security headers. Routes are read from the application itself, so a
page added later is walked too; one that is not a `@page` must be named in PUBLIC."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient

from core import access
from core.services import Services
from storage import audit
from storage.erasure import erase_person
from storage.exports import ExportKind
from storage.web_sessions import SIGNING_IN, open_session
from tests.support.web_client import TelegramFiles, WebBrowser, sign_in, web_client
from tests.support.web_scene import Scene, Someone, build_scene, database_rows
from web.server import build_app
from web.visit import PAGE_OF, Visit, page

# Routes anyone may reach (signing in and out); every other route is a @page of PAGES.
PUBLIC = {
    ("GET", "/sign-in"),
    ("POST", "/sign-in"),
    ("GET", "/sign-in/{token}"),
    ("POST", "/sign-in/{token}"),
    ("POST", "/sign-out"),
}
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
NOWHERE = "987654321"  # an id nothing has
# Parameters that name no record of a JST (an export's kind and format): one valid value each.
UNSCOPED = {"kind": ExportKind.PEOPLE.value, "format": "csv", "n": "0"}
# Parameters naming a record by the kind another parameter of the route gives: a file's
# question (/files/{kind}/{record}/{n}: the scene's questions each carry one file).
RECORDS = {"/files/{kind}/{record}/{n}": ("question", {"kind": "question"})}
FILES = TelegramFiles({"f0": b"ours", "f1": b"theirs"})
PARAMETER = re.compile(r"\{(\w+)(?::[^}]*)?\}")
SIGNED_IN = ("adviser", "coordinator")  # through the link, as anyone does
STORED = ("member", "expert")  # a session opened in storage: the web view is not for them
DAY = dt.timedelta(days=1)
EMPTY = (400, 404)  # an action posted with an empty form: bad input, or no record named


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # with {parameters}
    key: str | None  # its page in core.access.PAGES; None: PUBLIC


def routes(app: web.Application) -> list[Route]:
    found = []
    for route in app.router.routes():
        path = route.resource.canonical if route.resource is not None else ""
        if route.method == "HEAD" or path.startswith("/static"):
            continue
        key = PAGE_OF.get(route.handler)
        assert key is not None or (route.method, path) in PUBLIC, (
            f"{route.method} {path} is neither a @page of core.access.PAGES nor PUBLIC"
        )
        found.append(Route(route.method, path, key))
    return found


def ids(scene: Scene, kind: str) -> tuple[int | str, int | str]:
    """Records of a kind in the adviser's JST and in the other JST. A route with a parameter
    of a kind not here fails the test: say here which records it names."""
    known: dict[str, tuple[int | str, int | str]] = {
        "jst": scene.jsts,
        "question": scene.questions,
        "code": (scene.task, scene.task),  # a task handed in in each JST
    }
    assert kind in known, f"a route names a record of kind {kind!r}: add it to ids()"
    return known[kind]


def filled(route: Route, scene: Scene, sees_theirs: bool, theirs: bool) -> str:
    """The route's path naming the adviser's JST's records, or the other JST's (for one who
    sees that JST too, as a coordinator does: a record that does not exist)."""

    def value(match: re.Match[str]) -> str:
        if match.group(1) == "token":
            return "no-such-link"
        record, fixed = RECORDS.get(route.path, ("", {}))
        if match.group(1) in fixed | UNSCOPED:
            return (UNSCOPED | fixed)[match.group(1)]
        kind = record or match.group(1).removesuffix("_id")
        if kind == "id":
            kind = route.path.strip("/").split("/")[0]
        mine, other = ids(scene, kind.removesuffix("s"))
        if not theirs:
            return str(mine)
        return NOWHERE if sees_theirs else str(other)

    return PARAMETER.sub(value, route.path)


def scoped(route: Route) -> bool:
    """Whether the route names a record of a JST (one another JST's may be tried)."""
    fixed = RECORDS.get(route.path, ("", {}))[1]
    return any(name not in UNSCOPED | fixed for name in PARAMETER.findall(route.path))


def expected(route: Route, caller: Someone | None, theirs: bool) -> int | None:
    """The status PAGES says (None: the page's own success)."""
    assert route.key is not None
    if caller is None or caller.role not in SIGNING_IN or caller.name == "erased":
        return 303 if route.method == "GET" else 403
    if caller.role not in access.page(route.key).roles:
        return 403
    return 404 if theirs else None


def guarded(response: ClientResponse) -> list[str]:
    """What is missing of the security headers."""
    headers = response.headers
    missing = [n for n, v in SECURITY_HEADERS.items() if headers.get(n) != v]
    csp = headers.get("Content-Security-Policy", "")
    if "default-src 'none'" not in csp or "frame-ancestors 'none'" not in csp:
        missing.append("Content-Security-Policy")
    if headers.get("Cache-Control") != "no-store":
        missing.append("Cache-Control")
    return missing


async def browsers(
    client: TestClient[Any, Any], services: Services, scene: Scene
) -> dict[str, WebBrowser]:
    """A browser for each caller: a stranger's; the adviser's, the coordinator's and the
    erased adviser's signed in by their links (the last then erased); a member's and an
    expert's sessions as if opened before their role changed."""
    found = {"stranger": WebBrowser(client)}
    for name in (*SIGNED_IN, "erased"):
        person = scene.people[name]
        found[name] = await sign_in(client, services, person.email, person.person_id)
    now = services.clock.now()
    async with services.sessionmaker.begin() as session:
        for name in STORED:
            opened = await open_session(session, scene.people[name].person_id, now, DAY)
            found[name] = WebBrowser(client, opened.token, opened.csrf)
        today = now.astimezone(services.settings.zone).date()
        await erase_person(session, scene.people["erased"].email, now, today, actor="tests")
    return found


async def test_every_route_for_every_caller(services: Services) -> None:
    scene = await build_scene(services)
    async with web_client(services, build_app(services, lambda: None, FILES)) as client:
        assert {r.key for r in routes(client.app)} >= {"overview", "jst", "file", "import"}
        failures = await walk(client, services, scene)
    assert not failures, "\n".join(failures)


async def test_the_walk_finds_a_page_that_forgets_the_scope(services: Services) -> None:
    """The walk bites: a page showing any JST, an action writing before it checks the JST,
    and a route that is no @page are each caught."""

    @page("jst")
    async def leaky(visit: Visit) -> web.StreamResponse:
        return web.Response(text=visit.request.match_info["jst_id"])

    @page("extend")
    async def careless(visit: Visit) -> web.StreamResponse:
        async with visit.services.sessionmaker.begin() as session:
            audit.record(session, visit.now, actor="web", action="x", entity="jst", entity_id=1)
        visit.jst_id(visit.request.match_info["jst_id"])
        raise web.HTTPSeeOther("/")

    async def bare(request: web.Request) -> web.StreamResponse:
        return web.Response(text="anyone")

    scene = await build_scene(services)
    app = build_app(services, lambda: None, FILES)
    app.router.add_get("/leaky/{jst_id}", leaky)
    app.router.add_post("/careless/{jst_id}", careless)
    async with web_client(services, app) as client:
        failures = await walk(client, services, scene)
    theirs = scene.jsts[1]
    assert f"GET /leaky/{theirs} as adviser: 200, expected 404" in failures
    assert f"POST /careless/{theirs} as adviser: 404 changed the database" in failures
    assert f"POST /careless/{NOWHERE} as coordinator: 404 changed the database" in failures
    assert not [f for f in failures if "/leaky/" not in f and "/careless/" not in f]
    unknown = build_app(services, lambda: None)
    unknown.router.add_get("/bare", bare)
    with pytest.raises(AssertionError, match="GET /bare is neither a @page"):
        routes(unknown)


async def walk(client: TestClient[Any, Any], services: Services, scene: Scene) -> list[str]:
    """Every @page route of the client's application x every caller: what went otherwise
    than PAGES says (refusals first, each compared with the database before it; then the
    requests that may succeed, which may change it)."""
    failures: list[str] = []
    callers = await browsers(client, services, scene)
    seeing = await seeing_theirs(services, scene)
    successes = []
    before = await database_rows(services)
    for route in (r for r in routes(client.app) if r.key is not None):
        for name, browser in callers.items():
            caller = scene.people.get(name)
            for theirs in (False, True) if scoped(route) else (False,):
                path = filled(route, scene, name in seeing, theirs)
                status = expected(route, caller, theirs)
                if status is None:
                    successes.append((route, browser, path))
                    continue
                response = await send(browser, route.method, path)
                seen = f"{route.method} {path} as {name}: {response.status}"
                if response.status != status:
                    failures.append(f"{seen}, expected {status}")
                if status == 303 and response.headers.get("Location") != "/sign-in":
                    failures.append(f"{seen} went to {response.headers.get('Location')}")
                after = await database_rows(services)
                if after != before:
                    failures.append(f"{seen} changed the database")
                    before = after
                failures += [f"{seen} lacks {header}" for header in guarded(response)]
    for route, browser, path in successes:
        response = await send(browser, route.method, path)
        # an action sent with an empty form: refused as bad input, or as naming no record
        if response.status >= 400 and not (route.method == "POST" and response.status in EMPTY):
            failures.append(f"{route.method} {path}: {response.status}, expected success")
    return failures


async def seeing_theirs(services: Services, scene: Scene) -> set[str]:
    """Those who see the other JST too (by the bot's own rules: storage.people)."""
    today = services.clock.now().astimezone(services.settings.zone).date()
    return {
        name
        for name, person in scene.people.items()
        if (seen := await services.callers.by_person(person.person_id, today)) is not None
        and scene.jsts[1] in seen.jst_ids
    }


async def send(browser: WebBrowser, method: str, path: str) -> ClientResponse:
    if method == "GET":
        return await browser.get(path)
    return await browser.post(path)


def forged_path(route: Route, forged: str) -> str:
    """The route's path with `forged` for every record it names (its other parameters valid)."""
    fixed = UNSCOPED | RECORDS.get(route.path, ("", {}))[1]
    return PARAMETER.sub(lambda match: fixed.get(match.group(1), forged), route.path)


async def test_an_id_beyond_the_databases_range_is_not_found(services: Services) -> None:
    """Every route naming a record, with an id of eleven digits (beyond PostgreSQL's 32-bit
    integers) or of other digits than ASCII's: not found for those who may use the page,
    never a failure."""
    scene = await build_scene(services)
    failures: list[str] = []
    async with web_client(services, build_app(services, lambda: None, FILES)) as client:
        callers = await browsers(client, services, scene)
        for route in (r for r in routes(client.app) if r.key is not None and scoped(r)):
            for forged in ("99999999999", "١٢"):
                path = forged_path(route, forged)
                for name in SIGNED_IN:
                    caller = scene.people[name]
                    if caller.role not in access.page(route.key or "").roles:
                        continue
                    response = await send(callers[name], route.method, path)
                    if response.status != 404:
                        failures.append(f"{route.method} {path} as {name}: {response.status}")
    assert not failures, "\n".join(failures)


async def test_a_form_of_someone_else_changes_nothing(services: Services) -> None:
    """Every POST, signed in: without the form token, with a wrong one or another session's,
    from another site."""
    scene = await build_scene(services)
    failures: list[str] = []
    async with web_client(services) as client:
        coordinator, adviser = scene.people["coordinator"], scene.people["adviser"]
        browser = await sign_in(client, services, coordinator.email, coordinator.person_id)
        other = await sign_in(client, services, adviser.email, adviser.person_id)
        posts = [r for r in routes(client.app) if r.method == "POST"]
        for route in posts:
            path = filled(route, scene, True, False)
            for how, csrf, origin in (
                ("no form token", "", ""),
                ("a wrong form token", "x" * 43, ""),
                ("another session's form token", other.csrf, ""),
                ("another site", None, "https://evil.example"),
                ("another port", None, "http://127.0.0.1:1"),
                ("an opaque origin", None, "null"),  # a page of no-referrer or a sandbox's
            ):
                before = await database_rows(services)
                response = await browser.post(path, csrf=csrf, origin=origin)
                if response.status != 403:
                    failures.append(f"POST {path} with {how}: {response.status}")
                if await database_rows(services) != before:
                    failures.append(f"POST {path} with {how} changed the database")
        still = await browser.get("/")
        assert still.status == 200, "the session lives on"
    assert not failures, "\n".join(failures)


async def test_every_response_carries_the_security_headers(services: Services) -> None:
    async with web_client(services) as client:
        browser = WebBrowser(client)
        for path in ("/sign-in", "/sign-in/nothing", "/no-such-page", "/"):
            response = await browser.get(path)
            assert not guarded(response), (path, response.status)
        response = await browser.post("/sign-in", {"email": "nobody@example.pl"})
        assert not guarded(response)
        style = await browser.get("/static/web.css")
        assert style.status == 200 and style.headers["X-Content-Type-Options"] == "nosniff"
        assert "Content-Security-Policy" in style.headers


async def test_a_fault_is_a_page_of_its_own_and_its_log_line_names_no_value(
    services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    """A page that fails answers 500 with the refusal page and the security headers; the log
    line names the route's pattern, never the address's values (a sign-in link's token)."""

    async def failing(request: web.Request) -> web.StreamResponse:
        raise RuntimeError(request.match_info["token"])

    app = build_app(services, lambda: None)
    app.router.add_get("/failing/{token}", failing)
    async with web_client(services, app) as client:
        response = await WebBrowser(client).get("/failing/secret-token-value")
    assert response.status == 500
    assert not guarded(response)
    assert "GET /failing/{token} failed: RuntimeError" in caplog.text
    assert "secret-token-value" not in caplog.text
