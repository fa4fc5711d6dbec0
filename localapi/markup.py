"""Telegram's HTML parse mode, following tdlib's parser so the same inputs fail the same way.

Only HTML is implemented (the bot uses nothing else); Markdown modes are refused. Like tdlib,
an '&' that does not start a known entity (&lt; &gt; &amp; &quot; or a numeric one) stays
literal text, and the parsed text is trimmed of leading and trailing whitespace.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import MessageEntity

from localapi.errors import ApiError, bad_request

TAGS = frozenset(
    {"a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins", "tg-spoiler", "tg-emoji"}
    | {"span", "pre", "code", "blockquote"}
)
SIMPLE_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
END = "\0"


@dataclass(frozen=True)
class Formatted:
    """Message text after entity parsing, as Telegram stores and returns it."""

    text: str
    entities: tuple[MessageEntity, ...]


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def format_text(
    raw: str, parse_mode: str | None, entities: list[MessageEntity] | None = None
) -> Formatted:
    """Turns what the bot sent (text, parse_mode, entities) into stored text and entities."""
    if not parse_mode:
        return _trim(raw, list(entities or []))
    if parse_mode.lower() != "html":
        raise bad_request(f"unsupported parse_mode {parse_mode}")
    text, parsed = parse_html(raw)
    return _trim(text, parsed)


def parse_html(source: str) -> tuple[str, list[MessageEntity]]:
    """Parses Telegram HTML; raises the 400 Telegram gives for malformed markup."""
    return _HtmlParser(source).run()


@dataclass
class _Open:
    tag: str
    argument: str
    offset: int


class _HtmlParser:
    def __init__(self, source: str) -> None:
        self.src = source
        self.out: list[str] = []
        self.utf16 = 0
        self.stack: list[_Open] = []
        self.entities: list[MessageEntity] = []

    def at(self, i: int) -> str:
        return self.src[i] if i < len(self.src) else END

    def fail(self, reason: str) -> ApiError:
        return bad_request(f"can't parse entities: {reason}")

    def byte_offset(self, i: int) -> int:
        return len(self.src[:i].encode())

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.utf16 += utf16_len(text)

    def run(self) -> tuple[str, list[MessageEntity]]:
        i = 0
        while i < len(self.src):
            char = self.src[i]
            if char == "&":
                decoded, after = _decode_entity(self.src, i)
                if decoded is not None:
                    self.emit(decoded)
                    i = after
                    continue
            if char != "<":
                self.emit(char)
                i += 1
            elif self.at(i + 1) == "/":
                i = self.close_tag(i)
            else:
                i = self.open_tag(i)
        if self.stack:
            raise self.fail(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].tag}"'
            )
        self.entities.sort(key=lambda entity: (entity.offset, -entity.length))
        return "".join(self.out), self.entities

    def skip_spaces(self, i: int) -> int:
        while self.at(i) != END and self.at(i).isspace():
            i += 1
        return i

    def open_tag(self, begin: int) -> int:
        at = self.byte_offset(begin)
        i = begin + 1
        while self.at(i) not in (END, ">") and not self.at(i).isspace():
            i += 1
        if self.at(i) == END:
            raise self.fail(f"Unclosed start tag at byte offset {at}")
        tag = self.src[begin + 1 : i].lower()
        if tag not in TAGS:
            raise self.fail(f'Unsupported start tag "{tag}" at byte offset {at}')
        argument = ""
        while self.at(i) != ">":
            i = self.skip_spaces(i)
            if self.at(i) == ">":
                break
            name_start = i
            while self.at(i) not in (END, "=", ">") and not self.at(i).isspace():
                i += 1
            name = self.src[name_start:i]
            if not name:
                raise self.fail(f'Empty attribute name in the tag "{tag}" at byte offset {at}')
            i = self.skip_spaces(i)
            if self.at(i) != "=":
                if tag == "blockquote" and name == "expandable":
                    argument = "expandable"
                    continue
                raise self.fail(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{tag}" at byte offset {at}'
                )
            i = self.skip_spaces(i + 1)
            if self.at(i) == END:
                raise self.fail(f'Unclosed start tag "{tag}" at byte offset {at}')
            value, i = self.attribute_value(i)
            if self.at(i) == END:
                raise self.fail(f"Unclosed start tag at byte offset {at}")
            argument = _argument(tag, name, value, argument)
        if tag == "span" and argument != "spoiler":
            raise self.fail(f'Tag "span" must have class "tg-spoiler" at byte offset {at}')
        self.stack.append(_Open(tag, argument, self.utf16))
        return i + 1

    def attribute_value(self, i: int) -> tuple[str, int]:
        quote = self.at(i)
        if quote not in ("'", '"'):
            start = i
            while self.at(i).isalnum() or self.at(i) in ".-":
                i += 1
            if not self.at(i).isspace() and self.at(i) != ">":
                raise self.fail(
                    f"Unexpected end of name token at byte offset {self.byte_offset(start)}"
                )
            return self.src[start:i].lower(), i
        i += 1
        value: list[str] = []
        while self.at(i) not in (quote, END):
            decoded, after = _decode_entity(self.src, i)
            if decoded is None:
                value.append(self.src[i])
                i += 1
            else:
                value.append(decoded)
                i = after
        return "".join(value), i + 1 if self.at(i) == quote else i

    def close_tag(self, begin: int) -> int:
        at = self.byte_offset(begin)
        if not self.stack:
            raise self.fail(f"Unexpected end tag at byte offset {at}")
        i = begin + 2
        while self.at(i) not in (END, ">") and not self.at(i).isspace():
            i += 1
        name = self.src[begin + 2 : i]
        i = self.skip_spaces(i)
        if self.at(i) != ">":
            raise self.fail(f"Unclosed end tag at byte offset {at}")
        opened = self.stack.pop()
        if name and name.lower() != opened.tag:
            raise self.fail(
                f'Unmatched end tag at byte offset {at}, expected "</{opened.tag}>", '
                f'found "</{name}>"'
            )
        if self.utf16 > opened.offset:
            self.add_entity(opened, self.utf16 - opened.offset)
        return i + 1

    def add_entity(self, opened: _Open, length: int) -> None:
        offset, tag, argument = opened.offset, opened.tag, opened.argument
        if tag == "a":
            if argument:
                self.entities.append(MessageEntity("text_link", offset, length, url=argument))
        elif tag == "tg-emoji":
            self.entities.append(
                MessageEntity("custom_emoji", offset, length, custom_emoji_id=argument)
            )
        elif tag == "blockquote":
            kind = "expandable_blockquote" if argument else "blockquote"
            self.entities.append(MessageEntity(kind, offset, length))
        elif tag == "pre" and self.entities and _same_span(self.entities[-1], offset, length):
            language = self.entities.pop().language
            self.entities.append(MessageEntity("pre", offset, length, language=language))
        elif tag == "code" and argument:
            self.entities.append(MessageEntity("code", offset, length, language=argument))
        else:
            self.entities.append(MessageEntity(SIMPLE_TYPES[tag], offset, length))


def _same_span(entity: MessageEntity, offset: int, length: int) -> bool:
    return entity.type == "code" and entity.offset == offset and entity.length == length


def _argument(tag: str, name: str, value: str, current: str) -> str:
    """The one attribute each tag understands, as tdlib reads it; others are ignored."""
    if tag == "a" and name == "href":
        return value
    if tag == "code" and name == "class" and value.startswith("language-"):
        return value.removeprefix("language-")
    if tag == "span" and name == "class" and value.startswith("tg-"):
        return value.removeprefix("tg-")
    if tag == "tg-emoji" and name == "emoji-id":
        return value
    return current


def _decode_entity(text: str, i: int) -> tuple[str | None, int]:
    """One HTML entity at text[i] ('&'); (None, i) when it is not one Telegram knows."""
    end = i + 1
    if text[end : end + 1] == "#":
        end += 1
        hexadecimal = text[end : end + 1] == "x"
        end += hexadecimal
        digits = "0123456789abcdefABCDEF" if hexadecimal else "0123456789"
        start = end
        while end < len(text) and text[end] in digits:
            end += 1
        code = int(text[start:end], 16 if hexadecimal else 10) if end > start else 0
        if code == 0 or code >= 0x10FFFF or end - i >= 10:
            return None, i
        decoded = chr(code)
    else:
        while end < len(text) and text[end].isascii() and text[end].isalpha():
            end += 1
        known = NAMED_ENTITIES.get(text[i + 1 : end])
        if known is None:
            return None, i
        decoded = known
    return decoded, end + 1 if text[end : end + 1] == ";" else end


def _trim(text: str, entities: list[MessageEntity]) -> Formatted:
    """Strips surrounding whitespace as Telegram does and keeps entities on the same characters."""
    stripped = text.lstrip(_BLANKS)
    lead = utf16_len(text) - utf16_len(stripped)
    stripped = stripped.rstrip(_BLANKS)
    total = utf16_len(stripped)
    kept = []
    for entity in entities:
        start = max(entity.offset - lead, 0)
        end = min(entity.offset + entity.length - lead, total)
        if end > start:
            data = entity.to_dict() | {"offset": start, "length": end - start}
            kept.append(MessageEntity.de_json(data, None))
    return Formatted(stripped, tuple(kept))


_BLANKS = "".join(chr(code) for code in range(33))
