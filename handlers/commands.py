"""The commands of each role in the chat's menu (setMyCommands), in the person's language;
the table itself is core/access.py."""

from __future__ import annotations

from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeDefault

from core.access import commands_for
from handlers.context import BotApplication, BotContext
from storage.models import Role


def _describe(context: BotContext, language: str, key: str) -> str:
    templates = context.services.templates
    return templates.macro(language, "tg/labels.txt.j2", "command", key=key)


async def publish_commands(context: BotContext, chat_id: int, role: Role, language: str) -> None:
    """Show this person's commands, in their language, in their chat's menu."""
    await context.bot.set_my_commands(
        [
            BotCommand(c.shown_name(language), _describe(context, language, c.key))
            for c in commands_for(role)
        ],
        scope=BotCommandScopeChat(chat_id),
    )


async def publish_default_commands(application: BotApplication) -> None:
    """What a stranger's menu shows: only /start, in Polish and in English."""
    templates = application.bot_data.services.templates
    for language in ("pl", "en"):
        description = templates.macro(language, "tg/labels.txt.j2", "command", key="start")
        await application.bot.set_my_commands(
            [BotCommand("start", description)],
            scope=BotCommandScopeDefault(),
            language_code=None if language == "pl" else language,
        )
