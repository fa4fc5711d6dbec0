"""Checking a team file before anything is written: every bad cell, all at once.

`validate` turns read rows into an `ImportPlan` (JSTs and people as they should be) plus the
problems found; a plan with errors must not be applied (`storage.imports.apply`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from storage.imports.cells import WITHOUT_JST, PlannedJst, PlannedPerson, RowCheck
from storage.imports.read import COLUMNS, ImportIssue, RawRow
from storage.models import Role
from storage.people import erased_address

MIN_TEAM, MAX_TEAM = 3, 4  # the project card: teams of 3-4 people (a warning, not a refusal)


@dataclass
class ImportPlan:
    """What the file asks for, and what is wrong with it (errors refuse the whole file)."""

    jsts: dict[str, PlannedJst] = field(default_factory=dict)
    people: dict[str, PlannedPerson] = field(default_factory=dict)
    member_jsts: dict[str, str] = field(default_factory=dict)  # e-mail → TERYT
    advisers: dict[str, str] = field(default_factory=dict)  # TERYT → e-mail
    errors: list[ImportIssue] = field(default_factory=list)
    warnings: list[ImportIssue] = field(default_factory=list)


def validate(
    rows: list[RawRow],
    cohort: str,
    existing_jst_cohorts: Mapping[str, str],
    erased: Collection[str] = (),
) -> ImportPlan:
    """Check every cell and the rows against each other; `existing_jst_cohorts`: TERYT → cohort.

    `erased` holds the stored addresses of erased people (storage.people.erased_address): a
    person who asked for erasure is not brought back by importing an old file.
    """
    check = _FileCheck()
    for raw in rows:
        check.add(raw)
    plan = check.plan
    for email, person in plan.people.items():
        if erased_address(email) in erased:
            plan.errors.append(ImportIssue(person.row, "email", "person_erased", {}))
    for teryt, jst in plan.jsts.items():
        other = existing_jst_cohorts.get(teryt, cohort)
        if other != cohort:
            plan.errors.append(
                ImportIssue(jst.row, "jst_teryt", "jst_in_other_cohort", {"cohort": other})
            )
        check.check_team(jst)
    plan.errors.sort(key=_order)
    plan.warnings.sort(key=_order)
    return plan


def _order(issue: ImportIssue) -> tuple[int, int]:
    return issue.row, COLUMNS.index(issue.column) if issue.column in COLUMNS else len(COLUMNS)


class _FileCheck:
    """Rows checked against each other: one JST, one person, one adviser per JST."""

    def __init__(self) -> None:
        self.plan = ImportPlan()
        self.bad_rows: dict[str, set[Role | None]] = defaultdict(set)  # TERYT → roles of bad rows
        self.teams: dict[str, set[str]] = defaultdict(set)
        self.member_rows: dict[str, int] = {}
        self.adviser_rows: dict[str, int] = {}

    def add(self, raw: RawRow) -> None:
        cells = RowCheck(raw, self.plan.errors)
        person, jst = cells.person(), cells.jst()
        if jst is not None:
            self.add_jst(jst)
            if person is None:
                self.bad_rows[jst.teryt].add(cells.role)
        if person is None or (jst is None and person.role not in WITHOUT_JST):
            return
        self.add_person(person)
        if jst is not None and person.role is Role.MEMBER:
            self.add_member(person, jst)
        elif jst is not None:
            self.add_adviser(person, jst)

    def add_jst(self, jst: PlannedJst) -> None:
        first = self.plan.jsts.setdefault(jst.teryt, jst)
        for name, column in (
            ("name", "jst_name"),
            ("kind", "jst_kind"),
            ("voivodeship", "voivodeship"),
        ):
            if getattr(first, name) != getattr(jst, name):
                self.plan.errors.append(
                    _issue(jst.row, column, "jst_disagrees", first.row, jst.teryt)
                )

    def add_person(self, person: PlannedPerson) -> None:
        first = self.plan.people.setdefault(person.email, person)
        for name in ("full_name", "gender", "language", "role"):
            if getattr(first, name) == getattr(person, name):
                continue
            both = name == "role" and {first.role, person.role} == {Role.MEMBER, Role.ADVISER}
            code = "member_and_adviser" if both else "person_disagrees"
            self.plan.errors.append(_issue(person.row, name, code, first.row, person.email))

    def add_member(self, person: PlannedPerson, jst: PlannedJst) -> None:
        self.teams[jst.teryt].add(person.email)
        first_teryt = self.plan.member_jsts.setdefault(person.email, jst.teryt)
        first_row = self.member_rows.setdefault(person.email, person.row)
        if first_teryt != jst.teryt:
            self.plan.errors.append(
                _issue(person.row, "jst_teryt", "member_two_jsts", first_row, first_teryt)
            )

    def add_adviser(self, person: PlannedPerson, jst: PlannedJst) -> None:
        first_email = self.plan.advisers.setdefault(jst.teryt, person.email)
        first_row = self.adviser_rows.setdefault(jst.teryt, person.row)
        if first_email != person.email:
            self.plan.errors.append(
                _issue(person.row, "email", "second_adviser", first_row, jst.teryt)
            )

    def check_team(self, jst: PlannedJst) -> None:
        """Adviser and team size, unless a bad row may hide the adviser or a member."""
        bad_roles = self.bad_rows[jst.teryt]
        if jst.teryt not in self.plan.advisers and bad_roles <= {Role.MEMBER}:
            self.plan.errors.append(
                ImportIssue(jst.row, "role", "jst_without_adviser", {"teryt": jst.teryt})
            )
        size = len(self.teams[jst.teryt])
        if not bad_roles and not MIN_TEAM <= size <= MAX_TEAM:
            params = {"teryt": jst.teryt, "size": size, "low": MIN_TEAM, "high": MAX_TEAM}
            self.plan.warnings.append(ImportIssue(jst.row, "role", "team_size", params))


def _issue(row: int, column: str, code: str, first_row: int, subject: str) -> ImportIssue:
    return ImportIssue(row, column, code, {"first_row": first_row, "subject": subject})
