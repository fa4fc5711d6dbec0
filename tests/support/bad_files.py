"""Malformed team files for `advisorybot import`: each a way an operator's file goes wrong."""

from __future__ import annotations

from pathlib import Path

from tests.support.team_files import write_xlsx

HEADER = "jst_teryt;jst_name;jst_kind;voivodeship;role;full_name;email;gender;language"
GOOD = "1210133;Gmina Stary Sącz;gmina miejsko-wiejska;małopolskie;członek;Jan Nowy;{};M;pl"


def _row(email: str = "jan.nowy@stary-sacz.example.pl", **changes: str) -> str:
    cells = dict(zip(HEADER.split(";"), GOOD.format(email).split(";"), strict=True))
    return ";".join(cells | changes)


def _csv(*rows: str, header: str = HEADER) -> bytes:
    return "\n".join([header, *rows, ""]).encode()


def bad_team_files(folder: Path) -> list[Path]:
    """Writes the files into `folder`; none of them may change anything."""
    contents: dict[str, bytes] = {
        "empty.csv": b"",
        "header-only-blank.csv": b"\n\n\n",
        "no-email-column.csv": _csv(
            "1210133;Gmina Stary Sącz;członek;Jan Nowy",
            header="jst_teryt;jst_name;role;full_name",
        ),
        "bad-email.csv": _csv(_row("jan.nowy@")),
        "email-with-space.csv": _csv(_row("jan nowy@example.pl")),
        "bad-role.csv": _csv(_row(role="prezes")),
        "bad-teryt-letters.csv": _csv(_row(jst_teryt="12A0133")),
        "bad-teryt-long.csv": _csv(_row(jst_teryt="121013312345")),
        "member-without-jst.csv": _csv(_row(jst_teryt="", jst_name="")),
        "bad-gender.csv": _csv(_row(gender="X")),
        "bad-language.csv": _csv(_row(language="xx")),
        "duplicate-rows.csv": _csv(_row(), _row(full_name="Jan Inny")),
        "nul-in-cell.csv": _csv(_row(full_name="Jan\x00Nowy")),
        "binary-junk.csv": bytes(range(256)) * 8,
        "cp1250.csv": _csv(_row(full_name="Łucja Źdźbło")).decode().encode("cp1250"),
        "utf16.csv": _csv(_row()).decode().encode("utf-16"),
        "comma-separated.csv": _csv(_row()).replace(b";", b","),
        "junk.xlsx": b"PK\x03\x04 not a workbook",
        "teams.txt": _csv(_row()),
    }
    paths = []
    for name, content in contents.items():
        (folder / name).write_bytes(content)
        paths.append(folder / name)
    lines: list[list[object]] = [["jst_teryt", "email"], ["1210133", "a@b.pl"]]
    paths.append(write_xlsx(folder / "missing-columns.xlsx", lines))
    paths.append(write_xlsx(folder / "empty.xlsx", []))
    return paths
