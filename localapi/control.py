"""The control API (JSON over HTTP under /control, no bot token): play users, read chats,
wait for what the bot sends, inject faults, read counters. `client.py` is its Python client."""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from telegram import User

from localapi import users
from localapi.core import Core
from localapi.errors import ApiError, JSONDict, bad_request

MAX_WAIT = 120.0
Route = Callable[[web.Request], Awaitable[Any]]


def add_control_routes(app: web.Application, core: Core) -> None:
    control = _Control(core)
    post, get = "POST", "GET"
    for method, path, route in (
        (post, "/control/reset", control.reset),
        (post, "/control/limits", control.limits),
        (post, "/control/users", control.user),
        (post, "/control/users/{user_id}/block", control.block),
        (post, "/control/users/{user_id}/messages", control.message),
        (post, "/control/users/{user_id}/files", control.file),
        (post, "/control/users/{user_id}/presses", control.press),
        (post, "/control/users/{user_id}/edits", control.edit),
        (post, "/control/groups", control.group),
        (get, "/control/chats/{chat_id}/messages", control.messages),
        (get, "/control/events", control.next_event),
        (get, "/control/events/since", control.events_since),
        (get, "/control/log", control.log),
        (get, "/control/updates/wait", control.wait_for_updates),
        (post, "/control/faults", control.add_fault),
        ("DELETE", "/control/faults", control.clear_faults),
        (get, "/control/counters", control.counters),
        (get, "/control/commands", control.commands),
    ):
        app.router.add_route(method, path, _json(route))
    app.router.add_get("/control/files/{file_id}", control.file_content)


def _json(route: Route) -> Callable[[web.Request], Awaitable[web.Response]]:
    """Wraps a route: its result as JSON, refusals as {"ok": false, ...} with their status."""

    async def handle(request: web.Request) -> web.Response:
        try:
            result = await route(request)
        except ApiError as error:
            return web.json_response(error.body(), status=error.code)
        except (KeyError, TypeError, ValueError) as error:
            refusal = bad_request(f"invalid control request: {error!r}")
            return web.json_response(refusal.body(), status=400)
        return web.json_response({"ok": True, "result": result})

    return handle


async def _body(request: web.Request) -> dict[str, Any]:
    body = await request.json() if request.can_read_body else {}
    if not isinstance(body, dict):
        raise ValueError(body)
    return body


def _user_id(request: web.Request) -> int:
    return int(request.match_info["user_id"])


