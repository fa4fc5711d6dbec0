"""Values to render every template with, for the test that reads all of them (issue 18).

A template reads names (`jst_name`, `team`, `days`); `values(sample)` gives one value for every
name any template reads, built from the project's own view types where a template reads one
(`TeamView`, `TaskChange`, `Digest`…), so a renamed field fails here as it would in use. Every
count is the sample's number and every person has the sample's gender, so one pass renders each
text with the counts and genders the acceptance names. A name whose value differs between
templates (`question` is a number in one, a report question in another) is given per template
in `OVERRIDES`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup

from digest.attention import Attention, Reason, ReasonKind
from digest.build import Digest
from digest.chart import INDICATORS
from digest.matrix import REPORTS, Column, Light, build_matrix
from forms.self_assessment import Window
from notices.review_queue import Listed
from outbox.email_alerts import AlertItem
from reminders.attention import JstState
from reminders.retention import Schedule
from reminders.retention_preview import KINDS, Going
from storage.anonymise import Anonymised
from storage.changes import Change, ChangeKind
from storage.copy import TableCopied
from storage.erasure_views import ErasureTarget, ErasureView
from storage.imports.apply import Counts, ImportSummary
from storage.imports.read import ImportIssue
from storage.indicators import Indicator, Indicators
from storage.materials.views import MaterialChange, MaterialItem
from storage.models import ProgrammeStep
from storage.oversight import MemberView
from storage.programme import QuestionKind, ReportQuestion, default_template_path, load_template
from storage.questions.stats import ResponseTimes
from storage.questions.threads import OpenQuestion
from storage.reports import ReportSlot
from storage.review_queue import QUESTION, TASK, Waiting
from storage.rosters import Contact
from storage.round_views import RoundView
from storage.tasks.views import Evidence, SubmitChoices, TaskChange, TaskItem
from storage.team import (
    MonitoringView,
    ReportView,
    ResolutionView,
    RoundAttendance,
    StepView,
    TaskView,
    TeamView,
)

COUNTS = (0, 1, 2, 4, 5, 12, 21, 22, 25, 112)
GENDERS = ("K", "M", None)
ZONE = ZoneInfo("Europe/Warsaw")
NOW = dt.datetime(2027, 10, 4, 9, 30, tzinfo=ZONE)
TODAY = NOW.date()
NAMES = {"K": "Beata Woźniak", "M": "Jan Kowalski", None: "Alex Nowak"}


@dataclass(frozen=True)
class Sample:
    """One rendering: every count is `n`, every person is of `gender` ("K", "M" or unknown)."""

    n: int
    gender: str | None

    @property
    def name(self) -> str:
        return NAMES[self.gender]

    @property
    def flag(self) -> bool:
        """Booleans alternate with the count, so both branches of every `if` are read."""
        return self.n % 2 == 1

    def many(self, item: Any) -> list[Any]:
        """`n` of something, as a list a template counts with `|length`."""
        return [item] * self.n


def _task_view(s: Sample) -> TaskView:
    return TaskView(
        "ZW1",
        "Zadanie wdrożeniowe 1: diagnoza wstępna",
        "Implementation task 1: initial diagnosis",
        *_labels(s),
        TODAY + dt.timedelta(days=s.n),
        s.flag,
        "pending" if s.flag else "returned",
        not s.flag,
    )


def _labels(s: Sample) -> tuple[str | None, str | None]:
    """A task's short names; a template of the programme may give none."""
    return ("diagnoza wstępna", "initial diagnosis") if s.flag else (None, None)


def _step() -> StepView:
    return StepView("D1", "Doradztwo po I zjeździe", "Advisory after round I")


def _evidence(s: Sample) -> Evidence:
    if s.flag:
        return Evidence("text", "Arkusze diagnozy są gotowe.", None, None, None)
    return Evidence("document", None, "diagnoza.xlsx", 1, 2)


def _pieces(s: Sample) -> tuple[Evidence, ...]:
    """As many pieces as a submission may keep (10) at most, text and files in turn."""
    return tuple(_evidence(Sample(index, s.gender)) for index in range(min(s.n, 10)))


def _waiting(s: Sample) -> list[Listed]:
    """A submission and a question waiting for an adviser, `n` working days each."""
    task = Waiting(TASK, 3, "Gmina Stary Sącz", "1210133", s.name, NOW, s.n, "ZW1", *_labels(s))
    question = Waiting(
        QUESTION,
        s.n,
        "Miasto Nowy Targ",
        "1211011",
        s.name if s.flag else None,
        NOW,
        s.n,
        followed_up=s.flag,
    )
    return [Listed(task, s.n), Listed(question, s.n)][: s.n]


def _change(s: Sample, action: str = "submitted") -> TaskChange:
    return TaskChange(
        event_id=s.n,
        action=action,
        at=NOW,
        jst_id=1,
        jst_name="Gmina Stary Sącz",
        teryt="1210133",
        code="ZW1",
        title_pl="Zadanie wdrożeniowe 1: diagnoza wstępna",
        title_en="Implementation task 1: initial diagnosis",
        label_pl=_labels(s)[0],
        label_en=_labels(s)[1],
        actor_id=2,
        actor_name=s.name,
        actor_gender=s.gender,
        progress_id=3,
        review_round=s.n,
        evidence=_pieces(s),
        remarks="Brakuje wyników SELFIE." if s.flag else None,
        until=TODAY + dt.timedelta(days=5),
        resolution_number="XIV/112/2027" if s.flag or action == "resolution" else None,
        resolution_date=TODAY if s.flag or action == "resolution" else None,
        resolution=s.flag,
    )


def _material_change(s: Sample) -> MaterialChange:
    """A version handed in (count: the returns before it), or its return or acceptance."""
    return MaterialChange(
        event_id=s.n,
        action="returned" if s.flag else "accepted",
        at=NOW,
        material_id=3,
        title="Harmonogram zjazdów I–IV",
        kind="schedule",
        cohort="pilot",
        review_round=s.n,
        due_on=TODAY,
        submitted_by_id=2,
        actor_id=2,
        actor_name=s.name,
        actor_gender=s.gender,
        pieces=_pieces(s),
        remarks="Dodać salę i godziny." if s.flag else None,
    )


