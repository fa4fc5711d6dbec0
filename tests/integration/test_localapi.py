"""The local Bot API answers python-telegram-bot's real Bot, and every answer parses.

Each test drives `telegram.Bot` against the server and reads the chat through the control API.
"""

from __future__ import annotations

import io

import pytest
import telegram
from PIL import Image
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, EndPointNotFound, Forbidden, InvalidToken

from localapi import ControlClient, ControlError, LocalBotApi, Person
from tests.support import localapi

monotonic = localapi.monotonic
local_api = localapi.local_api
control = localapi.control
ptb_bot = localapi.ptb_bot

ANNA = 1001


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(item, callback_data=item) for item in data]]
    )


@pytest.fixture
async def anna(control: ControlClient) -> Person:
    """A user who has started the bot, so it may write to her."""
    return await control.user(ANNA, "Anna", username="anna_k", started=True)


async def test_get_me_describes_a_bot_and_a_wrong_token_is_refused(
    ptb_bot: telegram.Bot, local_api: LocalBotApi
) -> None:
    me = await ptb_bot.get_me()
    assert (me.is_bot, me.username, me.can_join_groups) == (True, "local_test_bot", True)
    stranger = telegram.Bot("1:wrong", base_url=local_api.base_url)
    with pytest.raises(InvalidToken):
        async with stranger:  # initializing calls getMe
            pass
    with pytest.raises(EndPointNotFound):
        await ptb_bot.do_api_request("noSuchMethod")


async def test_html_message_arrives_parsed_with_the_raw_text_kept(
    ptb_bot: telegram.Bot, control: ControlClient, anna: Person
) -> None:
    html = "<b>Termin ZW1</b>: 15 marca &amp; <i>później</i>"
    sent = await ptb_bot.send_message(ANNA, html, parse_mode="HTML", reply_markup=keyboard("ok"))
    assert sent.text == "Termin ZW1: 15 marca & później"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("bold", 0, 10),
        ("italic", 23, 7),
    ]
    received = await control.next_message(ANNA)
    assert (received.message_id, received.raw_text, received.text) == (
        sent.message_id,
        html,
        sent.text,
    )
    assert received.parse_mode == "HTML"
    assert received.buttons == [("ok", "ok")]
    assert received.message.date == sent.date


async def test_a_message_sent_without_a_sound_is_marked_silent_in_the_chat(
    ptb_bot: telegram.Bot, control: ControlClient, anna: Person
) -> None:
    """disable_notification is not in the Message; the recipient's phone alone knows it."""
    await ptb_bot.send_message(ANNA, "Odpowiedź w nocy", disable_notification=True)
    await ptb_bot.send_message(ANNA, "Przypomnienie rano")
    question = await anna.say("Kiedy debata?")
    await ptb_bot.copy_message(ANNA, ANNA, question.message_id, disable_notification=True)
    received = await control.received(ANNA)
    assert [(m.text, m.silent) for m in received] == [
        ("Odpowiedź w nocy", True),
        ("Przypomnienie rano", False),
        ("Kiedy debata?", True),
    ]


async def test_telegrams_refusals_reach_the_bot_as_bad_request(
    ptb_bot: telegram.Bot, control: ControlClient, anna: Person
) -> None:
    with pytest.raises(BadRequest, match=r'(?i)Unsupported start tag "br" at byte offset 5'):
        await ptb_bot.send_message(ANNA, "Hello<br>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)Can't find end tag corresponding to start tag"):
        await ptb_bot.send_message(ANNA, "<b>Hello", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)Message is too long"):
        await ptb_bot.send_message(ANNA, "x" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)Button_data_invalid"):
        await ptb_bot.send_message(ANNA, "Pick", reply_markup=keyboard("q" * 65))
    with pytest.raises(BadRequest, match=r"(?i)Chat not found"):
        await ptb_bot.send_message(999, "hi")
    with pytest.raises(BadRequest, match=r"(?i)Message to be replied not found"):
        await ptb_bot.send_message(ANNA, "hi", reply_to_message_id=77)
    assert await control.received(ANNA) == []


