"""Programme templates: the schedule as data (phases, tasks, reports), checked before use.

A template is a TOML file such as `storage/programme/ore-2024.toml`. A cohort stores the
validated template as a dict (`Cohort.template`); `template_from_dict` rebuilds the model.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from storage.programme_errors import (
    Problem,
    TemplateError,
    TemplateInvalid,
    locate_line,
    problem_from_pydantic,
    syntax_error_position,
)
from storage.workdays import term_end

DEFAULT_TEMPLATE = "ore-2024.toml"
NUMBER_PLACEHOLDER = "{number}"

PhaseKind = Literal["preparation", "training", "advisory", "adoption", "monitoring", "summary"]
TRAINING = "training"
RoundModeName = Literal["on_site", "online"]
StepCode = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]{0,19}$")]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
# A task's short name that fits into a sentence: "zadanie ZW1 (diagnoza wstępna)".
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
Positive = Annotated[int, Field(gt=0, le=366)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Phase(_Strict):
    """A block of the schedule ("ok. N miesięcy"), back to back with the next one."""

    code: StepCode
    kind: PhaseKind
    title_pl: Title
    title_en: Title
    months: Annotated[int, Field(gt=0, le=60)]
    # A training round's defaults for its dated event (`cohort event set` may give others).
    mode: RoundModeName | None = None
    place: Title | None = None
    bring: Title | None = None


ROUND_DEFAULTS = ("mode", "place", "bring")


MONITORING = "monitoring"  # what `due_after` names for the end of the monitoring reports


class After(_Strict):
    """A due date counted from an earlier one: `months` after the end of monitoring (the last
    report's deadline) or after an earlier task's deadline."""

    step: StepCode | Literal["monitoring"]
    months: Annotated[int, Field(ge=1, le=12)] = 1


class Task(_Strict):
    """Something a JST hands in, due on the last day of a phase (`due_at_end_of`) or some
    months after monitoring ends or after another task (`due_after`): one of the two."""

    code: StepCode
    title_pl: Title
    title_en: Title
    label_pl: Label | None = None
    label_en: Label | None = None
    due_at_end_of: str | None = None
    due_after: After | None = None
    resolution: bool = False
    plan: bool = False  # the plan handed in: a resolution adopting it is dated on or after it


QuestionKind = Literal["scale", "text", "choice", "yesno"]
QuestionKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,19}$")]


class ReportQuestion(_Strict):
    """One question of the monthly report form; `only_if` names a yes/no question answered yes."""

    key: QuestionKey
    kind: QuestionKind
    title_pl: Title
    title_en: Title
    optional: bool = False
    only_if: QuestionKey | None = None


MonitoringStart = Literal["resolution", "phase"]


class Monitoring(_Strict):
    """Monthly monitoring reports and their form's questions. `starts`: "resolution" (each
    JST's reports start the month after its council adopts the plan) or "phase" (the whole
    cohort's start the first whole month after the phase `starts_at_end_of`)."""

    starts: MonitoringStart = "resolution"
    starts_at_end_of: str | None = None
    reports: Annotated[int, Field(ge=1, le=36)]
    due_day: Annotated[int, Field(ge=1, le=28)]
    report_title_pl: Title
    report_title_en: Title
    question: list[ReportQuestion] = []


class Review(_Strict):
    """The review loop for submitted materials, in days."""

    first_review_days: Positive
    fix_days: Positive
    rereview_days: Positive

    def review_by(self, submitted_on: dt.date, review_round: int) -> dt.date:
        """The date a review ends: first_review_days after a first submission, rereview_days
        after a fix (`review_round`: returns so far), moved off a day off."""
        days = self.rereview_days if review_round else self.first_review_days
        return term_end(submitted_on, days)

    def fix_by(self, returned_on: dt.date) -> dt.date:
        """The date a fix is due: fix_days after the return, moved off a day off."""
        return term_end(returned_on, self.fix_days)


class Reminders(_Strict):
    """When reminders go out (read by the reminder rules)."""

    task_days_before: list[Annotated[int, Field(ge=0, le=366)]]
    task_overdue_alert_days: Positive
    report_reminder_working_days: list[Positive]
    report_adviser_notice_working_days: Positive
    report_coordinator_alert_working_days: Positive = 20  # templates stored before it: 20
    # Working days before a training round its members are reminded; stored templates: 7, 1.
    round_working_days_before: list[Positive] = [7, 1]


class Indicators(_Strict):
    """The programme's indicator targets."""

    people: Annotated[int, Field(ge=0)]
    women: Annotated[int, Field(ge=0)]
    men: Annotated[int, Field(ge=0)]
    jsts: Annotated[int, Field(ge=0)]


CompetenceArea = Literal["information", "communication", "content", "safety", "problem_solving"]
SCALE_POINTS = 5


class CompetenceQuestion(_Strict):
    """One statement of the self-assessment, rated 1-5, in a DigComp 2.2 area."""

    key: QuestionKey
    area: CompetenceArea
    title_pl: Title
    title_en: Title


class Competences(_Strict):
    """The competence self-assessment asked before the first training round and after the last;
    a person "raised their competences" with a higher sum after, having attended at least
    `min_rounds_attended` rounds (None: every training round of the template)."""

    scale_pl: Annotated[list[Label], Field(min_length=SCALE_POINTS, max_length=SCALE_POINTS)]
    scale_en: Annotated[list[Label], Field(min_length=SCALE_POINTS, max_length=SCALE_POINTS)]
    min_rounds_attended: Annotated[int, Field(ge=1, le=60)] | None = None
    after_working_days: Positive = 15  # how long "after" stays open once the last round ends
    question: Annotated[list[CompetenceQuestion], Field(min_length=1, max_length=20)]


class ProgrammeTemplate(_Strict):
    """A whole programme: ordered phases, tasks, reports and the rules around them."""

    code: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]{0,99}$")]
    title_pl: Title
    title_en: Title
    phase: Annotated[list[Phase], Field(min_length=1)]
    task: list[Task] = []
    monitoring: Monitoring
    review: Review
    reminders: Reminders
    indicators: Indicators
    competences: Competences | None = None  # templates stored before it ask nothing

    @property
    def months(self) -> int:
        """The programme's length: the sum of its phases."""
        return sum(phase.months for phase in self.phase)

    def training_phases(self) -> list[Phase]:
        """The training rounds (zjazdy), in order."""
        return [phase for phase in self.phase if phase.kind == TRAINING]

    def report_codes(self) -> list[str]:
        """R01, R02, … one per monitoring report."""
        return [f"R{number:02d}" for number in range(1, self.monitoring.reports + 1)]

    def resolution_task(self) -> Task | None:
        """The task the council's resolution is recorded with."""
        return next((task for task in self.task if task.resolution), None)

    def plan_task(self) -> Task | None:
        """The task that hands in the plan a resolution adopts."""
        return next((task for task in self.task if task.plan), None)