def _material_item(s: Sample, state: str) -> MaterialItem:
    return MaterialItem(
        id=3,
        title="Scenariusz zajęć: zjazd I",
        kind="scenario",
        cohort="pilot",
        state=state,
        review_round=s.n,
        due_on=TODAY - dt.timedelta(days=s.n % 3),
        submitted_by=s.name,
        submitted_at=NOW,
        reviewed_by=s.name if s.flag else None,
        reviewed_at=NOW if s.flag else None,
        accepted_at=NOW if state == "accepted" else None,
    )


def _materials(s: Sample) -> dict[str, dict[str, Any]]:
    """The materials' loop: a material's change, the list, the form's data, the reminders'
    days before (and after) a deadline."""
    change = {"change": _material_change(s)}
    form = {"title": "Harmonogram zjazdów I–IV", "kind": "training", "cohort_name": "pilot"}
    material = {"kind": "schedule", "title": "Harmonogram", "cohort": "pilot"}
    reminder = material | {"days": s.n if s.flag else -s.n, "working_days": s.n}
    states = ("submitted", "returned", "accepted")
    return {
        "tg/materials.html.j2": {
            "items": [_material_item(s, states[i % 3]) for i in range(min(s.n, 4))]
        },
        "tg/material_ask.html.j2": {
            "step": "pieces",
            "form": form | ({"material": 3} if s.flag else {}),
        },
        "tg/material_summary.html.j2": {
            "form": form | ({"material": 3} if s.flag else {}),
            "pieces": _pieces(s),
            "limit": 10,
        },
        **{
            f"tg/material_{name}.html.j2": change
            for name in ("submitted", "review_request", "remarks_ask", "reviewed", "news")
        },
        "tg/reminders/material_review.html.j2": reminder,
        "tg/reminders/material_fix.html.j2": reminder,
        **{
            f"email/material_review_alert.{part}.j2": reminder
            for part in ("subject.txt", "body.txt", "body.html")
        },
        **{
            f"email/material_review_request.{part}.j2": material | {"files": _email_files(s)}
            for part in ("subject.txt", "txt", "html")
        },
        "email/_material.txt.j2::what": material,
        "cli/materials.txt.j2::submitted": change,
        "tg/material_labels.txt.j2::kind": material,
        "tg/material_labels.txt.j2::kind_word": material,
        "tg/material_labels.txt.j2::cohort": {"name": "pilot"},
        "tg/material_parts.html.j2::state": {"state": "returned"},
        "tg/material_parts.html.j2::material": {"item": _material_item(s, "submitted")},
    }


def _team(s: Sample) -> TeamView:
    return TeamView(
        jst_id=1,
        jst_name="Gmina Stary Sącz",
        teryt="1210133",
        cohort="Pilotaż",
        adviser=s.name if s.flag else None,
        phase=_step() if s.flag else None,
        tasks=tuple(s.many(_task_view(s))),
        report=ReportView("R01", dt.date(2027, 9, 1), dt.date(2027, 10, 15), "draft")
        if s.flag
        else None,
        open_questions=s.n,
        history=tuple(_change(s, action) for action in ACTIONS),
        next_round=_round(s) if s.flag else None,
        resolution=ResolutionView(
            "XIV/112/2027", TODAY, "https://bip.example.pl/uchwala" if s.flag else None
        )
        if s.n
        else None,
        monitoring=_monitoring(s),
        attendance=tuple(_attendance(s, code) for code in ("Z1", "Z2", "Z3")),
    )


COMPETENCES = load_template(default_template_path()).competences


def _self_assessment(s: Sample) -> dict[str, dict[str, Any]]:
    """The self-assessment's form, its end, when it is open, and the reminder."""
    assert COMPETENCES is not None
    moment = "before" if s.flag else "after"
    answers = {q.key: 1 + index % 5 for index, q in enumerate(COMPETENCES.question)}
    before = Window("before", None, TODAY - dt.timedelta(days=s.n))
    after = Window("after", TODAY + dt.timedelta(days=s.n), TODAY + dt.timedelta(days=20))
    return {
        "tg/self_assessment_question.html.j2": {
            "competences": COMPETENCES,
            "question": COMPETENCES.question[0],
            "answer": s.n % 6 or None,
            "moment": moment,
        },
        "tg/self_assessment_summary.html.j2": {
            "competences": COMPETENCES,
            "answers": answers,
            "score": sum(answers.values()),
            "moment": moment,
        },
        "tg/self_assessment_done.html.j2": {
            "moment": moment,
            "score": s.n,
            "maximum": 50,
            "before": None if s.flag else s.n,
        },
        "tg/self_assessment_closed.html.j2": {
            "windows": (before, after) if s.n else (),
            "answered": ["before"] if s.flag else [],
        },
        "tg/self_assessment_labels.txt.j2::moment": {"value": moment},
        "tg/reminders/self_assessment.html.j2": {
            "moment": moment,
            "closes_on": TODAY,
            "reminder": s.flag,
        },
    }


def _attendance(s: Sample, code: str) -> RoundAttendance:
    """A round the team attended (the sample's people), one nobody attended, one not recorded."""
    return RoundAttendance(
        code=code,
        title_pl="I zjazd szkoleniowy",
        title_en="Training round I",
        starts_on=dt.date(2026, 10, 1),
        ends_on=dt.date(2026, 10, 31),
        attended=tuple(s.many(s.name))[:2] if code == "Z1" else (),
        present=len(tuple(s.many(s.name))[:2]) if code == "Z1" else 0,
        recorded=code != "Z3",
        ended=code != "Z3" or s.flag,
    )


def _monitoring(s: Sample) -> MonitoringView:
    """Started (its first month) for some counts; else waiting for the resolution."""
    if s.n % 4 == 2:
        return MonitoringView(dt.date(2028, 1, 1), None)
    return MonitoringView(None, dt.date(2027, 12, 31))


ACTIONS = ("submitted", "resolution", "returned", "accepted", "extended")


def _jst_state(s: Sample) -> JstState:
    """A JST in trouble: the sample's count of late things; its team on Telegram or not."""
    members = (MemberView(s.name, s.flag), MemberView(NAMES[None], False))
    late = s.n if s.flag else None  # working days past the resolution monitoring waits for
    return JstState(
        _team(s), members, reports_overdue=s.n, questions_late=s.n, resolution_late=late
    )