async def test_the_bot_cannot_write_first_nor_to_a_user_who_blocked_it(
    ptb_bot: telegram.Bot, control: ControlClient
) -> None:
    piotr = await control.user(1002, "Piotr")
    with pytest.raises(Forbidden, match=r"(?i)bot can't initiate conversation"):
        await ptb_bot.send_message(1002, "hi")
    await piotr.say("/start")
    await piotr.block()
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await ptb_bot.send_message(1002, "hi")
    await piotr.block(blocked=False)
    assert (await ptb_bot.send_message(1002, "welcome back")).message_id == 2
    updates = await ptb_bot.get_updates()
    statuses = [u.my_chat_member.new_chat_member.status for u in updates if u.my_chat_member]
    assert statuses == ["kicked", "member"]


async def test_edits_replace_text_and_keyboard_and_identical_edits_are_refused(
    ptb_bot: telegram.Bot, control: ControlClient, anna: Person
) -> None:
    sent = await ptb_bot.send_message(ANNA, "Pytanie?", reply_markup=keyboard("tak", "nie"))
    marked = await ptb_bot.edit_message_reply_markup(
        ANNA, sent.message_id, reply_markup=keyboard("tak")
    )
    assert isinstance(marked, telegram.Message)
    edited = await ptb_bot.edit_message_text(
        "<i>Dziękujemy</i>", ANNA, sent.message_id, parse_mode="HTML"
    )
    assert isinstance(edited, telegram.Message)
    assert (edited.text, edited.reply_markup, edited.edit_date) == ("Dziękujemy", None, sent.date)
    with pytest.raises(BadRequest, match=r"(?i)Message is not modified"):
        await ptb_bot.edit_message_text(
            "<i>Dziękujemy</i>", ANNA, sent.message_id, parse_mode="HTML"
        )
    with pytest.raises(BadRequest, match=r"(?i)Message to edit not found"):
        await ptb_bot.edit_message_text("x", ANNA, 999)
    assert (await control.next_edit(ANNA)).buttons == [("tak", "tak")]
    final = await control.next_edit(ANNA)
    assert (final.text, final.raw_text, final.buttons) == ("Dziękujemy", "<i>Dziękujemy</i>", [])
    assert [edit["message"]["text"] for edit in final.edits] == ["Pytanie?", "Pytanie?"]


async def test_a_button_press_reaches_the_bot_and_its_answer_is_recorded(
    ptb_bot: telegram.Bot,
    control: ControlClient,
    anna: Person,
    monotonic: localapi.FakeMonotonic,
) -> None:
    sent = await ptb_bot.send_message(ANNA, "Raport gotowy?", reply_markup=keyboard("yes"))
    await anna.press(await control.next_message(ANNA), "yes")
    await control.press(ANNA, sent.message_id, "forged:data", forged=True)
    with pytest.raises(ControlError, match=r"(?i)no button"):
        await control.press(ANNA, sent.message_id, "forged:data")
    first, second = [update.callback_query for update in await ptb_bot.get_updates()]
    assert first is not None and second is not None
    assert (first.data, second.data, first.from_user.id) == ("yes", "forged:data", ANNA)
    assert first.chat_instance == second.chat_instance
    assert first.message is not None and first.message.message_id == sent.message_id
    assert await first.answer("Zapisano", show_alert=True)
    with pytest.raises(BadRequest, match=r"(?i)Query is too old"):
        await first.answer("again")
    monotonic.advance(16)  # Telegram waits about 15 s for an answer
    with pytest.raises(BadRequest, match=r"(?i)Query is too old"):
        await second.answer()
    answer = await control.next_callback_answer(ANNA)
    assert (answer["text"], answer["show_alert"]) == ("Zapisano", True)


async def test_copy_message_and_chat_actions(
    ptb_bot: telegram.Bot, control: ControlClient, anna: Person
) -> None:
    adviser = await control.user(2001, "Doradca", started=True)
    question = await anna.say("Kiedy debata?")
    copied = await ptb_bot.copy_message(
        2001, ANNA, question.message_id, reply_markup=keyboard("a")
    )
    assert isinstance(copied, telegram.MessageId)
    received = await adviser.next_message()
    assert (received.message_id, received.text, received.buttons) == (
        copied.message_id,
        "Kiedy debata?",
        [("a", "a")],
    )
    assert await ptb_bot.send_chat_action(ANNA, "typing")
    with pytest.raises(BadRequest, match=r"(?i)Wrong parameter action"):
        await ptb_bot.send_chat_action(ANNA, "dancing")
    assert [event["action"] for event in await control.log(("chat_action",))] == ["typing"]


