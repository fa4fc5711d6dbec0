"""/raport (/report): open or resume the team's monthly monitoring report (handlers/report_form).

Any member may fill the report; it is the team's one draft, so a second member (or the same one
on another phone, after a restart) continues where the first stopped. When earlier months are
still unsent, the member first picks the month (handlers/report_pick).
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from handlers.common import member_jst
from handlers.context import BotApplication, BotContext
from handlers.forms import FormKind, SteppedForm
from handlers.replies import reply
from handlers.reports.form import REPORT_KIND, take_report
from handlers.reports.pick import PICK_KIND, ReportPickForm, choices, offer_months, open_month

COMMAND_NAMES = ("raport", "report")
FORM_KINDS: dict[str, FormKind] = {
    REPORT_KIND: SteppedForm(take_report),
    PICK_KIND: ReportPickForm(),
}


async def report_command(update: Update, context: BotContext) -> None:
    """The report of the month that has just ended, or a choice when earlier ones are unsent."""
    jst_id = await member_jst(update, context)
    if jst_id is None:
        return
    async with context.services.sessionmaker.begin() as session:
        months = await choices(session, jst_id, context)
        if not months:
            await reply(update, context, "report_none", session=session)
        elif len(months) > 1:
            await offer_months(session, update, context, months)
        else:
            await open_month(session, update, context, months[0])


def register(application: BotApplication) -> None:
    application.add_handler(CommandHandler(COMMAND_NAMES, report_command))
