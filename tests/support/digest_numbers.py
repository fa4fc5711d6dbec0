"""Every number of a digest's HTML recounted from its workbook's rows (issue 22: "each count in
the digest can be traced to rows of the XLSX"). The HTML marks each number with data-*
attributes naming what it counts; the workbook is read back as a reader would open it."""

from __future__ import annotations

import io
from collections import Counter
from html.parser import HTMLParser
from typing import Any

from openpyxl import load_workbook

from core.templates import Words
from digest.attention import ReasonKind
from digest.matrix import Light
from digest.sheets import ATTENTION, CHANGES, STAFF, TASKS, TEAMS
from storage.changes import ChangeKind

VOID = {"br", "img", "meta", "hr", "input", "link"}


class Numbers(HTMLParser):
    """The marked numbers: {("total", "attention"): "3", ("reason", teryt, kind): "2", ...}."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[tuple[str, ...], str] = {}
        self.listed: list[str] = []  # the TERYTs of the attention list, in its order
        self.images: list[str] = []
        self._attention: list[str] = []
        self._indicator: list[str] = []
        self._open: list[tuple[str, tuple[str, ...] | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "img":
            self.images.append(found["src"])
        if tag in VOID:
            return
        if "data-attention" in found:
            self._attention.append(found["data-attention"])
            self.listed.append(found["data-attention"])
        if "data-indicator" in found:
            self._indicator.append(found["data-indicator"])
        if "data-reason" in found:
            key = ("reason", self._attention[-1], found["data-reason"])
            self.values[key] = found["data-count"]
        marked: tuple[str, ...] | None = None
        for mark in ("data-total", "data-change", "data-light", "data-more"):
            if mark in found:
                marked = (mark.removeprefix("data-"), found[mark])
        if "data-field" in found and self._indicator:
            marked = ("indicator", self._indicator[-1], found["data-field"])
        self._open.append((tag, marked))

    def handle_endtag(self, tag: str) -> None:
        opened, _ = self._open.pop()
        assert opened == tag, f"<{opened}> closed by </{tag}>"
        if tag == "tr" and self._indicator:
            self._indicator.pop()

    def handle_data(self, data: str) -> None:
        for _, key in reversed(self._open):
            if key is not None:
                self.values[key] = self.values.get(key, "") + data.strip()
                return


def numbers_of(html: str) -> Numbers:
    parser = Numbers()
    parser.feed(html)
    parser.close()
    return parser


def sheets_of(workbook: bytes) -> dict[str, list[tuple[Any, ...]]]:
    """Each sheet's rows after its header."""
    book = load_workbook(io.BytesIO(workbook), read_only=True)
    return {name: list(book[name].iter_rows(values_only=True))[1:] for name in book.sheetnames}


def recount(html: str, workbook: bytes, words: Words, chart: Words, *, cap: int) -> int:
    """Check every number the HTML shows against the workbook's rows; return how many."""
    numbers = numbers_of(html)
    values = numbers.values
    rows = sheets_of(workbook)
    sheet = {
        name: rows[words("xlsx_sheet", name=name)]
        for name in (ATTENTION, CHANGES, TEAMS, TASKS, STAFF)
    }
    matrix = rows[chart("sheet")]
    checked = 0

    def same(key: tuple[str, ...], count: int) -> None:
        nonlocal checked
        assert values[key] == str(count), f"{key}: the e-mail says {values[key]}, rows {count}"
        checked += 1

    same(("total", "teams"), len(sheet[TEAMS]))
    attention = {row[0] for row in sheet[ATTENTION]}
    if ("total", "attention") in values:  # not in a quiet week's two lines
        same(("total", "attention"), len(attention))
        assert numbers.listed == list(dict.fromkeys(row[0] for row in sheet[ATTENTION]))[:cap]
        if len(attention) > cap:
            same(("more", "attention"), len(attention) - cap)
        reasons = {words("reason_name", kind=kind.value): kind for kind in ReasonKind}
        late = Counter(row[0] for row in sheet[TASKS] if row[5] == 1)
        for teryt, reason, count in ((r[0], reasons[r[3]], r[4]) for r in sheet[ATTENTION]):
            if teryt in numbers.listed:
                same(("reason", teryt, reason.value), count)
            if reason is ReasonKind.TASKS_LATE:
                assert late[teryt] == count, f"{teryt}: {count} late, tasks sheet {late[teryt]}"
        kinds = Counter(row[2] for row in sheet[CHANGES])
        for kind in ChangeKind:
            same(("change", kind.value), kinds[words("change_name", kind=kind.value)])
        cells = Counter(cell for row in matrix for cell in row[4:] if cell is not None)
        for light in Light:
            same(("light", light.value), cells[chart("light", light=light.value)])
        calm = len(sheet[TEAMS]) - len(attention)
        if calm:  # the list of the others is left out when there are none
            same(("total", "calm"), calm)
    if any(key[0] == "indicator" for key in values):
        same_indicators(values, sheet[STAFF], same)
    return checked


def same_indicators(
    values: dict[tuple[str, ...], str], staff: list[tuple[Any, ...]], same: Any
) -> None:
    """The indicators as sums of the members-by-JST columns: TERYT, members, joined,
    supported, of whom women, men, improved, of whom women, men."""
    sums = [sum(row[index] for row in staff) for index in range(9)[1:]]
    counts = {
        "staff_supported": sums[2],
        "staff_women": sums[3],
        "staff_men": sums[4],
        "staff_improved": sums[5],
        "improved_women": sums[6],
        "improved_men": sums[7],
        "jsts_under_advisory": sum(1 for row in staff if row[3]),
    }
    for key, count in counts.items():
        same(("indicator", key, "value"), count)
