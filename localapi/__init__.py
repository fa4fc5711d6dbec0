"""A local Telegram Bot API server for tests, benchmarks and the sandbox.

It answers python-telegram-bot with PTB's own types, enforces Telegram's documented rules
(lengths, callback data, HTML parsing, flood limits with 429), and has a control API that
plays users and injects faults. See server.py (HTTP), control.py and client.py (control).
"""

from localapi.client import ChatMessage, ControlClient, ControlError, NothingReceived, Person
from localapi.core import DEFAULT_TOKEN, Core, Options
from localapi.rules import Limits
from localapi.server import LocalBotApi
from localapi.updates import WebhookTiming

__all__ = [
    "DEFAULT_TOKEN",
    "ChatMessage",
    "ControlClient",
    "ControlError",
    "Core",
    "Limits",
    "LocalBotApi",
    "NothingReceived",
    "Options",
    "Person",
    "WebhookTiming",
]
