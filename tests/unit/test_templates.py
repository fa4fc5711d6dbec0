"""Every template exists in Polish and English with the same macros; HTML is escaped."""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.templates import Templates

ROOT = Path(str(files("bot") / "templates"))
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
