"""The local Bot API's rules without I/O: Telegram HTML parsing, limits on text and keyboards,
and the flood-limit buckets on a clock the test moves."""

from __future__ import annotations

import pytest
from telegram import MessageEntity

from localapi.errors import ApiError
from localapi.markup import format_text, parse_html
from localapi.rules import Limits, RateLimiter, check_text, reply_markup
from tests.support.localapi import FakeMonotonic


def entities(html: str) -> list[tuple[str, int, int]]:
    return [(entity.type, entity.offset, entity.length) for entity in parse_html(html)[1]]


def refusal(html: str) -> str:
    with pytest.raises(ApiError) as caught:
        parse_html(html)
    assert caught.value.code == 400
    return caught.value.description


def test_tags_become_entities_with_utf16_offsets() -> None:
    text, found = parse_html("<b>Zadanie 😀</b> <i>ZW1</i> <u>u</u><s>s</s>")
    assert text == "Zadanie 😀 ZW1 us"
    # the emoji is two UTF-16 code units, so "ZW1" starts at 11, not 10
    assert entities("<b>Zadanie 😀</b> <i>ZW1</i> <u>u</u><s>s</s>") == [
        ("bold", 0, 10),
        ("italic", 11, 3),
        ("underline", 15, 1),
        ("strikethrough", 16, 1),
    ]
    assert [entity.type for entity in found] == ["bold", "italic", "underline", "strikethrough"]


def test_synonyms_links_spoilers_code_and_quotes() -> None:
    html = (
        '<strong>a</strong><em>b</em><ins>c</ins><del>d</del><a href="https://ore.edu.pl">e</a>'
        '<span class="tg-spoiler">f</span><tg-spoiler>g</tg-spoiler><code>h</code>'
        '<pre><code class="language-python">i</code></pre><blockquote expandable>j</blockquote>'
    )
    text, found = parse_html(html)
    assert text == "abcdefghij"
    kinds = [(entity.type, entity.url or entity.language) for entity in found]
    assert kinds == [
        ("bold", None),
        ("italic", None),
        ("underline", None),
        ("strikethrough", None),
        ("text_link", "https://ore.edu.pl"),
        ("spoiler", None),
        ("spoiler", None),
        ("code", None),
        ("pre", "python"),
        ("expandable_blockquote", None),
    ]


def test_nested_entities_are_ordered_by_offset_then_longest_first() -> None:
    assert entities("<b>bold <i>both</i></b>") == [("bold", 0, 9), ("italic", 5, 4)]


def test_html_entities_decode_and_unknown_ones_stay_literal() -> None:
    text, _ = parse_html("a &lt;b&gt; &amp; &quot;c&quot; &#261;&#x0119; &nbsp; AT&T")
    assert text == 'a <b> & "c" ąę &nbsp; AT&T'


@pytest.mark.parametrize(
    ("html", "description"),
    [
        ("<br>x", 'Unsupported start tag "br" at byte offset 0'),
        ("2 < 3", 'Unsupported start tag "" at byte offset 2'),
        ("ąę <p>", 'Unsupported start tag "p" at byte offset 5'),
        ("<b>never closed", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b", "Unclosed start tag at byte offset 0"),
        ('<a href="x">y</a', "Unclosed end tag at byte offset 13"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<a href>x</a>", 'Expected equal sign in declaration of an attribute of the tag "a"'),
    ],
)
def test_malformed_html_is_refused_in_telegrams_words(html: str, description: str) -> None:
    assert refusal(html).startswith(f"Bad Request: can't parse entities: {description}")


def test_text_is_trimmed_and_entities_follow() -> None:
    formatted = format_text("\n  <b>  Hej</b>  \n", "HTML")
    assert formatted.text == "Hej"
    assert [(e.type, e.offset, e.length) for e in formatted.entities] == [("bold", 0, 3)]


def test_plain_text_keeps_given_entities_and_markdown_is_refused() -> None:
    given = [MessageEntity("bold", 0, 3)]
    assert format_text("abc <b>", None, given).entities == tuple(given)
    with pytest.raises(ApiError, match="unsupported parse_mode"):
        format_text("*x*", "MarkdownV2")


def test_text_limits() -> None:
    check_text(format_text("x" * 4096, None))
    with pytest.raises(ApiError, match="message is too long"):
        check_text(format_text("x" * 4097, None))
    with pytest.raises(ApiError, match="message text is empty"):
        check_text(format_text("<b> </b>", "HTML"))


def test_callback_data_is_limited_to_64_bytes() -> None:
    def keyboard(data: str) -> dict[str, object]:
        return {"inline_keyboard": [[{"text": "OK", "callback_data": data}]]}

    assert reply_markup(keyboard("ż" * 32)) is not None  # 64 bytes in UTF-8
    with pytest.raises(ApiError, match="BUTTON_DATA_INVALID"):
        reply_markup(keyboard("ż" * 32 + "x"))
    with pytest.raises(ApiError, match="text buttons are unallowed"):
        reply_markup({"inline_keyboard": [[{"text": "OK"}]]})


def flood(limiter: RateLimiter, chat_id: int, group: bool = False) -> int | None:
    """Takes one message slot; the retry_after of the 429 if refused."""
    try:
        limiter.take(chat_id, group)
    except ApiError as error:
        assert error.code == 429
        assert error.description == f"Too Many Requests: retry after {error.retry_after}"
        return error.retry_after
    return None


def test_a_chat_gets_a_burst_of_three_then_one_per_second() -> None:
    clock = FakeMonotonic()
    limiter = RateLimiter(Limits(), clock)
    assert [flood(limiter, 1) for _ in range(4)] == [None, None, None, 1]
    assert flood(limiter, 2) is None  # other chats are not affected
    clock.advance(1.0)
    assert [flood(limiter, 1), flood(limiter, 1)] == [None, 1]
    assert limiter.refused == 2
    assert limiter.refused_by == {"chat": 2}, "a chat's burst, not the bot's overall rate"


def test_groups_get_twenty_a_minute_and_the_bot_thirty_a_second() -> None:
    clock = FakeMonotonic()
    limiter = RateLimiter(Limits(chat_burst=100), clock)
    assert all(flood(limiter, -100, group=True) is None for _ in range(20))
    assert flood(limiter, -100, group=True) == 3  # 60 s / 20 messages
    assert all(flood(limiter, chat) is None for chat in range(1, 11))  # 30 in this second
    assert flood(limiter, 11) == 1
    assert limiter.refused_by == {"group": 1, "all": 1}


def test_switched_off_limits_let_everything_through() -> None:
    limiter = RateLimiter(Limits(enabled=False), FakeMonotonic())
    assert all(flood(limiter, 1) is None for _ in range(1000))


def test_the_busiest_second_counts_accepted_messages_of_every_chat_in_a_sliding_second() -> None:
    clock = FakeMonotonic()
    limiter = RateLimiter(Limits(enabled=False), clock)
    for chat_id in range(5):  # five at once, then one every 0.3 s
        flood(limiter, chat_id)
    for _ in range(6):
        clock.advance(0.3)
        flood(limiter, 9)
    assert limiter.busiest_second == 8, "the five and the three of the next 0.9 s"

    limiter.limits.enabled = True
    clock.advance(2.0)
    assert [flood(limiter, 10 + n) for n in range(31)][-1] == 1, "refused: not counted"
    assert limiter.busiest_second == 30
    limiter.reset()
    assert limiter.busiest_second == 0