def _fine_jst_state(s: Sample) -> JstState:
    """A JST with nothing late."""
    team = dataclasses.replace(_team(s), tasks=())
    return JstState(team, (MemberView(s.name, True),), reports_overdue=0, questions_late=0)


def _slot(s: Sample) -> ReportSlot:
    return ReportSlot(
        1,
        f"R{s.n:02d}",
        f"Miesięczny raport z monitorowania nr {s.n}",
        f"Monthly monitoring report no. {s.n}",
        dt.date(2027, 9, 1),
        dt.date(2027, 10, 15),
    )


def _question(key: str, kind: QuestionKind) -> ReportQuestion:
    return ReportQuestion(
        key=key,
        kind=kind,
        title_pl="Co zrobiliście w dniach {period}?",
        title_en="What did you do in {period}?",
    )


def _task_item(s: Sample) -> TaskItem:
    return TaskItem(
        "ZW2",
        "Zadanie wdrożeniowe 2: lokalna debata",
        "Implementation task 2: local debate",
        *_labels(s),
        TODAY,
        "submitted" if s.flag else "pending",
        s.name if s.flag else None,
        NOW,
    )


def _indicator(s: Sample) -> Indicator:
    return Indicator(s.n, 150)


def _indicators(s: Sample) -> Indicators:
    return Indicators(
        staff_supported=_indicator(s),
        staff_women=_indicator(s),
        staff_men=_indicator(s),
        jsts_under_advisory=_indicator(s),
        staff_improved=_indicator(s),
        improved_women=_indicator(s),
        improved_men=_indicator(s),
        members_registered=s.n,
        members_joined=s.n,
    )


def _digest(s: Sample) -> Digest:
    team = _team(s)
    teams = tuple(s.many(team))[:3]
    attention = (_attention(s),) if s.n else ()
    steps = {team.cohort: [_programme_step(task.code, "task") for task in team.tasks]}
    steps[team.cohort].append(_programme_step("Z1", "training"))
    return Digest(
        now=NOW,
        today=TODAY,
        week="2027-W40",
        start=dt.date(2027, 9, 27),
        adviser_id=4 if s.flag else None,
        teams=teams,
        attention=attention,
        changes=tuple(
            Change(team.jst_id, kind, "ZW1" if s.flag else None, NOW)
            for kind in list(ChangeKind)[: s.n]
        ),
        matrix=build_matrix(teams, steps, {team.jst_id: s.n % 2}, TODAY),
        response=(
            ResponseTimes(
                4,
                s.name,
                team.jst_id,
                team.jst_name,
                team.teryt,
                s.n,
                dt.timedelta(hours=s.n) if s.flag else None,
                dt.timedelta(days=s.n),
                s.n,
                dt.timedelta(days=s.n) if s.flag else None,
            ),
        ),
        indicators=_indicators(s),
        staff=(),
    )


def _programme_step(code: str, kind: str) -> ProgrammeStep:
    return ProgrammeStep(
        code=code,
        kind=kind,
        title_pl=code,
        title_en=code,
        starts_on=TODAY - dt.timedelta(days=30),
        ends_on=TODAY - dt.timedelta(days=1),
        due_on=TODAY if kind == "task" else None,
    )


def _reason(s: Sample, kind: ReasonKind) -> Reason:
    return Reason(kind, s.n or 1, TODAY, s.n, "R01" if kind is ReasonKind.SUPPORT_ASKED else None)


def _attention(s: Sample) -> Attention:
    """A JST needing attention for every reason there is (some lasting no working day yet)."""
    return Attention(_team(s), tuple(_reason(s, kind) for kind in ReasonKind))


def _contact(s: Sample, email: str) -> Contact:
    return Contact(s.name, email, s.gender or "")


def _open_question(s: Sample) -> OpenQuestion:
    return OpenQuestion(s.n, "Gmina Stary Sącz", "1210133", s.name, "Jak?", s.n, NOW, s.flag, NOW)


def _issue(s: Sample, code: str = "bad_email") -> ImportIssue:
    return ImportIssue(s.n, "email", code, _params(s))


def _params(s: Sample) -> dict[str, Any]:
    """Every parameter an import or template error may carry."""
    return {
        key: s.n
        for key in ("limit", "length", "size", "line", "digit", "expected_digit", "column")
    } | {
        "low": 3,
        "high": 4,
        "first": s.n,
        "jst": "Gmina Alfa",
        "role": "adviser",
        "value": "anna.nowak@",
        "key": "months",
        "name": "nazwisko",
        "kind": "gmina",
        "lengths": [7],
        "expected": "int",
        "prefix": "99",
        "teryt": "12",
        "given": "14",
        "cohort": "pilot",
        "form": "task_submit",
        "code": "ZW1",
        "subject": "1210133",
        "first_row": s.n,
        "detail": "unexpected character",
        "allowed": "preparation, training",
        "codes": ["ZW1", "ZW2"],
        "kinds": ["schedule", "scenario"],
        "date": TODAY,
        "plan_on": TODAY,
        "written": "31 lutego 2027",
        "dates": ["3.12.2027", "4 grudnia 2027"],
        "start": TODAY,
        "due": TODAY,
        "until": TODAY,
        "by": s.name,
        "at": NOW,
        "email": "anna@example.pl",
        "command": "/zadanie",
        "column": "email",
        "emails": "anna@example.pl",
        "rows": [s.n],
    }


def _walk_log(s: Sample) -> SimpleNamespace:
    person = SimpleNamespace(
        person_id=1,
        email="anna@example.pl",
        full_name=s.name,
        role=SimpleNamespace(value="member"),
        jsts=["Gmina Stary Sącz"],
        telegram_user_id=1 if s.flag else None,
    )
    entry = SimpleNamespace(
        at=NOW,
        channel="telegram",
        subject="Temat" if s.flag else None,
        text="Treść",
        file_name="plik.pdf" if s.flag else None,
    )
    return SimpleNamespace(
        person=person,
        behaviour="late" if s.flag else None,
        entries=s.many(entry)[:3],
        count=lambda channel: s.n,
    )


