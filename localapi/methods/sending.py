"""Bot API methods that post into a chat: sendMessage, copyMessage, sendDocument, sendPhoto,
sendChatAction. Each checks what Telegram checks, then takes a flood-limit token, then stores."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardMarkup, Message, MessageEntity, MessageId

from localapi.core import Core
from localapi.errors import JSONDict, bad_request
from localapi.files import StoredFile
from localapi.markup import Formatted, format_text
from localapi.params import Params
from localapi.rules import check_caption, check_text, reply_markup
from localapi.state import ChatRecord

CHAT_ACTIONS = frozenset(
    {"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice"}
    | {"upload_document", "choose_sticker", "find_location", "record_video_note"}
    | {"upload_video_note"}
)
MEDIA = ("document", "photo", "sticker", "voice")


def formatted(params: Params, field: str, entities_field: str) -> Formatted:
    """The text or caption after parse_mode, as Telegram would store it."""
    entities = [MessageEntity.de_json(item, None) for item in params.obj(entities_field) or []]
    return format_text(params.text(field) or "", params.text("parse_mode"), entities)


async def send_message(core: Core, params: Params) -> JSONDict:
    chat = core.world.reachable_chat(params.chat_id())
    text = formatted(params, "text", "entities")
    check_text(text)
    return _post(core, chat, params, "text", text)


async def copy_message(core: Core, params: Params) -> JSONDict:
    source = core.world.chat(params.chat_id("from_chat_id"))
    original = source.stored(params.message_id(), "message to copy not found").fields
    chat = core.world.reachable_chat(params.chat_id())
    media = {name: original[name] for name in MEDIA if name in original}
    if "text" in original:
        text = Formatted(original["text"], tuple(original.get("entities", ())))
        copy = _post(core, chat, params, "text", text, media=media, raw=text.text)
    elif params.has("caption"):
        copy = _post(core, chat, params, "caption", _caption(params), media=media)
    else:
        caption = Formatted(
            original.get("caption", ""), tuple(original.get("caption_entities", ()))
        )
        copy = _post(core, chat, params, "caption", caption, media=media, raw=caption.text or None)
    return MessageId(copy["message_id"]).to_dict()


async def send_document(core: Core, params: Params) -> JSONDict:
    chat = core.world.reachable_chat(params.chat_id())
    caption = _caption(params)
    upload = params.files.get("document")
    if upload is not None:
        stored = core.files.add("document", upload.content, upload.filename, upload.content_type)
    else:
        stored = core.files.get(_file_reference(params, "document"), "document")
    media = {"document": stored.as_document()}
    return _post(core, chat, params, "caption", caption, media=media)


async def send_photo(core: Core, params: Params) -> JSONDict:
    chat = core.world.reachable_chat(params.chat_id())
    caption = _caption(params)
    upload = params.files.get("photo")
    if upload is not None:
        sizes: tuple[StoredFile, ...] = core.files.add_photo(upload.content)
    else:
        sizes = core.files.photo_set(_file_reference(params, "photo"))
    media = {"photo": tuple(size.as_photo_size() for size in sizes)}
    return _post(core, chat, params, "caption", caption, media=media)


async def send_chat_action(core: Core, params: Params) -> bool:
    chat = core.world.reachable_chat(params.chat_id())
    action = params.text("action")
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    core.world.events.add("chat_action", chat.chat.id, action=action)
    return True


def _caption(params: Params) -> Formatted:
    caption = formatted(params, "caption", "caption_entities")
    check_caption(caption)
    return caption


def _file_reference(params: Params, field: str) -> str:
    """A file_id the bot re-sends; URLs are refused because this server has no internet."""
    reference = params.text(field)
    if not reference or reference.startswith(("http://", "https://")):
        raise bad_request("wrong file identifier/HTTP URL specified")
    if reference.startswith("attach://"):
        raise bad_request(f"{field} must be uploaded as a file")
    return reference


def _post(
    core: Core,
    chat: ChatRecord,
    params: Params,
    field: str,
    content: Formatted,
    *,
    media: dict[str, Any] | None = None,
    raw: str | None = None,
) -> JSONDict:
    """Stores the bot's message after the common checks: keyboard, reply target, flood limit."""
    markup_data = params.obj("reply_markup")
    markup = reply_markup(markup_data)
    reply_to = _reply_to(core, chat, params)
    core.limiter.take(chat.chat.id, chat.is_group)
    entities_field = "entities" if field == "text" else "caption_entities"
    fields: dict[str, Any] = {
        field: content.text or None,
        entities_field: content.entities or None,
        "reply_markup": markup if isinstance(markup, InlineKeyboardMarkup) else None,
        "reply_to_message": reply_to,
        **(media or {}),
    }
    stored = core.add_message(chat, core.bot_user, from_bot=True, **fields)
    stored.raw_text = raw if raw is not None else params.text(field)
    stored.parse_mode = None if raw is not None else params.text("parse_mode")
    stored.keyboard = markup_data
    stored.silent = params.flag("disable_notification")
    view = stored.view()
    core.world.events.add("message", chat.chat.id, message=view)
    return dict(view["message"])


def _reply_to(core: Core, chat: ChatRecord, params: Params) -> Message | None:
    reply = params.obj("reply_parameters")
    if not isinstance(reply, dict):
        reply = {}
    message_id = reply.get("message_id") or params.integer("reply_to_message_id")
    if message_id is None:
        return None
    lenient = bool(reply.get("allow_sending_without_reply")) or params.flag(
        "allow_sending_without_reply"
    )
    if lenient and int(message_id) not in chat.messages:
        return None
    return core.reply_target(chat, int(message_id))


METHODS = {
    "sendMessage": send_message,
    "copyMessage": copy_message,
    "sendDocument": send_document,
    "sendPhoto": send_photo,
    "sendChatAction": send_chat_action,
}
