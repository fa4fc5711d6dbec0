"""Text without U+0000, which PostgreSQL refuses in text and cannot read out of JSON.

SQLite keeps the character and PostgreSQL fails the whole transaction, so a member's message
holding one could be stored on one database and never on the other. Storage makes them agree:
every text of what people send that it writes or looks up (the column types `NulFreeText`,
`NulFreeString`: free texts, and the TERYT and e-mail that commands name) and every JSON value
(`json_text`, the engines' serializer in storage/db.py) has U+0000 replaced by U+FFFD,
the replacement character, which keeps a text's length (lengths were checked already, and
Telegram's entity offsets still point at the same characters) and shows the reader where it was.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import String, Text, TypeDecorator
from sqlalchemy.engine import Dialect

NUL, REPLACEMENT = "\x00", "\ufffd"


def without_nul(value: Any) -> Any:
    """`value` with U+0000 replaced in every string in it, mapping keys included."""
    if isinstance(value, str):
        return value.replace(NUL, REPLACEMENT)
    if isinstance(value, dict):
        return {without_nul(key): without_nul(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [without_nul(item) for item in value]
    return value


def json_text(value: Any) -> str:
    """`json.dumps(value)` without U+0000; looked for in the text, so cheap when absent."""
    text = json.dumps(value)
    return json.dumps(without_nul(value)) if "\\u0000" in text else text


class NulFreeText(TypeDecorator[str]):
    """TEXT whose values are written without U+0000."""

    impl: type[String] = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else value.replace(NUL, REPLACEMENT)


class NulFreeString(NulFreeText):
    """VARCHAR(length) whose values are written without U+0000."""

    impl = String
    cache_ok = True  # looked up on each class itself