def _erasure(s: Sample, state: str) -> ErasureView:
    """A request of each state; the name and address only while the person is not erased."""
    done = state == "done"
    return ErasureView(
        request_id=s.n,
        person_id=s.n + 1,
        state=state,
        via="telegram" if s.flag else "operator",
        requested_at=NOW,
        deadline=TODAY + dt.timedelta(days=s.n - 5),
        cancelled_at=NOW if state == "cancelled" else None,
        confirmed_at=NOW if state in ("confirming", "done") else None,
        done_at=NOW if done else None,
        done_by="operator:jkowalski" if done else None,
        name=None if done else s.name,
        email=None if done else "anna@example.pl",
        role="member",
        gender=s.gender or "K",
        jst_name="Gmina Stary Sącz" if s.flag else None,
    )


def _erasure_target(s: Sample) -> ErasureTarget:
    return ErasureTarget(
        person_id=s.n,
        name=s.name,
        email="anna@example.pl",
        role=("member", "adviser", "coordinator")[s.n % 3],
        gender=s.gender or "K",
        jst_name="Gmina Stary Sącz" if s.flag else None,
        on_telegram=s.flag,
        questions=s.n,
        answers=s.n,
        advised=s.n if s.n % 3 == 1 else 0,
        request=_erasure(s, "confirming" if s.flag else "pending") if s.n else None,
    )


def _round(s: Sample, number: int = 1) -> RoundView:
    """A training round: on site with hours and what to bring, or online with a link only;
    moved from an earlier date (or, with `number` 0, cleared)."""
    held_on = TODAY + dt.timedelta(days=s.n)
    return RoundView(
        cohort_id=1,
        code=f"Z{max(number, 1)}",
        number=max(number, 1),
        title_pl="I zjazd szkoleniowy",
        title_en="Training round I",
        phase_starts_on=TODAY,
        phase_ends_on=TODAY + dt.timedelta(days=30),
        event_id=1,
        held_on=None if number == 0 else held_on,
        start_time="10:00" if s.flag else None,
        end_time="15:30" if s.flag else None,
        mode="on_site" if s.flag else "online",
        place="Warszawa, ul. Spokojna 13A" if s.flag else None,
        link=None if s.flag else "https://meet.example.pl/zjazd",
        bring="laptop, wyniki ankiety SELFIE" if s.flag else None,
        previous_on=TODAY - dt.timedelta(days=s.n),
        set_at=NOW,
        changed_at=NOW,
        cancelled_at=NOW if number == 0 else None,
    )


def _rounds(s: Sample) -> list[RoundView]:
    """Rounds dated, cleared and not dated yet."""
    undated = dataclasses.replace(_round(s, 3), event_id=None, held_on=None, previous_on=None)
    return [_round(s), _round(s, 0), undated][: max(s.n, 1)]