def default_template_path() -> Path:
    """The template shipped with the package (installed as plain files, never zipped)."""
    return Path(str(files("storage") / "programme" / DEFAULT_TEMPLATE))


def template_from_dict(data: dict[str, Any]) -> ProgrammeTemplate:
    """Validate a parsed template; raises TemplateInvalid with every broken rule."""
    try:
        template = ProgrammeTemplate.model_validate(data)
    except ValidationError as error:
        raise TemplateInvalid([problem_from_pydantic(e) for e in error.errors()]) from None
    problems = _reference_problems(template)
    if problems:
        raise TemplateInvalid(problems)
    return template


def load_template(path: Path) -> ProgrammeTemplate:
    """Read and check a template file; refuse it with the first bad line and why."""
    try:
        raw = path.read_bytes()
    except OSError:
        raise TemplateError(path, None, "unreadable") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise TemplateError(path, raw[: error.start].count(b"\n") + 1, "not_utf8") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line, column, detail = syntax_error_position(str(error), text)
        raise TemplateError(path, line, "syntax", column=column, detail=detail) from None
    try:
        return template_from_dict(data)
    except TemplateInvalid as invalid:
        line, problem = min(
            ((locate_line(text, p.loc), p) for p in invalid.problems), key=lambda pair: pair[0]
        )
        raise TemplateError(path, line, problem.reason, **problem.params) from None


