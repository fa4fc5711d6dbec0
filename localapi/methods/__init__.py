"""The Bot API methods this server implements, looked up case-insensitively like Telegram."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from localapi.core import Core
from localapi.methods import editing, sending, service
from localapi.params import Params

Method = Callable[[Core, Params], Awaitable[Any]]

METHODS: dict[str, tuple[str, Method]] = {
    name.lower(): (name, method)
    for module in (sending, editing, service)
    for name, method in module.METHODS.items()
}