def values(s: Sample) -> dict[str, Any]:
    """A value for every name a template reads."""
    team = _team(s)
    return {
        "round": _round(s),
        "rounds": _rounds(s),
        "told": s.flag,
        "starts_on": TODAY,
        "ends_on": TODAY + dt.timedelta(days=30),
        "day": TODAY,
        "holiday": {"pl": "Boże Narodzenie (pierwszy dzień)", "en": "Christmas Day"}
        if s.flag
        else None,
        "option": "place",
        "held_on": TODAY + dt.timedelta(days=s.n),
        "start_time": "10:00" if s.flag else None,
        "end_time": "15:30" if s.flag else None,
        "mode": "on_site",
        "place": "Warszawa, ul. Spokojna 13A" if s.flag else None,
        "bring": "laptop, wyniki ankiety SELFIE" if s.flag else None,
        "previous_on": TODAY - dt.timedelta(days=7),
        "adviser": s.name,
        "adviser_gender": s.gender,
        "alerts": s.many(AlertItem("Alert: pytanie nr 1", "Treść", Markup("<p>Treść</p>")))[:3],
        "already": s.flag,
        "answer": "4" if s.flag else None,
        "answered": s.n,
        "asked_at": NOW,
        "at": NOW,
        "asker": s.name,
        "bot_link": "https://t.me/advisorybot",
        "buttons": s.many("Tak")[:3],
        "by": s.name,
        "by_gender": s.gender,
        "by_email": s.flag,
        "usage": s.n == 0,
        "refused": s.n == 2,
        "resolution_number": "XIV/112/2027" if s.flag else None,
        "resolution_on": TODAY if s.flag else None,
        "adopted_on": TODAY,
        "review": s.flag,
        "texts": s.many({"kind": "text", "text": "Arkusze są gotowe."})[:2],
        "change": _change(s),
        "changed": s.flag,
        "chart_src": "cid:digest-chart",
        "choices": SubmitChoices(
            tuple(s.many(_task_item(s))[:3]), tuple(s.many(_task_item(s))[:3]), "UCHWALA"
        ),
        "code": "ZW1",
        "cohort": "pilot",
        "c": Counts(s.n, s.n, s.n),
        "form": "task_submit",
        "cohorts": [_cohort(s)],
        "confirm": s.flag,
        "controller_contact": "sekretariat@ore.example.pl, Aleje Ujazdowskie 28, 00-478 Warszawa",
        "controller_name": "Ośrodek Rozwoju Edukacji",
        "coordinator": None if s.flag else _contact(s, "koordynacja@ore.edu.pl"),
        "command": "answer",
        "commands": [("status", "status"), ("tasks", "zadania")],
        "correction": s.flag,
        "corrigible": s.flag,
        "count": s.n,
        "copied": s.many(TableCopied("outbox", s.n))[:3],
        "column": "payload",
        "counts": Anonymised(s.n, s.n, s.n, s.n, s.n, s.n, s.n, s.n).as_json(),
        "current": "0004",
        "data": {
            "person": {
                "full_name": s.name,
                "email": "anna@example.pl",
                "role": "member",
                "language": "pl",
                "jst": {"name": "Gmina Stary Sącz", "teryt": "1210133"},
                "gender": s.gender,
                "joined_at": NOW,
                "notice_confirmed_at": NOW,
                "digest_opted_out_at": NOW if s.flag else None,
                "erasure_requested_at": NOW if s.flag else None,
            },
            "questions": s.many({"text": "Jak?"}),
            "answers": s.many({"text": "Tak."}),
            "task_changes": s.many({"task": "ZW1"}),
            "reports": s.many({"report": "R01"}),
            "messages_to_you": s.many({"kind": "reminder"}),
            "advised_jsts": s.many({"jst_name": "Gmina Stary Sącz"})[:2],
        },
        "database": "advisorybot.db",
        "days": s.n,
        "description": "Bad Request",
        "details": _params(s),
        "digest": _digest(s),
        "directory": ".sandbox",
        "dpo_contact": "iod@ore.example.pl",
        "dry_run": s.flag,
        "due": s.n,
        "due_on": TODAY,
        "email": "anna@example.pl",
        "emails": s.n,
        "entries": s.many(
            {"at": NOW, "actor": "operator:jkowalski", "action": "read", "details": {"via": "x"}}
        )[:3],
        "enqueued": s.n,
        "errors": [_issue(s), _issue(s, "unknown_role")],
        "e": _evidence(s),
        "evidence": _pieces(s),
        "expected": "0005",
        "expires_at": NOW,
        "extended": s.flag,
        "failed": s.n,
        "few": "osoby",
        "file_count": s.n,
        "files": s.n,
        "first": TODAY,
        "fix_on": TODAY,
        "gender": s.gender,
        "followup": s.flag,
        "format": "json",
        "formats": ".csv, .xlsx",
        "has_file": s.flag,
        "html": Markup("Termin zadania <b>ZW1</b>"),
        "budget": 500,
        "items": _waiting(s),
        "invited_on": TODAY,
        "join_link": "https://t.me/advisorybot?start=abc" if s.flag else None,
        "pieces": _pieces(s),
        "invitation": SimpleNamespace(role="member"),
        "item": _issue(s),
        "jst": SimpleNamespace(name="Gmina Stary Sącz", teryt="1210133"),
        "jst_name": "Gmina Stary Sącz",
        "jsts": ["Gmina Stary Sącz", "Miasto Nowy Targ", "Powiat limanowski"][: s.n],
        "jst_state": _jst_state(s),
        "jst_states": [_jst_state(s), _fine_jst_state(s), _fine_jst_state(s)] if s.n else [],
        "jsts_under_advisory": _percentage(s),
        "key": "teryt",
        "kind": "people",
        "label": "staff_supported",
        "last": TODAY,
        "late": s.n if not s.flag else 0,
        "limit": s.n,
        "line": s.n,
        "link": "https://t.me/advisorybot?start=abc",
        "minutes": s.n or 15,
        "web": "http://127.0.0.1:8080" if s.flag else None,
        "address": "anna.nowak@example.pl",
        "shown": s.n,
        "listen": "127.0.0.1:8081",
        "log": "sandbox.log",
        "mail": SimpleNamespace(
            number=s.n,
            date=NOW if s.flag else None,
            recipients=["anna@example.pl"],
            subject="Przypomnienie o terminie",
            text="Treść",
        ),
        "mails": s.many(
            SimpleNamespace(number=s.n, date=NOW, recipients=["anna@example.pl"], subject="T")
        )[:3],
        "many": "osób",
        "members": [{"name": s.name, "email": "anna@example.pl", "gender": s.gender}] * s.n,
        "members_joined_telegram": s.n,
        "messages": s.n,
        "month": dt.date(2027, 9, 1),
        "month_on": dt.date(2027, 9, 1),
        "months": s.n,
        "moved": s.n,
        "n": s.n,
        "name": s.name,
        "next_at": NOW,
        "now": NOW,
        "number": s.n,
        "one": "osoba",
        "opted_out": s.flag,
        "own": s.flag,
        "p": _params(s),
        "params": _params(s),
        "path": "/tmp/eksport.xlsx",
        "people": s.n,
        "person": "anna@example.pl" if s.flag else "12",
        "playing": "anna@example.pl",
        "problem": "timed out",
        "question": s.n,
        "questions": s.many(_open_question(s))[:3],
        "queued": s.n,
        "reason": "unknown",
        "recipient": SimpleNamespace(name=s.name, joined=s.flag, blocked=not s.flag),
        "reminder": "task_due",
        "requested_at": NOW,
        "requests": [
            *[_erasure(s, state) for state in ("pending", "confirming", "done")][: s.n],
            _erasure(s, "cancelled"),
        ],
        "replied": s.flag,
        "report": SimpleNamespace(
            version=s.n,
            late=s.flag,
            submitted_at=NOW,
            answers={"progress": 4},
        ),
        "resolution": s.flag,
        "retention_months": s.n * 12 if s.flag else s.n,
        "retried": s.n,
        "review_round": s.n,
        "revision": "0004",
        "role": "member",
        "role_name": "member",
        "row_id": s.n,
        "rows": s.many(3)[:3],
        "sent": s.n,
        "silent": s.flag,
        "size": s.n,
        "sla_days": s.n,
        "skipped": s.n,
        "slot": _slot(s),
        "staff_men": _percentage(s),
        "staff_supported": _percentage(s),
        "staff_women": _percentage(s),
        "state": "pending",
        "states": {"telegram": ["sent"], "email": ["pending" if s.flag else "sent"]},
        "subject": SimpleNamespace(
            person_id=s.n,
            name=None if s.flag else s.name,
            email=None if s.flag else "anna@example.pl",
            erased_at=NOW if s.flag else None,
        ),
        "submitted_at": NOW,
        "substitute": s.name,
        "suffix": ".xls",
        "summary": ImportSummary(
            Counts(s.n, s.n, s.n), Counts(s.n, 0, s.n), Counts(0, s.n, 0), s.n, [_issue(s)]
        ),
        "support": s.flag,
        "target": _erasure_target(s),
        "task": _task_item(s),
        "team": team,
        "teams": s.many(team)[:3],
        "team_adviser": _contact(s, "doradca@ore.edu.pl") if s.flag else None,
        "telegram": s.n,
        "teryt": "1210133",
        "text": "Czy arkusze wypełniamy dla każdej szkoły?",
        "table": "outbox",
        "title": "Zadanie wdrożeniowe 1",
        "title_en": "Implementation task 1",
        "title_pl": "Zadanie wdrożeniowe 1",
        "today": TODAY,
        "label_en": "initial diagnosis",
        "label_pl": "diagnoza wstępna",
        "to_team": s.flag,
        "total": s.n,
        "under_way": s.flag,
        "unsent": s.many(_slot(s))[:3],
        "value": "2026-02-30",
        "via": "telegram" if s.flag else "operator",
        "variable": "TELEGRAM_BOT_TOKEN",
        "waiting": s.n,
        "wanted": s.flag,
        "warnings": [_issue(s, "team_size")],
        "week": "2027-W40",
        "when": NOW,
        "working_days": s.n,
    }


