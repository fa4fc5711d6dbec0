"""/raport (/report): open or resume the team's monthly monitoring report (handlers/report_form).

Any member may fill the report; it is the team's one draft, so a second member (or the same one
on another phone, after a restart) continues where the first stopped.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot.context import BotApplication, BotContext
from bot.replies import reply
from handlers.report_form import DONE, REPORT_KEY, REPORT_KIND, ReportForm, Turn
from handlers.report_notices import done_values
from handlers.task_forms import caller_of, form_for
from storage.models import ReportState, Role
from storage.reports import current_slot, find_report, next_question, open_report

COMMAND_NAMES = ("raport", "report")
FORM_KINDS = {REPORT_KIND: ReportForm()}


async def report_command(update: Update, context: BotContext) -> None:
    """The report of the month that has just ended: its next question, or who submitted it."""
    caller = caller_of(context)
    if caller.role != Role.MEMBER or not caller.jst_ids:
        await reply(
            update, context, "no_team" if caller.role == Role.MEMBER else "not_for_your_role"
        )
        return
    today = context.today()
    async with context.services.sessionmaker.begin() as session:
        slot = await current_slot(session, caller.jst_ids[0], today)
        if slot is None:
            await reply(update, context, "report_none", session=session)
            return
        report = await find_report(session, slot.jst_id, slot.code)
        if report is None:
            report = await open_report(
                session, slot, caller.person_id, context.services.clock.now()
            )
        if report.state == ReportState.SUBMITTED and today > slot.due_on:
            values = await done_values(session, report)
            await reply(
                update, context, "report_done", session=session, corrigible=False, **values
            )
            return
        form = await form_for(
            session, update, context, kind=REPORT_KIND, step=DONE, data={REPORT_KEY: report.id}
        )
        turn = Turn(update, context, session, form, report)
        if report.state == ReportState.SUBMITTED:
            await turn.done(corrigible=True)
            return
        await turn.ask(next_question(await turn.questions(), report.answers, None))


def register(application: BotApplication) -> None:
    application.add_handler(CommandHandler(COMMAND_NAMES, report_command))
