"""/samoocena (/self_assessment): the competence self-assessment, before the first training round
and after the last (forms/self_assessment.py), a DB-backed form of kind "self_assessment"; the
reminder rule (reminders/self_assessment.py) asks members to start it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import CommandHandler

from forms.self_assessment import SubmitAssessment, open_window, opened, step, windows
from forms.steps import Input, Outcome
from handlers.common import caller_of, form_for, labels_of, member_jst, settle, state_of
from handlers.context import BotApplication, BotContext
from handlers.replies import reply
from reminders.tick import work_calendar
from storage.competences import (
    BEFORE,
    AssessmentSetting,
    answered_moments,
    save_assessment,
    score_of,
    setting_of,
)
from storage.models import Form

COMMAND_NAMES = ("samoocena", "self_assessment")
KIND = "self_assessment"
label = labels_of("tg/self_assessment_labels.txt.j2")


async def self_assessment_command(update: Update, context: BotContext) -> None:
    """The open moment's form, or when the self-assessment is (or was) open."""
    caller, jst_id = caller_of(context), await member_jst(update, context)
    if jst_id is None:
        return
    async with context.services.sessionmaker.begin() as session:
        setting = await setting_of(session, jst_id)
        answered = await answered_moments(session, caller.person_id)
        window = None
        if setting is not None:
            window = open_window(
                setting, context.today(), work_calendar(context.services), answered
            )
        if setting is None or window is None:
            await _closed(update, context, session, setting, answered)
            return
        outcome = opened(setting.competences, window.moment, update.update_id)
        assert outcome.state is not None
        form = await form_for(
            session,
            update,
            context,
            kind=KIND,
            step=outcome.state.step,
            data=dict(outcome.state.data),
        )
        await settle(update, context, session, form, outcome, label=label)


async def _closed(
    update: Update,
    context: BotContext,
    session: AsyncSession,
    setting: AssessmentSetting | None,
    answered: frozenset[str],
) -> None:
    """Nothing to fill in now: when it is open, or that it was done."""
    shown = windows(setting, work_calendar(context.services)) if setting is not None else ()
    await reply(
        update,
        context,
        "self_assessment_closed",
        session=session,
        windows=shown,
        answered=sorted(answered),
        today=context.today(),
    )


async def take_self_assessment(
    update: Update, context: BotContext, form: Form, session: AsyncSession, event: Input
) -> None:
    """The statements' scale buttons, Back and Submit; a message shows the statement again."""
    caller = caller_of(context)
    setting = await setting_of(session, caller.jst_ids[0]) if caller.jst_ids else None
    if setting is None:  # the member left the team meanwhile
        await settle(update, context, session, form, Outcome(None), label=label)
        await _closed(update, context, session, None, frozenset())
        return
    outcome = step(state_of(form), event, setting.competences)
    await settle(update, context, session, form, outcome, label=label)
    if isinstance(outcome.effect, SubmitAssessment):
        await _submit(update, context, session, setting, outcome.effect)


async def _submit(
    update: Update,
    context: BotContext,
    session: AsyncSession,
    setting: AssessmentSetting,
    change: SubmitAssessment,
) -> None:
    """Kept once, while the moment is still open; the member sees their sum (and, after, the
    sum before)."""
    person_id = caller_of(context).person_id
    answered = await answered_moments(session, person_id)
    window = open_window(setting, context.today(), work_calendar(context.services), answered)
    if window is None or window.moment != change.moment:
        await _closed(update, context, session, setting, answered)
        return
    now = context.services.clock.now()
    await save_assessment(session, person_id, change.moment, change.answers, now)
    before = None if change.moment == BEFORE else await score_of(session, person_id, BEFORE)
    await reply(
        update,
        context,
        "self_assessment_done",
        session=session,
        moment=change.moment,
        score=sum(change.answers.values()),
        maximum=len(setting.competences.question) * 5,
        before=before,
    )


def register(application: BotApplication) -> None:
    application.add_handler(CommandHandler(COMMAND_NAMES, self_assessment_command))
