"""People acting in Telegram, for the control API: they write, send files, press buttons,
edit their messages and block the bot; each action becomes the update Telegram would send."""

from __future__ import annotations

import datetime as dt
from typing import Any

from telegram import (
    CallbackQuery,
    ChatMemberBanned,
    ChatMemberMember,
    ChatMemberUpdated,
    MessageEntity,
)

from localapi.core import Core
from localapi.errors import JSONDict, bad_request
from localapi.markup import utf16_len
from localapi.state import ChatRecord, PendingQuery, StoredMessage, UserRecord

NOT_A_BUTTON = "the message has no button with this callback_data"
FOREVER = dt.datetime.fromtimestamp(0, dt.UTC)  # until_date 0: banned for good


def command_entities(text: str) -> tuple[MessageEntity, ...]:
    """A message starting with '/' gets the bot_command entity Telegram adds (with @botname)."""
    command = text.split(maxsplit=1)[0] if text.startswith("/") else ""
    if len(command) < 2:
        return ()
    return (MessageEntity(MessageEntity.BOT_COMMAND, 0, utf16_len(command)),)


def send_text(
    core: Core,
    user_id: int,
    text: str,
    *,
    chat_id: int | None = None,
    reply_to: int | None = None,
    entities: list[JSONDict] | None = None,
) -> StoredMessage:
    if not text:
        raise bad_request("message text is empty")
    person, chat = _writing(core, user_id, chat_id)
    parsed = tuple(MessageEntity.de_json(item, None) for item in entities or [])
    return _deliver(
        core,
        person,
        chat,
        reply_to,
        text=text,
        entities=parsed or command_entities(text) or None,
    )


def send_file(
    core: Core,
    user_id: int,
    kind: str,
    content: bytes,
    *,
    chat_id: int | None = None,
    **details: Any,
) -> StoredMessage:
    """A document, photo, sticker or voice message from a person, stored as a real file."""
    person, chat = _writing(core, user_id, chat_id)
    fields: dict[str, Any] = {"caption": details.get("caption")}
    if kind == "photo":
        sizes = core.files.add_photo(content)
        fields["photo"] = tuple(size.as_photo_size() for size in sizes)
    elif kind == "document":
        stored = core.files.add(kind, content, details.get("file_name"), details.get("mime_type"))
        fields["document"] = stored.as_document()
    elif kind == "sticker":
        stored = core.files.add(kind, content, "sticker.webp", "image/webp", (512, 512))
        fields["sticker"] = stored.as_sticker(details.get("emoji"))
    elif kind == "voice":
        stored = core.files.add(kind, content, "voice.ogg", "audio/ogg")
        fields["voice"] = stored.as_voice(int(details.get("duration") or 1))
    else:
        raise bad_request(f"unknown file kind {kind}")
    return _deliver(core, person, chat, details.get("reply_to"), **fields)


def press_button(
    core: Core,
    user_id: int,
    message_id: int,
    data: str,
    *,
    chat_id: int | None = None,
    forged: bool = False,
) -> str:
    """Presses an inline button; `forged` sends data the message does not offer."""
    person, chat = _writing(core, user_id, chat_id)
    stored = chat.stored(message_id, "message not found")
    if not forged and data not in _callback_data(stored):
        raise bad_request(NOT_A_BUTTON)
    query_id = core.new_query_id()
    query = CallbackQuery(query_id, person.user, chat.instance, stored.message, data)
    core.world.queries[query_id] = PendingQuery(chat.chat.id, message_id, core.monotonic())
    core.updates.push("callback_query", query)
    return query_id


def edit_text(
    core: Core, user_id: int, message_id: int, text: str, *, chat_id: int | None = None
) -> StoredMessage:
    chat = _writing(core, user_id, chat_id)[1]
    stored = chat.stored(message_id, "message to edit not found")
    if stored.from_bot or stored.fields["from_user"].id != user_id or "text" not in stored.fields:
        raise bad_request("message can't be edited")
    stored.fields.update(text=text, edit_date=core.date())
    stored.fields.pop("entities", None)
    if entities := command_entities(text):
        stored.fields["entities"] = entities
    core.updates.push("edited_message", stored.message)
    return stored


def set_blocked(core: Core, user_id: int, blocked: bool) -> UserRecord:
    """Blocking (or unblocking) the bot, with the my_chat_member update Telegram sends."""
    person = core.world.user(user_id)
    if person.blocked != blocked:
        person.blocked = blocked
        bot = core.bot_user
        member = ChatMemberMember(bot)
        banned = ChatMemberBanned(bot, FOREVER)
        old, new = (member, banned) if blocked else (banned, member)
        chat = core.world.chat(user_id).chat
        update = ChatMemberUpdated(chat, person.user, core.date(), old, new)
        core.updates.push("my_chat_member", update)
    return person


def _writing(core: Core, user_id: int, chat_id: int | None) -> tuple[UserRecord, ChatRecord]:
    person = core.world.user(user_id)
    chat = core.world.chat(user_id if chat_id is None else chat_id)
    if user_id not in chat.members:
        raise bad_request("user is not a member of the chat")
    if not chat.is_group:
        set_blocked(core, user_id, blocked=False)
        person.started = True
    return person, chat


def _deliver(
    core: Core, person: UserRecord, chat: ChatRecord, reply_to: int | None, **fields: Any
) -> StoredMessage:
    reply = core.reply_target(chat, reply_to)
    stored = core.add_message(chat, person.user, from_bot=False, reply_to_message=reply, **fields)
    core.updates.push("message", stored.message)
    return stored


def _callback_data(stored: StoredMessage) -> set[str]:
    markup = stored.fields.get("reply_markup")
    if markup is None:
        return set()
    return {
        str(button.callback_data)
        for row in markup.inline_keyboard
        for button in row
        if button.callback_data is not None
    }
