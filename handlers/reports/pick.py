"""Which month's report: `/raport` opens the latest ended month, unless earlier months are still
unsent; then the member picks one (a late report is still taken, marked late).

The choice is its own DB-backed form (kind "report_pick"), so its buttons are re-checked on
every press: only a month of the caller's own JST that has ended can be opened.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from forms.report import opened, paused
from forms.report_pick import offer, picked
from forms.steps import CANCEL
from handlers.common import caller_of, form_for, settle, show
from handlers.context import BotContext
from handlers.replies import remove_buttons, reply
from handlers.reports.form import REPORT_KIND, report_facts, report_label, settle_report
from storage.forms import finish_form
from storage.models import Form
from storage.reports import ReportSlot, ended_slots, find_report, open_report, unsent_slots

PICK_KIND = "report_pick"


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
    await show(update, context, session, form, offer(months), label=report_label)


async def open_month(
    session: AsyncSession, update: Update, context: BotContext, slot: ReportSlot
) -> None:
    """The month's report form (forms/report.py `opened`), or who submitted it, too late to
    correct (then no form)."""
    caller = caller_of(context)
    report = await find_report(session, slot.jst_id, slot.code)
    if report is None:
        report = await open_report(session, slot, caller.person_id, context.services.clock.now())
    facts = await report_facts(session, report, context)
    outcome = opened(facts, report.id, update.update_id)
    form = None
    if outcome.state is not None:
        step, data = outcome.state.step, dict(outcome.state.data)
        form = await form_for(session, update, context, kind=REPORT_KIND, step=step, data=data)
    await settle_report(update, context, session, form, outcome, report=report)


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
            await settle(update, context, session, form, paused())
            return
        slot = picked(choice, await self._months(session, context))
        if slot is None:  # forged data, or the months changed since the offer
            await self._offer_again(session, update, context)
            return
        await remove_buttons(update)
        await open_month(session, update, context, slot)

    async def _months(self, session: AsyncSession, context: BotContext) -> list[ReportSlot]:
        jst_ids = caller_of(context).jst_ids
        return await choices(session, jst_ids[0], context) if jst_ids else []

    async def _offer_again(
        self, session: AsyncSession, update: Update, context: BotContext
    ) -> None:
        months = await self._months(session, context)
        if len(months) > 1:
            await offer_months(session, update, context, months)
        elif months:
            await open_month(session, update, context, months[0])
        else:
            await finish_form(session, caller_of(context).person_id)
            await reply(update, context, "report_none", session=session)
