"""Typed runtime data for handlers: the services and the resolved caller, never string keys."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from core.services import Services
from storage.people import Caller


class BotData:
    """The Application's bot_data: the services container, set once in post_init."""

    def __init__(self) -> None:
        self._services: Services | None = None
        self.outbox_wakeup = asyncio.Event()
        self.sender: asyncio.Task[None] | None = None

    @property
    def services(self) -> Services:
        assert self._services is not None, "services are set in post_init"
        return self._services

    @services.setter
    def services(self, services: Services) -> None:
        self._services = services


class BotContext(CallbackContext[ExtBot[Any], dict[Any, Any], dict[Any, Any], BotData]):
    """One per update; the gate fills `caller` and `language` before any handler runs."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self.caller: Caller | None = None
        self.language: str = "pl"
        self.pressed: str | None = None  # a pressed button's data, checked (and unsigned)

    @property
    def services(self) -> Services:
        return self.bot_data.services

    def today(self) -> dt.date:
        """Today's date in the programme's local calendar."""
        services = self.services
        return services.clock.now().astimezone(services.settings.zone).date()

    def wake_outbox(self) -> None:
        """Tell the outbox sender that rows were committed for it."""
        self.bot_data.outbox_wakeup.set()


BotApplication = Application[ExtBot[Any], BotContext, dict[Any, Any], dict[Any, Any], BotData, Any]
