"""What identifies a person in text and JSON, found and replaced (erasure, storage/anonymise.py).

`Needles` are the person's name, e-mail and texts, and their Telegram ids. Columns are first
narrowed in the database by `LIKE` on every form a needle is stored in (as typed, HTML-escaped
as Telegram texts are, JSON-escaped as the engines' serializer writes non-ASCII: "ł" is
"\\u0142"); each candidate is then checked exactly here: strings by the needles (any case),
numbers equal to a Telegram id, and an id inside a string only as a whole number.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from markupsafe import escape
from sqlalchemy import ColumnElement, Text, cast, false, or_
from sqlalchemy.orm import InstrumentedAttribute

ERASED_MARK = "…"  # what a name, an address or a text of an erased person becomes in others' texts
MIN_NAME = 3  # a name shorter than this ("-") would match everywhere
MIN_TEXT = 12  # a shorter text ("Dziękuję") is too common to look for in others' messages


@dataclass
class Redacted:
    """A value with the needles replaced; `ids`: a Telegram id was in it (a chat reference)."""

    value: Any
    changed: bool = False
    ids: bool = False


@dataclass
class Needles:
    """What identifies one person, and how to find it in the database and in a value."""

    strings: tuple[str, ...]
    ids: frozenset[int]

    @classmethod
    def of(cls, name: str, email: str, texts: Iterable[str], ids: Iterable[int | None]) -> Needles:
        """The name and e-mail, and each text and each of its lines long enough to look for."""
        found = {name.strip()} if len(name.strip()) >= MIN_NAME else set()
        found.add(email.strip())
        for text in texts:
            for piece in (text, *text.splitlines()):
                if len(piece.strip()) >= MIN_TEXT:
                    found.add(piece.strip())
        strings = tuple(sorted(found, key=lambda s: (-len(s), s)))
        return cls(strings, frozenset(i for i in ids if i is not None))

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """Any needle as typed or HTML-escaped, in any case; an id as a whole number."""
        forms = {form for text in self.strings for form in (text, str(escape(text)))}
        alternatives = [re.escape(form) for form in sorted(forms, key=lambda s: -len(s))]
        alternatives += [rf"(?<!\d){i}(?!\d)" for i in sorted(self.ids)]
        return re.compile("|".join(alternatives) or r"(?!)", re.IGNORECASE)

    def fragments(self) -> set[str]:
        """Every form a needle may be stored in, for `LIKE`: as typed, HTML-escaped, and both
        JSON-escaped; an id as its digits."""
        found = set()
        for text in self.strings:
            for form in (text, str(escape(text))):
                found |= {form, json.dumps(form)[1:-1]}
        return found | {str(i) for i in self.ids}

    def found_in(self, *columns: InstrumentedAttribute[Any]) -> ColumnElement[bool]:
        """Rows where any of the columns (as text) may hold a needle: candidates to check."""
        fragments = sorted(self.fragments())
        if not fragments:
            return false()
        return or_(
            *(
                cast(column, Text).contains(fragment, autoescape=True)
                for column in columns
                for fragment in fragments
            )
        )

    def redact(self, value: Any) -> Redacted:
        """`value` with every needle replaced by ERASED_MARK (an id number by None)."""
        if isinstance(value, bool) or value is None:
            return Redacted(value)
        if isinstance(value, int):
            hit = value in self.ids
            return Redacted(None if hit else value, hit, hit)
        if isinstance(value, str):
            replaced, count = self.pattern.subn(ERASED_MARK, value)
            if not count:
                return Redacted(value)
            ids = any(m.group(0).isdigit() for m in self.pattern.finditer(value))
            return Redacted(replaced, True, ids)
        if isinstance(value, dict):
            parts = {key: self.redact(item) for key, item in value.items()}
            return _joined({key: part.value for key, part in parts.items()}, parts.values())
        if isinstance(value, list | tuple):
            items = [self.redact(item) for item in value]
            return _joined([item.value for item in items], items)
        return Redacted(value)


def _joined(value: Any, parts: Iterable[Redacted]) -> Redacted:
    listed = list(parts)
    return Redacted(value, any(p.changed for p in listed), any(p.ids for p in listed))