def _reference_problems(template: ProgrammeTemplate) -> list[Problem]:
    """Rules across entries: unique codes, references to phases that exist, report titles."""
    problems: list[Problem] = []
    seen = set(template.report_codes())
    entries: list[tuple[str, int, str]] = [
        ("phase", index, phase.code) for index, phase in enumerate(template.phase)
    ] + [("task", index, task.code) for index, task in enumerate(template.task)]
    for table, index, code in entries:
        if code in seen:
            problems.append(Problem((table, index, "code"), "duplicate_code", {"code": code}))
        seen.add(code)
    phases = {phase.code for phase in template.phase}
    references: list[tuple[tuple[str | int, ...], str]] = [
        (("task", index, "due_at_end_of"), task.due_at_end_of)
        for index, task in enumerate(template.task)
        if task.due_at_end_of is not None
    ]
    start = template.monitoring.starts_at_end_of
    if start is not None:
        references.append((("monitoring", "starts_at_end_of"), start))
    for loc, value in references:
        if value not in phases:
            key = str(loc[-1])
            problems.append(Problem(loc, "unknown_phase", {"key": key, "value": value}))
    for key in ("report_title_pl", "report_title_en"):
        if NUMBER_PLACEHOLDER not in getattr(template.monitoring, key):
            problems.append(Problem(("monitoring", key), "missing_placeholder", {"key": key}))
    problems += [
        Problem(("phase", index, key), "training_only", {"key": key})
        for index, phase in enumerate(template.phase)
        for key in ROUND_DEFAULTS
        if getattr(phase, key) is not None and phase.kind != TRAINING
    ]
    problems += _due_problems(template.task) + _flag_problems(template.task)
    problems += _start_problems(template)
    problems += _question_problems("monitoring", template.monitoring.question)
    competences = template.competences
    if competences is None:
        return problems
    rounds = len(template.training_phases())
    if competences.min_rounds_attended is not None and competences.min_rounds_attended > rounds:
        loc = ("competences", "min_rounds_attended")
        problems.append(Problem(loc, "too_large", {"key": "min_rounds_attended", "limit": rounds}))
    return problems + _question_problems("competences", competences.question)


def _due_problems(tasks: list[Task]) -> list[Problem]:
    """Each task has one due rule; `due_after` names monitoring or a task listed before it
    (so the dates follow one another without a loop)."""
    problems: list[Problem] = []
    earlier: set[str] = {MONITORING}
    for index, task in enumerate(tasks):
        if task.due_at_end_of is None and task.due_after is None:
            problems.append(Problem(("task", index), "missing_key", {"key": "due_at_end_of"}))
        elif task.due_at_end_of is not None and task.due_after is not None:
            problems.append(Problem(("task", index, "due_after"), "two_due_rules"))
        elif task.due_after is not None and task.due_after.step not in earlier:
            loc, value = ("task", index, "due_after"), task.due_after.step
            problems.append(Problem(loc, "unknown_earlier", {"value": value}))
        earlier.add(task.code)
    return problems


def _flag_problems(tasks: list[Task]) -> list[Problem]:
    """One task at most records the resolution, one hands in the plan it adopts (the bot asks
    for the resolution with the first of each, which would quietly ignore a second)."""
    problems: list[Problem] = []
    for flag in ("resolution", "plan"):
        flagged = [(index, task) for index, task in enumerate(tasks) if getattr(task, flag)]
        for index, _task in flagged[1:]:
            params = {"key": flag, "code": flagged[0][1].code}
            problems.append(Problem(("task", index, flag), "flag_twice", params))
    return problems


def _start_problems(template: ProgrammeTemplate) -> list[Problem]:
    """ "resolution" needs a resolution task and no phase; "phase" needs its phase."""
    monitoring = template.monitoring
    if monitoring.starts == "phase" and monitoring.starts_at_end_of is None:
        return [Problem(("monitoring",), "missing_key", {"key": "starts_at_end_of"})]
    if monitoring.starts == "resolution" and monitoring.starts_at_end_of is not None:
        return [Problem(("monitoring", "starts_at_end_of"), "only_with_phase")]
    if monitoring.starts == "resolution" and template.resolution_task() is None:
        return [Problem(("monitoring", "starts"), "no_resolution_task")]
    return []


def _question_problems(
    table: str, questions: list[ReportQuestion] | list[CompetenceQuestion]
) -> list[Problem]:
    """A form's questions: unique keys (answers are stored under them)."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, key in enumerate(question.key for question in questions):
        if key in seen:
            loc = (table, "question", index, "key")
            problems.append(Problem(loc, "duplicate_code", {"code": key}))
        seen.add(key)
    return problems