def _percentage(s: Sample) -> dict[str, Any]:
    return {"value": s.n, "target": 150, "percent": s.n / 150 * 100}


def _web_words(s: Sample) -> dict[str, dict[str, Any]]:
    """The web view's words (core/templates/<lang>/web/words.txt.j2) whose value is a key."""
    words = "web/words.txt.j2::"
    reasons = (
        "not_found",
        "signed_out",
        "not_for_your_role",
        "form_expired",
        "link_used",
        "bad_form",
    )
    return {
        f"{words}menu_item": {"key": ("overview", "questions", "import")[s.n % 3]},
        f"{words}refused_title": {"reason": reasons[s.n % len(reasons)]},
        f"{words}refused": {"reason": reasons[s.n % len(reasons)]},
        f"{words}filter_label": {"name": ("cohort", "adviser", "voivodeship", "state")[s.n % 4]},
        f"{words}state_name": {"state": ("attention", "done", "late")[s.n % 3]},
        f"{words}reason_name": {"kind": list(ReasonKind)[s.n % 7].value},
        f"{words}column_code": {"code": "reports" if s.flag else "ZW1"},
        "email/web_sign_in.txt.j2": {"link": "https://panel.example.pl/sign-in/abc"},
        "email/web_sign_in.html.j2": {"link": "https://panel.example.pl/sign-in/abc"},
    }


def _web_ops(s: Sample) -> dict[str, dict[str, Any]]:
    """The operator pages' words (core/templates/<lang>/web/ops.txt.j2) whose value is a key."""
    ops = "web/ops.txt.j2::"
    problems = [
        ("bad_cells", {}),
        ("no_rows", {}),
        ("too_many_rows", {"limit": s.n}),
        ("unknown_extension", {"suffix": ".pdf"}),
        ("unknown_cohort", {"cohort": "Pilotaż"}),
    ]
    code, params = problems[s.n % len(problems)]
    invite = ("none", "active", "expired", "revoked", "used")[s.n % 5]
    return {
        f"{ops}result_title": {"applied": s.flag, "refused": s.n % 3 == 0},
        f"{ops}file_problem": {"code": code, "params": params, "count": s.n},
        f"{ops}issue_reason": {"code": "bad_email", "params": {"value": "anna@"}},
        f"{ops}summary_count": {"kind": ("created", "updated", "unchanged")[s.n % 3]},
        f"{ops}summary_row": {"part": ("jsts", "people", "assignments")[s.n % 3]},
        f"{ops}role_name": {"role": ("member", "adviser", "coordinator", "expert")[s.n % 4]},
        f"{ops}invite_state": {"invite": invite},
        f"{ops}outbox_done": {"done": ("requeued", "expired", "not_failed")[s.n % 3]},
        f"{ops}channel_name": {"channel": "email" if s.flag else "telegram"},
        f"{ops}erasure_done": {"done": ("erased", "confirming", "changed")[s.n % 3]},
        f"{ops}address_problem": {
            "problem": ("unknown_address", "already_erased")[s.n % 2],
            "email": "anna@example.pl",
        },
        f"{ops}request_state": {"state": ("pending", "confirming", "done", "cancelled")[s.n % 4]},
        f"{ops}confirm_who": {
            "name": "Anna Nowak",
            "email": "anna@example.pl",
            "role": "member",
            "jst_name": "Gmina Bochnia" if s.flag else None,
        },
        f"{ops}confirm_what": {"questions": s.n, "answers": s.n + 1, "on_telegram": s.flag},
        f"{ops}export_name": {"kind": ("people", "tasks", "reports", "materials")[s.n % 4]},
        f"{ops}days_left": {"days": s.n - 2},
    }


def _web_jst_words(s: Sample) -> dict[str, dict[str, Any]]:
    """The words of a JST's page and an adviser's pages (web/jst.txt.j2, web/questions.txt.j2)
    whose value is a key or a shape of their own."""
    jst, questions = "web/jst.txt.j2::", "web/questions.txt.j2::"
    at = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    columns = ("task", "due", "state", "files", "round", "dates", "present")
    reasons = ("bad_date", "date_in_past", "not_later", "unchanged", "not_your_jst")
    reason = reasons[s.n % len(reasons)]
    details = {  # what any refusal names (each branch reads its own)
        "value": "2026-13-45",
        "date": TODAY,
        "code": "ZW1",
        "codes": ["ZW1", "ZW2"],
        "due": TODAY,
        "until": TODAY,
        "teryt": "1465011",
    }
    state = ("open", "answered", "closed")[s.n % 3]
    return {
        f"{jst}facts": {"cohort": "pilot", "adviser": s.name if s.flag else None, "phase": None},
        f"{jst}done": {"what": ("extended", "attendance", "accepted", "returned")[s.n % 4]},
        f"{jst}column": {"name": columns[s.n % len(columns)]},
        f"{jst}task_state": {"state": ("pending", "submitted", "returned", "accepted")[s.n % 4]},
        f"{jst}member": {"joined": s.flag},
        f"{jst}file_link": {"name": "diagnoza.pdf", "size": s.n * 1000 if s.flag else None},
        f"{jst}change": {
            "action": ("submitted", "resolution", "returned", "accepted", "extended")[s.n % 5],
            "code": "ZW1",
            "who": s.name if s.flag else None,
            "until": TODAY if s.flag else None,
        },
        f"{jst}extend_error": {"reason": reason, "details": details},
        f"{jst}report_title": {
            "code": "R01",
            "month": TODAY,
            "state": ("draft", "submitted")[s.n % 2],
            "submitted_at": at if s.flag else None,
            "late": not s.flag,
        },
        f"{jst}report_question": {"question": _question("done", "text"), "month": TODAY},
        f"{jst}report_value": {"value": (True, False, None, 4, "Szkolenie.")[s.n % 5]},
        f"{jst}question_title": {"number": s.n, "asker": s.name, "at": at, "state": state},
        f"{jst}entry": {"author": s.name, "at": at, "to_team": s.flag, "by_asker": s.n % 3 == 0},
        f"{jst}round_title": {"title": "Zjazd I", "starts_on": TODAY, "ends_on": TODAY},
        f"{jst}attended": {
            "names": [s.name] * (s.n % 3),
            "present": s.n,
            "recorded": s.n % 4 != 0,
        },
        f"{jst}attendance_error": {"code": "Z1"},
        f"{jst}review_error": {
            "reason": ("stale", "empty_remarks", "too_long", "bad_form")[s.n % 4],
            "details": {"limit": 3500},
            "code": "ZW1",
        },
        f"{questions}column": {
            "name": ("number", "jst", "asker", "question", "since", "kind", "who", "decision")[
                s.n % 8
            ]
        },
        f"{questions}done": {
            "what": ("answered", "answered_team", "closed", "already_closed")[s.n % 4]
        },
        f"{questions}asked": {"asker": s.name, "at": at, "state": state},
        f"{questions}entry": {"author": s.name, "at": at, "to_team": s.flag, "by_asker": False},
        f"{questions}file_link": {"name": "odpowiedz.docx", "size": s.n * 1000},
        f"{questions}answer_error": {
            "error": ("empty", "too_long", "closed")[s.n % 3],
            "limit": 3500,
            "length": 3500 + s.n,
        },
        f"{questions}waiting_kind": {"kind": ("task", "question")[s.n % 2], "code": "ZW1"},
    }


