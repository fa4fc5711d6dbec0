"""Every sentence a person reads: one Jinja2 environment, templates per language.

Templates live in `core/templates/<lang>/`. Names ending in `.html.j2` are autoescaped
(Telegram HTML and e-mail HTML); `.txt.j2` are plain text (CLI output, e-mail text parts).
Short messages are macros in a shared file, rendered with `Templates.macro`. The web view's
pages (`core/templates/web/`) are written once and take their words from `<lang>/web/`.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_interval
from babel.numbers import format_percent
from babel.plural import PluralRule
from babel.units import format_unit
from jinja2 import Environment, PackageLoader, StrictUndefined, meta, nodes, select_autoescape
from markupsafe import Markup

LANGUAGES = ("pl", "en")
DEFAULT_LANGUAGE = "pl"
WEB_WORDS = "web/words.txt.j2"  # every word of the web view's pages (web/), per language
Words = Callable[..., str]  # (macro, **values): a document's labels in its reader's language


class Templates:
    """Renders templates and macros in a person's language; built once and injected."""

    def __init__(self, zone: ZoneInfo, *, controller: str | None = None) -> None:
        """`controller`: the data controller's name (CONTROLLER_NAME), which texts about
        personal data name (`controller_name`)."""
        self.zone = zone
        self.env = Environment(
            loader=PackageLoader("core", "templates"),
            autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            auto_reload=False,  # templates are part of the release: no stat() on every render
        )
        self.env.globals["controller_name"] = controller
        self.env.filters["date"] = self._date
        self.env.filters["datetime"] = self._datetime
        self.env.filters["plural"] = plural
        self.env.filters["count"] = count
        self.env.filters["gendered"] = gendered
        self.env.filters["percent"] = percent
        self.env.filters["week_span"] = week_span
        self.env.filters["month_days"] = month_days
        self.env.filters["file_size"] = file_size

    def render(self, lang: str, name: str, /, **context: Any) -> str:
        template = self.env.get_template(f"{_lang(lang)}/{name}")
        return template.render(lang=_lang(lang), **context).strip()

    def page(self, lang: str, name: str, /, *, words: str = "words", **context: Any) -> str:
        """A page of the web view: `web/<name>` holds its structure once and takes its words
        from `<lang>/web/<words>.txt.j2` through `t("macro", ...)`, those of the frame every
        page shares from `<lang>/web/words.txt.j2` through `w(...)`."""
        template = self.env.get_template(f"web/{name}")
        shared = self.words(lang, WEB_WORDS)
        own = shared if words == "words" else self.words(lang, f"web/{words}.txt.j2")
        return template.render(lang=_lang(lang), t=own, w=shared, **context)

    def macro(self, lang: str, name: str, macro: str, /, **arguments: Any) -> str:
        rendered = getattr(self._module(_lang(lang), name), macro)(**arguments)
        return str(rendered.unescape() if isinstance(rendered, Markup) else rendered).strip()

    def words(self, lang: str, name: str) -> Words:
        """The macros of one label file in one language, called by name: what a document
        (the digest's workbook, an export) is given to word itself in its reader's language."""
        return functools.partial(self.macro, lang, name)

    @functools.cache  # noqa: B019 - one Templates lives as long as the process
    def reads(self, lang: str, name: str) -> frozenset[str] | None:
        """The names a template reads from the values it is rendered with; None when that
        cannot be told from it alone (it includes or extends another template, or imports one
        with context: those read the same values). A template imported without context sees
        none of them. Texts whose values differ only in names not read are the same text."""
        assert self.env.loader is not None
        source, _, _ = self.env.loader.get_source(self.env, f"{_lang(lang)}/{name}")
        tree = self.env.parse(source)
        shares = any(
            isinstance(node, nodes.Include | nodes.Extends)
            or (isinstance(node, nodes.Import | nodes.FromImport) and node.with_context)
            for node in tree.find_all(nodes.Stmt)
        )
        return None if shares else frozenset(meta.find_undeclared_variables(tree))

    @functools.cache  # noqa: B019 - one Templates lives as long as the process
    def _module(self, lang: str, name: str) -> Any:
        """A macro file evaluated once per language: its macros depend only on `lang`."""
        return self.env.get_template(f"{lang}/{name}").make_module({"lang": lang})

    @staticmethod
    @functools.lru_cache(maxsize=4096)
    def _date(value: dt.date, lang: str = DEFAULT_LANGUAGE, form: str = "long") -> str:
        """A reminder pass formats the same few dates thousands of times: worked out once."""
        return format_date(value, format=form, locale=_lang(lang))

    def _datetime(self, value: dt.datetime, lang: str = DEFAULT_LANGUAGE) -> str:
        local = value.astimezone(self.zone)
        return format_datetime(local, format="d MMMM y, HH:mm", locale=_lang(lang))


