"""The digest's workbook as sheets of rows in the reader's language: every number the e-mail
shows is the count or sum of some of these rows (tests/integration/test_digest_numbers.py
recounts them):

- the matrix: one row per JST, one column per step with its traffic light (the e-mail's totals
  of each light are its cells);
- needing attention: one row per JST and reason, with its count and since when;
- the week's changes: one row per task accepted, report sent, question answered, member joined;
- the JSTs, their open tasks (those late are the e-mail's late tasks; those done are the
  matrix's), the answering times;
- the team members (no names): gender, joined, rounds attended, supported, improved — the
  indicators are counts of these rows.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence

from core.templates import Words
from digest.build import Digest
from digest.chart import matrix_sheet
from digest.workbook import Sheet, Value
from storage.indicators import StaffTally
from storage.models import Gender
from storage.team import TaskView, TeamView

ATTENTION = "attention"
CHANGES = "changes"
TEAMS = "teams"
TASKS = "tasks"
QUESTIONS = "questions"
STAFF = "staff"
GENDERS = {Gender.FEMALE: "women", Gender.MALE: "men"}
HEADERS = {
    ATTENTION: ("teryt", "jst", "adviser", "reason", "count", "since", "working_days"),
    CHANGES: ("teryt", "jst", "change", "subject", "at"),
    TEAMS: (
        "teryt",
        "jst",
        "cohort",
        "adviser",
        "phase",
        "overdue",
        "open_tasks",
        "report",
        "report_due",
        "questions",
    ),
    TASKS: ("teryt", "jst", "code", "due_on", "state", "overdue"),  # titles: the matrix's header
    QUESTIONS: ("teryt", "jst", "adviser", "answered", "median_h", "p90_h", "open", "oldest_h"),
    STAFF: (
        "teryt",
        "members",
        "joined",
        "supported",
        "supported_women",
        "supported_men",
        "improved",
        "improved_women",
        "improved_men",
    ),
}


def digest_sheets(digest: Digest, words: Words, chart_words: Words) -> list[Sheet]:
    """The workbook's sheets in order, the matrix first (`words`: the digest's labels,
    `chart_words`: the chart's, whose matrix the first sheet is)."""
    teams = {team.jst_id: team for team in digest.teams}
    rows: dict[str, list[list[Value]]] = {
        ATTENTION: [
            [
                item.team.teryt,
                item.team.jst_name,
                item.team.adviser,
                words("reason_name", kind=reason.kind.value),
                reason.count,
                reason.since,
                reason.working_days,
            ]
            for item in digest.attention
            for reason in item.reasons
        ],
        CHANGES: [
            [
                teams[change.jst_id].teryt,
                teams[change.jst_id].jst_name,
                words("change_name", kind=change.kind.value),
                change.subject,
                change.at.astimezone(digest.now.tzinfo).replace(tzinfo=None),
            ]
            for change in digest.changes
        ],
        TEAMS: [_team_row(team, words, digest.today) for team in digest.teams],
        TASKS: [_task_row(team, task, words) for team in digest.teams for task in team.upcoming],
        QUESTIONS: [
            [
                r.teryt,
                r.jst_name,
                r.adviser_name,
                r.answered,
                _hours(r.median),
                _hours(r.p90),
                r.open,
                _hours(r.oldest_open),
            ]
            for r in digest.response
        ],
        STAFF: _staff_rows(digest.staff),
    }
    sheets = [matrix_sheet(digest.matrix, chart_words)]
    sheets += [
        Sheet(
            words("xlsx_sheet", name=name),
            [words("xlsx_header", key=key) for key in keys],
            rows[name],
        )
        for name, keys in HEADERS.items()
    ]
    return sheets


def _staff_rows(staff: Sequence[StaffTally]) -> list[list[Value]]:
    """The team members counted by JST (no one by name): the indicators are sums of these
    columns, "JSTs under advisory" the rows with anyone supported."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for tally in staff:
        count = counts[tally.teryt]
        count["members"] += 1
        count["joined"] += tally.joined
        for measure, met in (("supported", tally.supported), ("improved", tally.improved)):
            count[measure] += met
            count[f"{measure}_{GENDERS[tally.gender]}"] += met
    return [
        [teryt, *(count[key] for key in HEADERS[STAFF][1:])]
        for teryt, count in sorted(counts.items())
    ]


def _team_row(team: TeamView, words: Words, today: dt.date) -> list[Value]:
    report = team.report
    return [
        team.teryt,
        team.jst_name,
        team.cohort,
        team.adviser,
        words("phase", team=team),
        team.overdue,
        len(team.upcoming),
        words("report_state", code=report.state, due=report.due_on, today=today)
        if report
        else None,
        report.due_on if report else None,
        team.open_questions,
    ]


def _task_row(team: TeamView, task: TaskView, words: Words) -> list[Value]:
    state = words("task_state", state=task.state)
    return [team.teryt, team.jst_name, task.code, task.due_on, state, int(task.overdue)]


def _hours(span: dt.timedelta | None) -> float | None:
    """A timedelta as hours to one decimal (the unit a spreadsheet reader sums)."""
    return None if span is None else round(span.total_seconds() / 3600, 1)
