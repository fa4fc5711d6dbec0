"""The web view's HTTP server, inside `advisorybot run` on WEB_LISTEN (docs/web.md).

Every response carries the security headers (a strict Content-Security-Policy: no script at
all, styles only from /static; no framing; no Referer to another site, as a sign-in link's
token is in its address: "same-origin", not "no-referrer", under which a browser names the
origin of our own forms "null" and the Origin check refuses them); pages are never cached.
The session cookie is HttpOnly, Secure and SameSite=Lax.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from aiohttp import web

from core.services import Services
from handlers.context import BotApplication
from outbox.telegram_files import BotFiles, FileSource
from web import (
    erasure,
    exports,
    files,
    invitations,
    jst,
    outbox_page,
    overview,
    questions,
    sign_in,
    task_review,
    team_import,
)
from web.visit import (
    COOKIE,
    MAX_UPLOAD,
    VISIT,
    VISIT_OF,
    WAKE,
    Refused,
    Route,
    Visit,
    language_of,
    read_form,
    start_visit,
)

log = logging.getLogger(__name__)

STATIC = Path(__file__).with_name("static")
# A request's body at most: an uploaded file of MAX_UPLOAD, and the same file sent back in
# base64 by the import's dry run page (4/3 of it), with room for the form's other fields.
MAX_BODY = MAX_UPLOAD * 4 // 3 + 64 * 1024
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


@web.middleware
async def _visits(request: web.Request, handler: Route) -> web.StreamResponse:
    services = request.app[VISIT]
    visit: Visit | None = None
    try:
        visit = request[VISIT_OF] = await start_visit(request, services)
        if request.method == "POST":
            await read_form(visit)
        response = await handler(request)
    except Refused as refused:
        response = _refusal(request, services, visit, refused)
    except web.HTTPNotFound:
        response = _refusal(request, services, visit, Refused(404, "not_found"))
    except web.HTTPMethodNotAllowed:
        response = _refusal(request, services, visit, Refused(405, "not_found"))
    except web.HTTPRequestEntityTooLarge:
        response = _refusal(request, services, visit, Refused(413, "too_large"))
    except web.HTTPMove as redirect:  # raised by handlers; answered, not returned
        response = web.Response(
            status=redirect.status, headers={"Location": str(redirect.location)}
        )
    except Exception as error:  # a fault of ours: logged without the request's values
        resource = request.match_info.route.resource  # its pattern: a link's token is a value
        where = resource.canonical if resource is not None else "?"
        log.error("web request %s %s failed: %s", request.method, where, type(error).__name__)
        response = _refusal(request, services, visit, Refused(500, "failed"))
    if visit is not None:
        for name, value in visit.cookies.items():
            if value is None:
                response.del_cookie(name, path="/")
            else:
                response.set_cookie(
                    name, value, path="/", httponly=True, secure=True, samesite="Lax"
                )
    for name, value in HEADERS.items():
        response.headers[name] = value
    if not request.path.startswith("/static/"):
        response.headers["Cache-Control"] = "no-store"
    return response


def _refusal(
    request: web.Request, services: Services, visit: Visit | None, refused: Refused
) -> web.Response:
    """The page saying why, in the visitor's language; nothing was changed."""
    shown = visit or Visit(request, services, language_of(request), services.clock.now())
    if refused.reason == "signed_out":
        shown.cookies[COOKIE] = None
    return shown.render("refused.html.j2", status=refused.status, reason=refused.reason)


def build_app(
    services: Services, wake_outbox: Callable[[], None], telegram_files: FileSource | None = None
) -> web.Application:
    """The application; `telegram_files`: how the bot fetches a file by its Telegram id (None:
    files are only listed, their pages say to fetch them in the bot)."""
    app = web.Application(middlewares=[_visits], client_max_size=MAX_BODY)
    app[VISIT] = services
    app[WAKE] = wake_outbox
    sign_in.add_routes(app)
    overview.add_routes(app)
    team_import.add_routes(app)
    invitations.add_routes(app)
    outbox_page.add_routes(app)
    erasure.add_routes(app)
    exports.add_routes(app)
    jst.add_routes(app)
    files.add_routes(app, telegram_files)
    questions.add_routes(app)
    task_review.add_routes(app)
    app.router.add_static("/static/", STATIC, append_version=False)
    return app


class WebView:
    """The server on one address; `start` raises OSError if it is taken."""

    def __init__(
        self,
        services: Services,
        host: str,
        port: int,
        wake_outbox: Callable[[], None],
        telegram_files: FileSource | None = None,
    ) -> None:
        self._app = build_app(services, wake_outbox, telegram_files)
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None

    async def start(self) -> int:
        """Serve; the port it listens on (the one given, or the one found for port 0)."""
        self._runner = web.AppRunner(self._app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self._host, self._port).start()
        port: int = self._runner.addresses[0][1]
        log.info("web view on %s:%s", self._host, port)
        return port

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


def beside_bot(application: BotApplication, host: str, port: int) -> WebView:
    """The web view in a bot's process (`run`, the sandbox): it wakes that bot's sender for
    what it queues and fetches a hand-in's files through that bot."""
    data = application.bot_data
    return WebView(data.services, host, port, data.outbox_wakeup.set, BotFiles(application.bot))
