"""Bot API methods about the bot itself: getMe, updates and webhooks, commands, files."""

from __future__ import annotations

import json
import re
from typing import Any

from telegram import BotCommand

from localapi.core import Core
from localapi.errors import JSONDict, bad_request
from localapi.params import Params
from localapi.updates import Webhook

COMMAND = re.compile(r"[a-z0-9_]{1,32}")
SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
MAX_COMMANDS = 100


async def get_me(core: Core, params: Params) -> JSONDict:
    return core.bot_user.to_dict()


async def get_updates(core: Core, params: Params) -> list[JSONDict]:
    return await core.updates.get_updates(
        offset=params.integer("offset", 0) or 0,
        limit=params.integer("limit", 100) or 100,
        poll_seconds=params.number("timeout", 0.0),
        allowed=params.obj("allowed_updates"),
    )


async def set_webhook(core: Core, params: Params) -> bool:
    url = params.text("url") or ""
    if not url:
        return await delete_webhook(core, params)
    if not url.startswith(("http://", "https://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = params.text("secret_token")
    if secret is not None and not SECRET.fullmatch(secret):
        raise bad_request("secret token contains unallowed characters")
    if params.flag("drop_pending_updates"):
        core.updates.drop_pending()
    hook = Webhook(url, secret, params.integer("max_connections", 40) or 40)
    await core.updates.set_webhook(hook, params.obj("allowed_updates"))
    return True


async def delete_webhook(core: Core, params: Params) -> bool:
    await core.updates.delete_webhook()
    if params.flag("drop_pending_updates"):
        core.updates.drop_pending()
    return True


async def get_webhook_info(core: Core, params: Params) -> JSONDict:
    return core.updates.webhook_info().to_dict()


async def set_my_commands(core: Core, params: Params) -> bool:
    listed = params.obj("commands")
    if not isinstance(listed, list) or len(listed) > MAX_COMMANDS:
        raise bad_request("can't parse commands JSON object")
    commands = []
    for item in listed:
        if not isinstance(item, dict) or not COMMAND.fullmatch(str(item.get("command", ""))):
            raise bad_request("BOT_COMMAND_INVALID")
        commands.append(BotCommand(item["command"], str(item.get("description", ""))).to_dict())
    key, scope = _commands_key(params)
    if commands:
        core.world.commands[key] = {**scope, "commands": commands}
    else:
        core.world.commands.pop(key, None)
    return True


async def get_my_commands(core: Core, params: Params) -> list[JSONDict]:
    key, _ = _commands_key(params)
    found: list[JSONDict] = core.world.commands.get(key, {}).get("commands", [])
    return found


async def delete_my_commands(core: Core, params: Params) -> bool:
    key, _ = _commands_key(params)
    core.world.commands.pop(key, None)
    return True


async def get_file(core: Core, params: Params) -> JSONDict:
    return core.files.for_download(params.text("file_id") or "").to_dict()


def _commands_key(params: Params) -> tuple[str, dict[str, Any]]:
    """Commands are kept per scope and language, like Telegram's command lists."""
    scope = {
        "scope": params.obj("scope") or {"type": "default"},
        "language_code": params.text("language_code") or "",
    }
    return json.dumps(scope, sort_keys=True), scope


METHODS = {
    "getMe": get_me,
    "getUpdates": get_updates,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "getFile": get_file,
}
