"""The HTTP face of the local Bot API: /bot<token>/<method>, /file/bot<token>/<path>, /control.

Start it in-process (`async with LocalBotApi(Core(options, clock)) as api:`) or standalone
(`python -m localapi`).
Point python-telegram-bot at `api.base_url` and `api.base_file_url`.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from localapi.control import add_control_routes
from localapi.core import Core
from localapi.errors import ApiError, not_found, unauthorized
from localapi.faults import Fault
from localapi.methods import METHODS
from localapi.params import Params, read_params

MAX_UPLOAD = 50 * 1024 * 1024 + 64 * 1024
BAD_GATEWAY_PAGE = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"


class LocalBotApi:
    """An aiohttp server speaking the Bot API from PTB's own types, with a control API."""

    def __init__(self, core: Core | None = None) -> None:
        self.core = core or Core()
        self.app = web.Application(client_max_size=MAX_UPLOAD)
        self.app.router.add_route("*", "/bot{token}/{method}", self._method)
        self.app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        add_control_routes(self.app, self.core)
        self._runner: web.AppRunner | None = None
        self.url = ""

    @property
    def token(self) -> str:
        return self.core.options.token

    @property
    def base_url(self) -> str:
        """For `Bot(base_url=...)` / `ApplicationBuilder().base_url(...)`."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listens (port 0: any free port) and returns the server's base URL."""
        # A hanging fault must not hold the shutdown of a test for aiohttp's default minute.
        self._runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound_host, bound_port = self._runner.addresses[0][:2]
        self.url = f"http://{bound_host}:{bound_port}"
        return self.url

    async def stop(self) -> None:
        await self.core.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> LocalBotApi:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def _method(self, request: web.Request) -> web.StreamResponse:
        counters = self.core.counters
        try:
            self._check_token(request.match_info["token"])
            found = METHODS.get(request.match_info["method"].lower())
            if found is None:
                raise not_found()
            name, method = found
            params = await read_params(request)
            counters.calls[name] += 1
            fault = self.core.faults.take(name.lower(), _chat_of(params))
            if fault is not None:
                counters.injected += 1
                failure = await _inject(fault)
                if failure is not None:
                    counters.statuses[failure.status] += 1
                    return failure
            result = await method(self.core, params)
            if fault is not None and fault.kind == "slow":
                await asyncio.sleep(fault.seconds)
        except ApiError as error:
            counters.statuses[error.code] += 1
            return web.json_response(error.body(), status=error.code)
        counters.statuses[200] += 1
        return web.json_response({"ok": True, "result": result})

    async def _download(self, request: web.Request) -> web.StreamResponse:
        try:
            self._check_token(request.match_info["token"])
        except ApiError as error:
            return web.json_response(error.body(), status=error.code)
        stored = self.core.files.by_path(request.match_info["path"])
        if stored is None:
            return web.json_response(not_found().body(), status=404)
        content_type = stored.mime_type or "application/octet-stream"
        return web.Response(body=stored.content, content_type=content_type)

    def _check_token(self, token: str) -> None:
        if ":" not in token:
            raise not_found()
        if token != self.token:
            raise unauthorized()


async def _inject(fault: Fault) -> web.Response | None:
    """Plays one armed fault; None when the call should go on (a hang that delivers, or a
    slow answer: the caller sleeps after the call)."""
    if fault.kind == "slow":
        return None
    if fault.kind == "bad_gateway":
        return web.Response(status=502, text=BAD_GATEWAY_PAGE, content_type="text/html")
    if fault.kind == "hang":
        await asyncio.sleep(fault.seconds)
        if fault.deliver:
            return None
    raise fault.error()


def _chat_of(params: Params) -> int | None:
    try:
        return params.integer("chat_id")
    except ApiError:
        return None
