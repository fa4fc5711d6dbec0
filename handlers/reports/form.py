"""The report form on Telegram: reads the update, loads the report, runs forms/report.py's step,
then saves what it did and shows it.

Not PTB's ConversationHandler: its state lives in the process's memory, so a restart, a timeout
or another phone would lose the answers. This is a DB-backed form (storage/forms.py, kind
"report"): the Form row only says where this person is; each answer goes at once into the team's
draft (MonthlyReport.answers), so `/raport` — by the same or another member — resumes there.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from forms.report import REPORT_KEY, Report, ReportChange, SaveAnswer, SubmitReport, done, step
from forms.steps import Input, Outcome
from handlers.common import caller_of, labels_of, settle, show, state_of
from handlers.context import BotContext
from handlers.replies import reply
from notices.reports import announce, done_values
from storage.models import Form, MonthlyReport, ReportState
from storage.reports import Submission, report_questions, set_answer, slot_of, submit_report

REPORT_KIND = "report"
LABELS = "tg/report_labels.txt.j2"


report_label = labels_of(LABELS)


async def report_facts(
    session: AsyncSession, report: MonthlyReport, context: BotContext
) -> Report:
    """The report as the form's steps see it."""
    slot = await slot_of(session, report)
    return Report(
        questions=await report_questions(session, report.jst_id),
        answers=report.answers,
        submitted=report.state == ReportState.SUBMITTED,
        corrigible=context.today() <= slot.due_on,
    )


async def take_report(
    update: Update, context: BotContext, form: Form, session: AsyncSession, event: Input
) -> None:
    """The report form: text answers by message, scale/yes-no/back/skip/submit by buttons."""
    report = await session.get_one(MonthlyReport, form.data[REPORT_KEY])
    outcome = step(state_of(form), event, await report_facts(session, report, context))
    await settle_report(update, context, session, form, outcome, report=report)


async def settle_report(
    update: Update,
    context: BotContext,
    session: AsyncSession,
    form: Form | None,
    outcome: Outcome[ReportChange],
    *,
    report: MonthlyReport,
) -> None:
    """Make the step's change to the report, save the form and reply: what the step shows is
    rendered with the report's view (its month; who submitted it, when)."""
    change, submission = outcome.effect, None
    if isinstance(change, SaveAnswer):
        set_answer(report, change.key, change.value, context.services.clock.now())
    elif isinstance(change, SubmitReport):
        submission = await _submit(context, session, report, change)
    view = await done_values(session, report) if outcome.show is not None else {}
    await settle(update, context, session, form, outcome, label=report_label, **view)
    if submission is not None:
        await _submitted(update, context, session, report, submission)


async def _submit(
    context: BotContext, session: AsyncSession, report: MonthlyReport, change: SubmitReport
) -> Submission:
    """Submit (or correct) the report; refused when another member was first or it is late."""
    return await submit_report(
        session,
        report,
        await slot_of(session, report),
        caller_of(context).person_id,
        context.services.clock.now(),
        answers=dict(change.answers),
        local_today=context.today(),
    )


async def _submitted(
    update: Update,
    context: BotContext,
    session: AsyncSession,
    report: MonthlyReport,
    submission: Submission,
) -> None:
    """The caller is told (the team and the adviser once), or who submitted it first."""
    if not submission.accepted:
        view = await done_values(session, report)
        await show(update, context, session, None, done(corrigible=False), **view)
        return
    adviser = await announce(session, context.services, report, today=context.today())
    await reply(
        update,
        context,
        "report_submitted",
        session=session,
        slot=await slot_of(session, report),
        report=report,
        correction=submission.correction,
        adviser=adviser.full_name if adviser else None,
        adviser_gender=adviser.gender.value if adviser else None,
    )
