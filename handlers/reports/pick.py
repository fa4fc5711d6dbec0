"""Which month's report: `/raport` opens the latest ended month, unless earlier months are still
unsent; then the member picks one (a late report is still taken, marked late).

The choice is its own DB-backed form (kind "report_pick"), so its buttons are re-checked on
every press: only a month of the caller's own JST that has ended can be opened.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from handlers.context import BotContext
from handlers.replies import remove_buttons, reply
from handlers.reports.form import DONE, REPORT_KEY, REPORT_KIND, Turn, report_label
from handlers.tasks.forms import CANCEL, buttons, caller_of, form_for
from notices.reports import done_values
from storage.forms import finish_form
from storage.models import Form, ReportState
from storage.reports import (
    ReportSlot,
    ended_slots,
    find_report,
    next_question,
    open_report,
    unsent_slots,
)

PICK_KIND = "report_pick"
MONTH = "m"


async def choices(session: AsyncSession, jst_id: int, context: BotContext) -> list[ReportSlot]:
    """The unsent earlier months, oldest first, then the latest ended month (sent or not)."""
    today = context.today()
    ended = await ended_slots(session, jst_id, today)
    if not ended:
        return []
    earlier = [slot for slot in await unsent_slots(session, jst_id, today) if slot != ended[-1]]
    return [*earlier, ended[-1]]


async def offer_months(
    session: AsyncSession, update: Update, context: BotContext, months: list[ReportSlot]
) -> None:
    """One button per month; the form remembers nothing but that a choice is awaited."""
    form = await form_for(session, update, context, kind=PICK_KIND, step=PICK_KIND, data={})
    rows = [
        [(report_label(context, "month", slot=slot), f"{MONTH}{slot.code}")] for slot in months
    ]
    await reply(
        update, context, "report_pick", markup=buttons(context, form, rows), session=session,
        unsent=months[:-1],
    )  # fmt: skip


async def open_month(
    session: AsyncSession, update: Update, context: BotContext, slot: ReportSlot
) -> None:
    """The month's report: its next question, the correction offer, or who submitted it."""
    caller = caller_of(context)
    report = await find_report(session, slot.jst_id, slot.code)
    if report is None:
        report = await open_report(session, slot, caller.person_id, context.services.clock.now())
    if report.state == ReportState.SUBMITTED and context.today() > slot.due_on:
        await finish_form(session, caller.person_id)
        values = await done_values(session, report)
        await reply(update, context, "report_done", session=session, corrigible=False, **values)
        return
    form = await form_for(
        session, update, context, kind=REPORT_KIND, step=DONE, data={REPORT_KEY: report.id}
    )
    turn = Turn(update, context, session, form, report)
    if report.state == ReportState.SUBMITTED:
        await turn.done(corrigible=True)
        return
    await turn.ask(next_question(await turn.questions(), report.answers, None))


class ReportPickForm:
    """The month buttons; a message instead of a press shows them again."""

    async def on_message(
        self, update: Update, context: BotContext, form: Form, session: AsyncSession
    ) -> None:
        await self._offer_again(session, update, context)

    async def on_choice(
        self, update: Update, context: BotContext, form: Form, session: AsyncSession, choice: str
    ) -> None:
        if choice == CANCEL:
            await finish_form(session, form.person_id)
            await reply(update, context, "report_paused", session=session)
            await remove_buttons(update)
            return
        jst_ids = caller_of(context).jst_ids
        months = await choices(session, jst_ids[0], context) if jst_ids else []
        picked = next((s for s in months if f"{MONTH}{s.code}" == choice), None)
        if picked is None:  # forged data, or the months changed since the offer
            await self._offer_again(session, update, context)
            return
        await remove_buttons(update)
        await open_month(session, update, context, picked)

    async def _offer_again(
        self, session: AsyncSession, update: Update, context: BotContext
    ) -> None:
        jst_ids = caller_of(context).jst_ids
        months = await choices(session, jst_ids[0], context) if jst_ids else []
        if len(months) > 1:
            await offer_months(session, update, context, months)
        elif months:
            await open_month(session, update, context, months[0])
        else:
            await finish_form(session, caller_of(context).person_id)
            await reply(update, context, "report_none", session=session)