class _Control:
    def __init__(self, core: Core) -> None:
        self.core = core

    async def reset(self, request: web.Request) -> bool:
        await self.core.reset()
        return True

    async def limits(self, request: web.Request) -> JSONDict:
        limits = self.core.options.limits
        known = {field.name for field in dataclasses.fields(limits)}
        for name, value in (await _body(request)).items():
            if name not in known:
                raise KeyError(name)
            setattr(limits, name, value)
        self.core.limiter.reset()
        return dataclasses.asdict(limits)

    async def user(self, request: web.Request) -> JSONDict:
        body = await _body(request)
        person = User(
            int(body["id"]),
            str(body["first_name"]),
            is_bot=False,
            last_name=body.get("last_name"),
            username=body.get("username"),
            language_code=body.get("language_code"),
        )
        record = self.core.world.ensure_user(person)
        record.started = record.started or bool(body.get("started"))
        return person.to_dict()

    async def block(self, request: web.Request) -> bool:
        blocked = bool((await _body(request)).get("blocked", True))
        return users.set_blocked(self.core, _user_id(request), blocked).blocked

    async def group(self, request: web.Request) -> JSONDict:
        body = await _body(request)
        members = [int(member) for member in body.get("members", [])]
        group = self.core.world.add_group(int(body["id"]), str(body["title"]), members)
        return group.chat.to_dict()

    async def message(self, request: web.Request) -> JSONDict:
        body = await _body(request)
        stored = users.send_text(
            self.core,
            _user_id(request),
            str(body["text"]),
            chat_id=body.get("chat_id"),
            reply_to=body.get("reply_to"),
            entities=body.get("entities"),
        )
        return stored.view()

    async def file(self, request: web.Request) -> JSONDict:
        body = await _body(request)
        content = base64.b64decode(body.pop("content"))
        kind = str(body.pop("kind"))
        stored = users.send_file(self.core, _user_id(request), kind, content, **body)
        return stored.view()

    async def press(self, request: web.Request) -> JSONDict:
        body = await _body(request)
        query_id = users.press_button(
            self.core,
            _user_id(request),
            int(body["message_id"]),
            str(body["data"]),
            chat_id=body.get("chat_id"),
            forged=bool(body.get("forged")),
        )
        return {"callback_query_id": query_id}

    async def edit(self, request: web.Request) -> JSONDict:
        body = await _body(request)
        stored = users.edit_text(
            self.core,
            _user_id(request),
            int(body["message_id"]),
            str(body["text"]),
            chat_id=body.get("chat_id"),
        )
        return stored.view()

    async def messages(self, request: web.Request) -> list[JSONDict]:
        chat = self.core.world.chat(int(request.match_info["chat_id"]))
        return [stored.view() for stored in chat.messages.values()]

    async def next_event(self, request: web.Request) -> JSONDict:
        """The first event after `after`, waiting up to `timeout` s; null if none came."""
        query = request.query
        chat_id = int(query["chat_id"]) if "chat_id" in query else None
        event = await self.core.world.events.wait(
            int(query.get("after", 0)),
            chat_id,
            set(query.get("kinds", "message").split(",")),
            min(float(query.get("timeout", 0)), MAX_WAIT),
        )
        return {"event": event}

    async def events_since(self, request: web.Request) -> list[JSONDict]:
        """Every event of these kinds in any chat after `after`, waiting up to `timeout` s for
        the first: one call follows everything the bot does (the sandbox's terminal)."""
        query = request.query
        after = int(query.get("after", 0))
        kinds = set(query.get("kinds", "message").split(","))
        events = self.core.world.events
        await events.wait(after, None, kinds, min(float(query.get("timeout", 0)), MAX_WAIT))
        return [
            event for event in events.events if event["seq"] > after and event["kind"] in kinds
        ]

    async def wait_for_updates(self, request: web.Request) -> JSONDict:
        """Waits until the bot confirmed every update (`until=drained`) or is long-polling
        (`until=polling`); `reached` says whether it happened within `timeout` seconds."""
        updates = self.core.updates
        condition = {"drained": updates.is_drained, "polling": updates.is_polled}
        seconds = min(float(request.query.get("timeout", 0)), MAX_WAIT)
        reached = await updates.wait_until(condition[request.query["until"]], seconds)
        return {"reached": reached, **self.core.counters_view()}

    async def log(self, request: web.Request) -> list[JSONDict]:
        kinds = set(request.query.get("kinds", "message").split(","))
        chat = request.query.get("chat_id")
        return [
            event
            for event in self.core.world.events.events
            if event["kind"] in kinds and (chat is None or event["chat_id"] == int(chat))
        ]

    async def add_fault(self, request: web.Request) -> JSONDict:
        return dataclasses.asdict(self.core.faults.add(await _body(request)))

    async def clear_faults(self, request: web.Request) -> bool:
        self.core.faults.clear()
        return True

    async def counters(self, request: web.Request) -> JSONDict:
        return self.core.counters_view()

    async def commands(self, request: web.Request) -> list[JSONDict]:
        return list(self.core.world.commands.values())

    async def file_content(self, request: web.Request) -> web.Response:
        try:
            stored = self.core.files.get(request.match_info["file_id"])
        except ApiError as error:
            return web.json_response(error.body(), status=404)
        return web.Response(body=stored.content, content_type="application/octet-stream")
