"""Every rule the tick evaluates, in one visible list."""

from __future__ import annotations

from core.settings import Settings
from reminders.deadlines import DeadlineRule
from reminders.digest_rule import DigestRule
from reminders.erasure_deadlines import ErasureDeadlineRule
from reminders.materials import MaterialRule
from reminders.questions_sla import QuestionSlaRule
from reminders.reports import ReportRule
from reminders.rounds import RoundRule
from reminders.schedule import Rule
from reminders.self_assessment import SelfAssessmentRule
from reminders.silent_teams import SilentTeamRule


def all_rules(settings: Settings) -> list[Rule]:
    """The reminder rules of the programme; each module adds its rule here, one line each."""
    rules: list[Rule] = [
        QuestionSlaRule(),
        DeadlineRule(),
        DigestRule(settings.digest_schedule),
        ReportRule(),
        SilentTeamRule(),
        ErasureDeadlineRule(),
        RoundRule(),
        MaterialRule(),
        SelfAssessmentRule(),
    ]
    return rules
