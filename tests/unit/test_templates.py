"""Every template exists in Polish and English with the same macros; HTML is escaped."""

from __future__ import annotations

import itertools
import re
from importlib.resources import files
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import FileSystemLoader

from core.templates import Templates

ROOT = Path(str(files("core") / "templates"))
MACRO = re.compile(r"{%-?\s*macro\s+(\w+)\s*\(([^)]*)\)")


def _names(lang: str) -> set[str]:
    return {str(path.relative_to(ROOT / lang)) for path in (ROOT / lang).rglob("*.j2")}


def test_every_template_has_both_languages() -> None:
    assert _names("pl") == _names("en")
    assert _names("pl")


def test_macros_match_between_languages() -> None:
    for name in _names("pl"):
        polish = MACRO.findall((ROOT / "pl" / name).read_text(encoding="utf-8"))
        english = MACRO.findall((ROOT / "en" / name).read_text(encoding="utf-8"))
        assert sorted(polish) == sorted(english), name


def test_every_template_compiles() -> None:
    templates = Templates(ZoneInfo("Europe/Warsaw"))
    for lang in ("pl", "en"):
        for name in _names(lang):
            templates.env.get_template(f"{lang}/{name}")


def test_unknown_language_falls_back_to_polish() -> None:
    templates = Templates(ZoneInfo("Europe/Warsaw"))
    assert templates.macro("de", "cli/messages.txt.j2", "db_upgraded", revision="1").startswith(
        "Schemat"
    )


ENDS_IN_TAG = re.compile(r"[^+]%}$")  # `+%}` keeps its newline
ONLY_A_TAG = re.compile(r"\s*{%[^%]*%}\s*")


def test_no_sentence_runs_into_the_next_line() -> None:
    """trim_blocks eats the newline after a block tag: a line of text ending in one (say
    `…{% endif %}`) would run into the next line of text unless the tag ends in `+%}`."""
    for lang in ("pl", "en"):
        for name in _names(lang):
            if not (name.startswith("tg/") or name.endswith(".txt.j2")):
                continue  # HTML e-mail and pages: a newline means nothing there
            lines = (ROOT / lang / name).read_text(encoding="utf-8").split("\n")
            for line, following in itertools.pairwise(lines):
                text_before = ENDS_IN_TAG.search(line) and not ONLY_A_TAG.fullmatch(line)
                if text_before and "endmacro" not in line and following.strip():
                    assert following.lstrip().startswith(("{%", "{#")), (lang, name, line)


def test_reads_names_what_a_template_reads_or_none_when_others_read_its_values(
    tmp_path: Path,
) -> None:
    templates = Templates(ZoneInfo("Europe/Warsaw"))
    reads = templates.reads("pl", "tg/reminders/task_due.html.j2")
    assert reads is not None and {"code", "due_on", "days"} <= reads
    assert "jst_name" not in reads, "the team's name is not in the text: one text for all teams"

    (tmp_path / "pl").mkdir()
    for name, source in {
        "plain.j2": "{% import 'pl/parts.j2' as p %}{{ p.x(a) }} {{ b }}",
        "parts.j2": "{% macro x(v) %}{{ v }} {{ secret }}{% endmacro %}",
        "including.j2": "{{ a }}{% include 'pl/parts.j2' %}",
        "with_context.j2": "{% from 'pl/parts.j2' import x with context %}{{ x(a) }}",
    }.items():
        (tmp_path / "pl" / name).write_text(source, encoding="utf-8")
    templates.env.loader = FileSystemLoader(tmp_path)
    # the macro file sees none of the values:
    assert templates.reads("pl", "plain.j2") == frozenset({"a", "b"})
    assert templates.reads("pl", "including.j2") is None
    assert templates.reads("pl", "with_context.j2") is None


def test_texts_about_erasure_name_the_controller_of_the_settings() -> None:
    """ "/usun_dane … never says who the operator is" (issue 20): the controller's name comes from
    CONTROLLER_NAME (the programme's own, ORE, when a test sets none)."""
    named = Templates(ZoneInfo("Europe/Warsaw"), controller="Fundacja Przykładowa")
    controller = named.macro("pl", "tg/_erasure.html.j2", "controller")
    assert controller == "Fundacja Przykładowa (administrator danych)"
    plain = Templates(ZoneInfo("Europe/Warsaw"))
    assert plain.macro("en", "tg/_erasure.html.j2", "controller").startswith("Ośrodek Rozwoju")
