"""Bot API methods that change what a chat shows: editMessageText, editMessageReplyMarkup,
and answerCallbackQuery. Edits keep the previous versions for tests to read."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardMarkup, Message

from localapi.core import Core
from localapi.errors import JSONDict, bad_request
from localapi.methods.sending import formatted
from localapi.params import Params
from localapi.rules import check_text, reply_markup
from localapi.state import StoredMessage

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"


async def edit_message_text(core: Core, params: Params) -> JSONDict:
    stored = _editable(core, params)
    if "text" not in stored.fields:
        raise bad_request("there is no text in the message to edit")
    text = formatted(params, "text", "entities")
    check_text(text)
    changes = {"text": text.text, "entities": text.entities or None}
    return _apply(core, stored, changes, params)


async def edit_message_reply_markup(core: Core, params: Params) -> JSONDict:
    stored = _editable(core, params)
    return _apply(core, stored, {}, params)


async def answer_callback_query(core: Core, params: Params) -> bool:
    query_id = params.text("callback_query_id") or ""
    query = core.world.queries.get(query_id)
    window = core.options.callback_answer_window
    if query is None or query.answered or core.monotonic() - query.created > window:
        raise bad_request(QUERY_TOO_OLD)
    query.answered = True
    core.world.events.add(
        "callback_answer",
        query.chat_id,
        callback_query_id=query_id,
        message_id=query.message_id,
        text=params.text("text"),
        show_alert=params.flag("show_alert"),
        url=params.text("url"),
    )
    return True


def _editable(core: Core, params: Params) -> StoredMessage:
    if params.has("inline_message_id"):
        raise bad_request("inline messages are not supported by the local Bot API")
    chat = core.world.reachable_chat(params.chat_id())
    stored = chat.stored(params.message_id(), "message to edit not found")
    if not stored.from_bot:
        raise bad_request("message can't be edited")
    return stored


def _inline_markup(params: Params) -> InlineKeyboardMarkup | None:
    """Edits take only inline keyboards; leaving reply_markup out removes the keyboard."""
    markup = reply_markup(params.obj("reply_markup"))
    if markup is not None and not isinstance(markup, InlineKeyboardMarkup):
        raise bad_request("inline keyboard expected")
    return markup


def _apply(core: Core, stored: StoredMessage, changes: dict[str, Any], params: Params) -> JSONDict:
    """Replaces the message's content; an identical result is refused as Telegram does."""
    before = stored.message.to_dict()
    after = {**stored.fields, **changes, "reply_markup": _inline_markup(params)}
    after = {name: value for name, value in after.items() if value is not None}
    if Message(**after).to_dict() == before:
        raise bad_request(NOT_MODIFIED)
    stored.edits.append({"message": before, "raw_text": stored.raw_text})
    stored.fields = after | {"edit_date": core.date()}
    if "text" in changes:
        stored.raw_text, stored.parse_mode = params.text("text"), params.text("parse_mode")
    stored.keyboard = params.obj("reply_markup")
    view = stored.view()
    core.world.events.add("edit", stored.fields["chat"].id, message=view)
    return dict(view["message"])


METHODS = {
    "editMessageText": edit_message_text,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "answerCallbackQuery": answer_callback_query,
}