# CLDR's plural categories in the order a template gives its forms: Polish "sprawa", "sprawy",
# "spraw" (one, few, many), English "case", "cases" (one, other); a category without a form of
# its own takes the last one given.
CATEGORIES = ("one", "two", "few", "many", "other")


@functools.cache
def _rule(lang: str) -> PluralRule:
    return Locale.parse(lang).plural_form


@functools.cache
def _categories(lang: str) -> tuple[str, ...]:
    tags = _rule(lang).tags | {"other"}
    return tuple(category for category in CATEGORIES if category in tags)


def plural(number: int, lang: str, *forms: str) -> str:
    """The form of a word that goes with `number` in `lang` (Babel's CLDR rules):
    `{{ n|plural(lang, "wymaga", "wymagają", "wymaga") }}`."""
    category = _rule(_lang(lang))(number)
    index = _categories(_lang(lang)).index(category)
    return forms[min(index, len(forms) - 1)]


def count(number: int, lang: str, *forms: str) -> str:
    """The number and the word's form that goes with it: "2 sprawy", "5 spraw", "1 file"."""
    return f"{number} {plural(number, lang, *forms)}"


def gendered(gender: str | None, feminine: str, masculine: str, neutral: str) -> str:
    """The word for a person of this gender (the import's "K" or "M"); `neutral` when it is not
    known: `{{ adviser_gender|gendered("Doradczyni", "Doradca", "Osoba doradzająca") }}`."""
    return {"K": feminine, "M": masculine}.get(str(gender or ""), neutral)


def percent(value: float, lang: str) -> str:
    """A percentage (7.3 for 7.3 %) as the language writes it: "7,3%" in Polish, "7.3%"."""
    return format_percent(value / 100, "#,##0.0%", locale=_lang(lang))


def week_span(week: str, lang: str) -> str:
    """An ISO week ("2026-W49") as the days it spans, as a person reads them: "30 listopada –
    6 grudnia 2026" (a coordinator does not count ISO weeks)."""
    year, number = week.split("-W")
    monday = dt.date.fromisocalendar(int(year), int(number), 1)
    sunday = monday + dt.timedelta(days=6)
    return format_interval(monday, sunday, "yMMMMd", locale=_lang(lang))


def month_days(month: dt.date, lang: str) -> str:
    """The days of a date's month, as a person reads them: "1–30 września 2027" (the genitive a
    Polish sentence needs: "w dniach 1–30 września 2027", where "we wrześniu" has no CLDR form)."""
    first = month.replace(day=1)
    last = (first + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1)
    return format_interval(first, last, "yMMMMd", locale=_lang(lang))


def file_size(size: int, lang: str) -> str:
    """A file's size as the language writes it: "340 kB", "1,2 MB" (Babel's CLDR units)."""
    if size < 1_000_000:
        return format_unit(max(size / 1000, 1), "digital-kilobyte", "short", "#,##0", _lang(lang))
    return format_unit(size / 1_000_000, "digital-megabyte", "short", "#,##0.#", _lang(lang))


def _lang(lang: str) -> str:
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE
