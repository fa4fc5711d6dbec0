"""Every sentence a person reads: one Jinja2 environment, templates per language.

Templates live in `bot/templates/<lang>/`. Names ending in `.html.j2` are autoescaped
(Telegram HTML and e-mail HTML); `.txt.j2` are plain text (CLI output, e-mail text parts).
Short messages are macros in a shared file, rendered with `Templates.macro`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

LANGUAGES = ("pl", "en")
DEFAULT_LANGUAGE = "pl"


class Templates:
    """Renders templates and macros in a person's language; built once and injected."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self.env = Environment(
            loader=PackageLoader("bot", "templates"),
            autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
        )
        self.env.filters["date"] = self._date
        self.env.filters["datetime"] = self._datetime

    def render(self, lang: str, name: str, /, **context: Any) -> str:
        template = self.env.get_template(f"{_lang(lang)}/{name}")
        return template.render(lang=_lang(lang), **context).strip()

    def macro(self, lang: str, name: str, macro: str, /, **arguments: Any) -> str:
        module = self.env.get_template(f"{_lang(lang)}/{name}").make_module({"lang": _lang(lang)})
        rendered = getattr(module, macro)(**arguments)
        return str(rendered.unescape() if isinstance(rendered, Markup) else rendered).strip()

    def _date(self, value: dt.date, lang: str = DEFAULT_LANGUAGE, form: str = "long") -> str:
        return format_date(value, format=form, locale=_lang(lang))

    def _datetime(self, value: dt.datetime, lang: str = DEFAULT_LANGUAGE) -> str:
        local = value.astimezone(self.zone)
        return format_datetime(local, format="d MMMM y, HH:mm", locale=_lang(lang))


def _lang(lang: str) -> str:
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE
