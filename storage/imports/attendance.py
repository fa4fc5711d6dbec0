"""Reading the list of signatures of a training round: who was there, by e-mail.

The file has the columns `email` and `present` ("tak", "x", "1", a signature's "podpis" …; empty
or "nie": absent); `full_name`, `jst_teryt` and `jst_name` may be there for the people who sign
and are not read. Every bad cell is reported by row and column and refuses the whole file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from storage.attendance import people_by_email, person_issue
from storage.imports.cells import RowCheck, spellings
from storage.imports.read import ImportIssue, RawRow
from storage.models import Cohort

COLUMNS = ("email", "present")
OPTIONAL = ("full_name", "jst_teryt", "jst_name")
PRESENT: dict[str, bool] = spellings(
    {
        word: True
        for word in ("tak", "yes", "x", "1", "obecny", "obecna", "present", "podpis", "podpisano")
    }
    | {word: False for word in ("", "nie", "no", "0", "nieobecny", "nieobecna", "absent")}
)


@dataclass
class AttendancePlan:
    """Who the file marks (person id -> present), and what is wrong with it."""

    marks: dict[int, bool] = field(default_factory=dict)
    errors: list[ImportIssue] = field(default_factory=list)


async def check_attendance(
    session: AsyncSession, rows: list[RawRow], cohort: Cohort
) -> AttendancePlan:
    """Every row: a valid address of a member of the cohort, once, and a known presence word."""
    plan = AttendancePlan()
    wanted: list[tuple[RawRow, str, bool]] = []
    for raw in rows:
        cells = RowCheck(raw, plan.errors)
        email = cells.email()
        present = cells.word("present", PRESENT, "unknown_present")
        if email is not None and present is not None:
            wanted.append((raw, email, present))
    people = await people_by_email(session, [email for _, email, _ in wanted])
    first_rows: dict[str, int] = {}
    for raw, email, present in wanted:
        first = first_rows.setdefault(email, raw.row)
        if first != raw.row:
            plan.errors.append(ImportIssue(raw.row, "email", "duplicate_person", {"first": first}))
            continue
        person = people.get(email)
        issue = await person_issue(session, person, cohort)
        if issue is not None:
            plan.errors.append(ImportIssue(raw.row, "email", issue.code, dict(issue.params)))
        elif person is not None:
            plan.marks[person.id] = present
    plan.errors.sort(key=lambda issue: (issue.row, COLUMNS.index(issue.column)))
    return plan