def overrides(s: Sample) -> dict[str, dict[str, Any]]:
    """Names whose value has another shape in these templates (or macros: `file::macro`)."""
    rows = [
        (_question("progress", "scale"), 4),
        (_question("done", "text"), "Szkolenie dla dyrektorów."),
        (_question("support", "yesno"), s.flag),
    ]
    report_rows = {"rows": rows, "question": _question("done", "text")}
    return {
        **_web_words(s),
        **_web_ops(s),
        **_web_jst_words(s),
        "tg/report_adviser.html.j2": report_rows,
        "tg/report_summary.html.j2": report_rows,
        "tg/report_question.html.j2": report_rows,
        "tg/report_parts.html.j2::answers": report_rows,
        "tg/report_parts.html.j2::answer": report_rows,
        "tg/question_answer.html.j2": {"question": "Jak wypełnić arkusz diagnozy?"},
        **_self_assessment(s),
        "tg/attendance_rounds.html.j2": {"rounds": [_attendance(s, "Z1")] * min(s.n, 4)},
        "tg/attendance_team.html.j2": {"step": _attendance(s, "Z2"), "members": s.n},
        "tg/attendance_which.html.j2": {"teryt": "1465011" if s.flag else None},
        "tg/attendance_labels.txt.j2::member": {"present": (True, False, None)[s.n % 3]},
        "tg/jst_list.html.j2": {"limit": s.n % 3},  # some lists longer than shown
        "tg/_team.html.j2::reasons": {"jst": _jst_state(s), "days": s.n},
        "tg/_team.html.j2::waiting": {"due": dt.date(2027, 12, 31), "days": s.n},
        "tg/question_not_linked.html.j2": {"waiting": s.many(_open_question(s))[:3]},
        "tg/task_choose.html.j2": {"waiting": s.many(_task_item(s))[:3]},
        "email/_digest.txt.j2::light": {
            "light": ("done", "review", "soon", "late", "not_yet")[s.n % 5]
        },
        "email/_digest.txt.j2::reason_name": {"kind": list(ReasonKind)[s.n % 7].value},
        "email/_digest.txt.j2::change_name": {"kind": list(ChangeKind)[s.n % 4].value},
        "email/_digest.txt.j2::reason": {
            "item": _attention(s),
            "r": _reason(s, list(ReasonKind)[s.n % 7]),
        },
        "email/_digest.txt.j2::calm": {"team": _team(s)},
        "email/_digest.txt.j2::indicator_name": {"key": "staff_improved"},
        "email/_digest.txt.j2::percent": {"indicator": _indicator(s)},
        "cli/indicators.txt.j2": {"indicators": _indicators(s)},
        "cli/indicators.txt.j2::row": {"indicator": _percentage(s)},
        "cli/indicators.txt.j2::by_gender": {
            "total": _indicator(s),
            "women": _indicator(s),
            "men": _indicator(s),
        },
        "cli/indicator_words.txt.j2::name": {"key": "staff_improved"},
        "cli/indicator_words.txt.j2::definition": {"key": "staff_supported"},
        "cli/reminders_preview.txt.j2": {
            "rows": s.many(SimpleNamespace(when=NOW, to=s.name, what="ZW1"))[:3]
        },
        "cli/retention_preview.txt.j2": {
            "rows": _retention_rows(s),
            "schedule": Schedule(s.n, s.n, s.n, s.n, s.n),
        },
        "cli/retention_preview.txt.j2::what": {"row": _retention_rows(s)[-1]},
        "cli/outbox_rows.txt.j2": {
            "rows": s.many(
                SimpleNamespace(
                    id=s.n,
                    state="pending",
                    channel="telegram",
                    kind="reminder",
                    person_id=1 if s.flag else None,
                    person=s.name,
                    attempts=s.n,
                    next_at=NOW,
                    error="timed out" if s.flag else None,
                )
            )[:3],
        },
        "sandbox/people.txt.j2": {
            "people": [
                SimpleNamespace(
                    email="anna@example.pl",
                    full_name=s.name,
                    role="member",
                    jsts=["Gmina Stary Sącz"],
                    active=s.flag,
                    telegram_user_id=1,
                    language="pl",
                )
            ]
        },
        "sandbox/report.html.j2": {
            "report": SimpleNamespace(
                cohort="pilot",
                start=NOW,
                end=NOW,
                people=[_walk_log(s)],
                total=lambda channel: s.n,
            ),
            "telegram": "telegram",
            "email": "email",
        },
        "cli/help.txt.j2::text": {"key": "cohort"},
        "cli/rounds_messages.txt.j2::not_training": {"codes": "Z1, Z2, Z3, Z4" if s.flag else ""},
        "cli/cohort.txt.j2": {"cohort": _cohort(s)},
        "cli/cohort_messages.txt.j2::added": {"cohort": _cohort(s)},
        "cli/digest.txt.j2::written": {"teams": s.n},
        "cli/coordinator.txt.j2::scope": {
            "cohorts": ["pilot", "ore-2"][: s.n] if s.flag else None
        },
        "cli/import.txt.j2::file_too_big": {"rows": s.n},
        "cli/attendance.txt.j2::file_too_big": {"rows": s.n},
        "cli/attendance.txt.j2::summary": {
            "result": SimpleNamespace(
                counts=SimpleNamespace(created=s.n, updated=s.n, unchanged=s.n),
                present=s.n,
                absent=s.n,
                not_listed=s.n,
            ),
            "round": "Z1",
        },
        "cli/attendance.txt.j2::unknown_round": {"round": "Z9", "rounds": ["Z1", "Z2"][: s.n]},
        "cli/attendance.txt.j2::round_not_started": {"round": "Z1", "starts": TODAY},
        "cli/attendance.txt.j2::person_refused": {"code": "other_cohort"},
        "cli/attendance.txt.j2::person_reason": {"code": "not_a_member"},
        "cli/attendance.txt.j2::reason": {"code": "unknown_present"},
        "cli/attendance.txt.j2::refused": {
            "errors": [_issue(s, "unknown_person"), _issue(s, "duplicate_person")]
        },
        "sandbox/terminal.txt.j2::banner": {"mail": ".sandbox/mail"},
        "email/_digest.txt.j2::xlsx_sheet": {"name": "teams"},
        "tg/_states.html.j2::title": {"item": _task_view(s)},
        **{
            name: {"files": _email_files(s)}
            for name in (
                "email/question_forward.txt.j2",
                "email/question_forward.html.j2",
                "email/task_review_request.txt.j2",
                "email/task_review_request.html.j2",
                "email/_waiting.txt.j2::files_heading",
            )
        },
        "email/_waiting.txt.j2::file": {"item": _email_files(s)[0]},
        "tg/question_files.html.j2": {"question": s.flag, "name": "12" if s.flag else "ZW1"},
        "tg/report_labels.txt.j2::title": {
            "question": _question("done", "text"),
            "month": dt.date(2027, 9, 1) if s.flag else None,
        },
        **_export_words(s),
        "tg/_states.html.j2::task": {"item": _task_view(s)},
        "tg/labels.txt.j2::command": {"key": "status"},
        "tg/my_data_labels.txt.j2::column": {"key": "section"},
        "tg/_states.html.j2::report_state": {"state": "missing"},
        "email/_digest.txt.j2::report_state": {
            "code": "missing",
            "due": TODAY,
            "today": TODAY + dt.timedelta(days=s.n % 2),
        },
        **_materials(s),
        **_digest_chart(s),
    }


