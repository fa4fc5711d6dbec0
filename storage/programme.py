"""Programme templates: the schedule as data (phases, tasks, reports), checked before use.

A template is a TOML file such as `storage/programme/ore-2024.toml`. A cohort stores the
validated template as a dict (`Cohort.template`); `template_from_dict` rebuilds the model.
"""

from __future__ import annotations

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

DEFAULT_TEMPLATE = "ore-2024.toml"
NUMBER_PLACEHOLDER = "{number}"

PhaseKind = Literal["preparation", "training", "advisory", "adoption", "monitoring", "summary"]
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


class Task(_Strict):
    """Something a JST hands in, due on the last day of a phase."""

    code: StepCode
    title_pl: Title
    title_en: Title
    label_pl: Label | None = None
    label_en: Label | None = None
    due_at_end_of: str
    resolution: bool = False


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


class Monitoring(_Strict):
    """Monthly monitoring reports, counted from the end of a phase; their form's questions."""

    starts_at_end_of: str
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


class Reminders(_Strict):
    """When reminders go out (read by the reminder rules)."""

    task_days_before: list[Annotated[int, Field(ge=0, le=366)]]
    task_overdue_alert_days: Positive
    report_reminder_working_days: list[Positive]
    report_adviser_notice_working_days: Positive
    report_coordinator_alert_working_days: Positive = 20  # templates stored before it: 20


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

    def training_codes(self) -> list[str]:
        """The training rounds (zjazdy): the phases of kind "training", in order."""
        return [phase.code for phase in self.phase if phase.kind == "training"]

    def report_codes(self) -> list[str]:
        """R01, R02, … one per monitoring report."""
        return [f"R{number:02d}" for number in range(1, self.monitoring.reports + 1)]


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
    ] + [(("monitoring", "starts_at_end_of"), template.monitoring.starts_at_end_of)]
    for loc, value in references:
        if value not in phases:
            key = str(loc[-1])
            problems.append(Problem(loc, "unknown_phase", {"key": key, "value": value}))
    for key in ("report_title_pl", "report_title_en"):
        if NUMBER_PLACEHOLDER not in getattr(template.monitoring, key):
            problems.append(Problem(("monitoring", key), "missing_placeholder", {"key": key}))
    problems += _question_problems("monitoring", template.monitoring.question)
    competences = template.competences
    if competences is None:
        return problems
    rounds = len(template.training_codes())
    if competences.min_rounds_attended is not None and competences.min_rounds_attended > rounds:
        loc = ("competences", "min_rounds_attended")
        problems.append(Problem(loc, "too_large", {"key": "min_rounds_attended", "limit": rounds}))
    return problems + _question_problems("competences", competences.question)


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
