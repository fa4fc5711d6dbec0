"""How the bot's requests reach the Bot API: PTB's networking interface over aiohttp's client.

PTB's own `HTTPXRequest` costs 0.75-1.1 ms of CPU a request on these machines, aiohttp's
client 0.09 ms (bench/README.md, "The transport"): most of what a reply costs the bot beyond
its own work. aiohttp is already what serves the webhook. PTB documents `BaseRequest` as the
place for another library; everything above it (the rate limiter, parsing, errors) is PTB's.

An error says whether the request can have reached Telegram (`never_left`): the outbox sends
again what surely did not arrive, and marks as a possible repeat what may have (outbox/policy).
PTB raises `TimedOut` or `NetworkError` *from* aiohttp's error, as it does from httpx's.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData
from typing_extensions import override

# Failures before the request is written: no connection was had (refused, DNS, TLS, proxy,
# or none free in time) or the address is not one to send to.
NOT_SENT = (
    aiohttp.ClientConnectorError,
    aiohttp.ConnectionTimeoutError,
    aiohttp.InvalidURL,
    aiohttp.NonHttpUrlClientError,
)
# What aiohttp raises for a request that failed on the way (the rest are PTB's or ours).
TRANSPORT_ERRORS = (aiohttp.ClientError, TimeoutError)

DEFAULT_READ_SECONDS = 5.0  # PTB's defaults, as HTTPXRequest has them
DEFAULT_CONNECT_SECONDS = 5.0
DEFAULT_POOL_SECONDS = 1.0
DEFAULT_WRITE_SECONDS = 5.0
MEDIA_WRITE_SECONDS = 20.0


def never_left(error: BaseException) -> bool:
    """Whether `error` (raised by PTB from this transport) says the request was not sent."""
    return isinstance(error.__cause__, NOT_SENT)


def from_transport(error: BaseException) -> bool:
    """Whether `error` is a failure of the connection rather than an answer of Telegram's."""
    return isinstance(error, NetworkError) and isinstance(error.__cause__, TRANSPORT_ERRORS)


class AiohttpRequest(BaseRequest):
    """A pool of at most `connections` kept connections to the Bot API.

    TLS is aiohttp's default context, made once when aiohttp is imported: the system's
    certificates (SSL_CERT_FILE and SSL_CERT_DIR are honoured, for a proxy's own authority).

    Timeouts as PTB names them: `read` is the longest wait for the next bytes of the answer
    (aiohttp's `sock_read`), `connect` for a new connection (`sock_connect`), `pool` for a free
    one: a request waits at most `pool + connect` before it is given up as never sent. aiohttp
    has no write timeout: the whole request is bounded instead by the sum of the four (with
    PTB's longer write time when it carries files), so that a peer that stops reading cannot
    hold it for ever.
    """

    def __init__(
        self,
        *,
        connections: int,
        read_timeout: float | None = DEFAULT_READ_SECONDS,
        connect_timeout: float = DEFAULT_CONNECT_SECONDS,
        pool_timeout: float = DEFAULT_POOL_SECONDS,
    ) -> None:
        self._connections = connections
        self._read = read_timeout
        self._connect = connect_timeout
        self._pool = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    @override
    def read_timeout(self) -> float | None:
        return self._read

    @override
    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._connections)
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": self.USER_AGENT},
                timeout=aiohttp.ClientTimeout(total=None),
            )

    @override
    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    @override
    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None:
            raise RuntimeError("AiohttpRequest used before initialize()")
        files = request_data is not None and request_data.contains_files
        read = _given(read_timeout, self._read)
        write = _given(write_timeout, MEDIA_WRITE_SECONDS if files else DEFAULT_WRITE_SECONDS)
        connect = _given(connect_timeout, self._connect)
        pool = _given(pool_timeout, self._pool)
        timeout = aiohttp.ClientTimeout(
            total=_sum(pool, connect, write, read),
            connect=_sum(pool, connect),
            sock_connect=connect,
            sock_read=read,
        )
        try:
            async with self._session.request(
                method, url, data=_body(request_data), timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:  # aiohttp's timeouts are TimeoutErrors too
            raise TimedOut(_described(error)) from error
        except aiohttp.ClientError as error:
            raise NetworkError(_described(error)) from error


def _given(value: Any, default: float | None) -> float | None:
    return default if value is BaseRequest.DEFAULT_NONE else value


def _sum(*parts: float | None) -> float | None:
    """None (no limit) when any part is unlimited."""
    return None if None in parts else sum(part for part in parts if part is not None)


def _described(error: Exception) -> str:
    """The error's kind and the system's reason, never its text: aiohttp puts the request's
    address there, and the address carries the bot token."""
    reason = getattr(error, "strerror", None)
    return f"aiohttp.{type(error).__name__}" + (f": {reason}" if reason else "")


def _body(request_data: RequestData | None) -> aiohttp.FormData | dict[str, str] | None:
    """The parameters as a form; a multipart one with the files when there are files, their
    names in UTF-8 as browsers and httpx send them (aiohttp would percent-encode them, and the
    name would reach the person as `raport%20pa%C5%BAdziernika.txt`)."""
    if request_data is None:
        return None
    if not request_data.contains_files:
        return request_data.json_parameters
    form = aiohttp.FormData(request_data.json_parameters, quote_fields=False)
    for name, (file_name, content, mime_type) in request_data.multipart_data.items():
        form.add_field(name, content, filename=file_name, content_type=mime_type)
    return form