def _digest_chart(s: Sample) -> dict[str, dict[str, Any]]:
    """The chart's labels: every light, a task's column and the reports' (digest/chart.py)."""
    task = Column("ZW1", "task", "Zadanie wdrożeniowe 1", "Implementation task 1", None, TODAY)
    reports = Column(REPORTS, REPORTS, "Raporty miesięczne", "Monthly reports", None, None)
    column = {"column": reports if s.flag else task}
    return {
        "email/_digest_chart.txt.j2::light": {"light": list(Light)[s.n % len(Light)].value},
        "email/_digest_chart.txt.j2::code": column,
        "email/_digest_chart.txt.j2::step": column,
        "email/_digest_chart.txt.j2::indicator": {"key": INDICATORS[s.n % len(INDICATORS)]},
        "email/_digest_chart.txt.j2::reached": {"indicator": Indicator(s.n, 150 if s.flag else 0)},
    }


def _retention_rows(s: Sample) -> list[Going]:
    """One row of every kind the retention preview words, in two days and two cohorts."""
    days = (TODAY, TODAY + dt.timedelta(days=s.n))
    return [
        Going(days[i % 2], what, "Pilotaż 2026" if i % 3 else None, "reminder", s.n)
        for i, what in enumerate(KINDS)
    ]


def _cohort(s: Sample) -> SimpleNamespace:
    return SimpleNamespace(
        name="pilot",
        template="ore-2024",
        title_pl="Cyfrowy rozwój oświaty w JST",
        title_en="Digital development of education",
        months=s.n,
        start=TODAY,
        end=TODAY,
        steps=[
            SimpleNamespace(
                code="ZW1",
                kind="task",
                title_pl="Zadanie wdrożeniowe 1",
                title_en="Implementation task 1",
                starts_on=TODAY,
                due_on=TODAY if s.flag else None,
                ends_on=TODAY,
                round=_round(s) if s.flag else None,
            )
        ],
    )


def _export_words(s: Sample) -> dict[str, dict[str, Any]]:
    """The coded cells of an exported table, each with its row."""
    words = "cli/export_labels.txt.j2::"
    row = {"row": {"gender": s.gender}}
    return {
        words + "sheet": {"name": "people"},
        words + "header": {"sheet": "tasks", "key": "submitted_at"},
        words + "answer": {
            "key": "done",
            "question": _question("done", "text") if s.flag else None,
        },
        words + "task_state": {"value": "submitted"} | row,
        words + "report_state": {"value": "missing"} | row,
        words + "gender": {"value": s.gender} | row,
        words + "language": {"value": "pl"} | row,
        words + "role": {"value": "adviser"} | row,
        words + "yes_no": {"value": s.flag},
        words + "material_kind": {"value": "training"} | row,
        words + "material_state": {"value": "returned"} | row,
    }


def _email_files(s: Sample) -> list[dict[str, Any]]:
    """A question's or submission's files as an e-mail lists them: attached, or too large."""
    return [
        {"name": f"arkusz-{index}.xlsx", "size": 1000 * (index + 1) ** 4, "attached": index < 2}
        for index in range(max(s.n, 1))
    ][:4]