async def test_documents_upload_download_and_resend_by_file_id(
    ptb_bot: telegram.Bot, control: ControlClient, anna: Person
) -> None:
    content = "Sprawozdanie miesięczne\n".encode() * 100
    sent = await ptb_bot.send_document(
        ANNA, content, filename="raport.txt", caption="<b>Raport</b>", parse_mode="HTML"
    )
    document = sent.document
    assert document is not None and sent.caption == "Raport"
    assert (document.file_name, document.file_size) == ("raport.txt", len(content))
    file = await ptb_bot.get_file(document.file_id)
    assert bytes(await file.download_as_bytearray()) == content
    again = await ptb_bot.send_document(ANNA, document.file_id)
    assert again.document is not None and again.document.file_id == document.file_id
    assert await control.file_content(document.file_id) == content
    with pytest.raises(BadRequest, match=r"(?i)Wrong file identifier/http url specified"):
        await ptb_bot.send_document(ANNA, "https://example.com/a.pdf")
    with pytest.raises(BadRequest, match=r"(?i)Invalid file_id"):
        await ptb_bot.get_file("nope")


async def test_photos_come_back_as_sizes_and_user_files_reach_the_bot(
    ptb_bot: telegram.Bot, control: ControlClient, anna: Person
) -> None:
    image = io.BytesIO()
    Image.new("RGB", (400, 200), "red").save(image, format="PNG")
    sent = await ptb_bot.send_photo(ANNA, image.getvalue(), caption="Wykres")
    assert [(size.width, size.height) for size in sent.photo] == [(90, 45), (400, 200)]
    with pytest.raises(BadRequest, match=r"(?i)Image_process_failed"):
        await ptb_bot.send_photo(ANNA, b"not an image")
    await anna.send_file("document", b"%PDF-1.4", file_name="uchwala.pdf", caption="Uchwała")
    await anna.send_file("photo", image.getvalue())
    await anna.send_file("sticker", b"RIFF....WEBP", emoji="👍")
    await anna.send_file("voice", b"OggS", duration=3)
    messages = [update.message for update in await ptb_bot.get_updates()]
    document, photo, sticker, voice = messages
    assert document is not None and document.document is not None
    assert (document.document.file_name, document.caption) == ("uchwala.pdf", "Uchwała")
    downloaded = await (await document.document.get_file()).download_as_bytearray()
    assert bytes(downloaded) == b"%PDF-1.4"
    assert photo is not None and photo.photo[-1].width == 400
    assert sticker is not None and sticker.sticker is not None and sticker.sticker.emoji == "👍"
    assert voice is not None and voice.voice is not None
    assert (voice.voice.mime_type, voice.voice.file_size) == ("audio/ogg", 4)


async def test_commands_are_kept_per_scope_and_language(
    ptb_bot: telegram.Bot, control: ControlClient
) -> None:
    await ptb_bot.set_my_commands([("start", "Start"), ("status", "Status zespołu")])
    await ptb_bot.set_my_commands([("start", "Start")], language_code="en")
    assert [c.command for c in await ptb_bot.get_my_commands()] == ["start", "status"]
    with pytest.raises(BadRequest, match=r"(?i)Bot_command_invalid"):
        await ptb_bot.set_my_commands([("Bad Command", "x")])
    listed = {(item["language_code"], len(item["commands"])) for item in await control.commands()}
    assert listed == {("", 2), ("en", 1)}


async def test_users_reply_edit_and_write_in_groups(
    ptb_bot: telegram.Bot, control: ControlClient, anna: Person
) -> None:
    sent = await ptb_bot.send_message(ANNA, "Pytanie od doradcy")
    await anna.say("Odpowiedź", reply_to=sent.message_id)
    own = await anna.say("/status@local_test_bot teraz")
    await control.edit(ANNA, own.message_id, "/status")
    await control.group(-500, "Zespół Gminy", [ANNA])
    await anna.say("/start", chat_id=-500)
    reply, command, edit, group = await ptb_bot.get_updates()
    assert reply.message is not None and reply.message.reply_to_message is not None
    assert reply.message.reply_to_message.message_id == sent.message_id
    assert command.message is not None
    assert command.message.parse_entities(["bot_command"]).popitem()[1] == "/status@local_test_bot"
    assert edit.edited_message is not None and edit.edited_message.text == "/status"
    assert group.message is not None and group.message.chat.type == "group"
    assert group.message.chat.title == "Zespół Gminy"
