"""/panel (/web): an adviser or a coordinator gets a one-time sign-in link to the web view on
Telegram, as the web view's sign-in page sends one by e-mail (storage/web_sessions.py)."""

from __future__ import annotations

import datetime as dt

from telegram import Update
from telegram.ext import CommandHandler

from core.access import command
from handlers.context import BotApplication, BotContext
from handlers.replies import reply, reply_now
from storage.web_sessions import issue_link, link_address


async def panel(update: Update, context: BotContext) -> None:
    caller, services = context.caller, context.services
    assert caller is not None
    settings = services.settings
    base = settings.web_base
    if base is None:
        await reply_now(update, context, "web_off")
        return
    life = dt.timedelta(minutes=settings.web_link_minutes)
    async with services.sessionmaker.begin() as session:
        token = await issue_link(session, caller.person_id, services.clock.now(), life)
        if token is None:
            await reply(update, context, "web_links_held", session=session)
            return
        link = link_address(base, token)
        minutes = settings.web_link_minutes
        await reply(
            update,
            context,
            "web_link",
            session=session,
            secrets=(token,),  # the row keeps the message, not the way in
            link=link,
            minutes=minutes,
        )


def register(application: BotApplication) -> None:
    application.add_handler(CommandHandler(command("panel").names, panel))
