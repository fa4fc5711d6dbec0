"""Method parameters as Telegram accepts them: query string, form, JSON body or multipart.

Form and multipart values are strings; objects inside them are JSON-encoded (this is how
python-telegram-bot sends reply_markup, entities and lists), so typed readers decode them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import BodyPartReader, web

from localapi.errors import bad_request

T = TypeVar("T")
D = TypeVar("D")


@dataclass(frozen=True)
class Upload:
    content: bytes
    filename: str | None
    content_type: str | None


@dataclass
class Params:
    values: dict[str, Any] = field(default_factory=dict)
    files: dict[str, Upload] = field(default_factory=dict)

    def has(self, name: str) -> bool:
        return self.values.get(name) not in (None, "")

    def text(self, name: str) -> str | None:
        value = self.values.get(name)
        return None if value is None else str(value)

    def integer(self, name: str, default: int | None = None) -> int | None:
        return self._parsed(name, int, default)

    def number(self, name: str, default: float) -> float:
        return self._parsed(name, float, default)

    def _parsed(self, name: str, convert: Callable[[Any], T], default: D) -> T | D:
        value = self.values.get(name)
        if value in (None, ""):
            return default
        try:
            return convert(value)
        except (TypeError, ValueError) as error:
            raise bad_request(f"invalid {name} specified") from error

    def flag(self, name: str) -> bool:
        value = self.values.get(name)
        if isinstance(value, str):
            return value.lower() in ("true", "1")
        return bool(value)

    def obj(self, name: str) -> Any:
        """A JSON object or array parameter, decoded when it came as a string."""
        value = self.values.get(name)
        if isinstance(value, str):
            if not value:
                return None
            try:
                return json.loads(value)
            except ValueError as error:
                raise bad_request(f"can't parse {name} JSON object") from error
        return value

    def chat_id(self, name: str = "chat_id") -> int:
        chat_id = self.integer(name)
        if chat_id is None:
            raise bad_request(f"{name} is empty")
        return chat_id

    def message_id(self, name: str = "message_id") -> int:
        message_id = self.integer(name)
        if message_id is None:
            raise bad_request("message identifier is not specified")
        return message_id


async def read_params(request: web.Request) -> Params:
    params = Params(values=dict(request.query))
    if request.method != "POST" or not request.can_read_body:
        return params
    content_type = request.content_type
    if content_type == "application/json":
        try:
            body = await request.json()
        except ValueError as error:
            raise bad_request("can't parse JSON encoded request body") from error
        if isinstance(body, dict):
            params.values.update(body)
    elif content_type == "multipart/form-data":
        reader = await request.multipart()
        async for part in reader:
            if isinstance(part, BodyPartReader) and part.name:
                await _read_part(part, params)
    else:
        params.values.update(await request.post())
    return params


async def _read_part(part: BodyPartReader, params: Params) -> None:
    content = await part.read()
    if part.filename is None:
        params.values[str(part.name)] = content.decode()
    else:
        content_type = part.headers.get("Content-Type")
        params.files[str(part.name)] = Upload(bytes(content), part.filename, content_type)
