"""/materialy for a coordinator: the materials and their states, then a new material (cohort,
kind, title, pieces, confirm) or the fix of a returned one; the experts are told. The steps are
forms/material.py's; a version is keyed by the form's token, so a re-delivered confirm press
hands nothing in twice."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from forms.material import (
    START,
    Choices,
    Effect,
    SubmitFix,
    refusal,
    start_buttons,
    submit_step,
)
from forms.steps import Input, Show
from handlers.common import caller_of, form_for, labels_of, settle, show, state_of
from handlers.context import BotContext
from handlers.forms import SteppedForm
from notices.materials import announce_material
from storage.materials.loop import Origin, submit_fix, submit_material
from storage.materials.views import material_items
from storage.models import Cohort, Form, MaterialState
from storage.tasks.rows import TaskRefused

SUBMIT_FORM = "material_submit"
material_label = labels_of("tg/material_labels.txt.j2")


async def coordinator_list(update: Update, context: BotContext, session: AsyncSession) -> None:
    """Every material by state and deadline, and the buttons that hand one in or fix one."""
    items = await material_items(session)
    form = await form_for(session, update, context, kind=SUBMIT_FORM, step=START, data={})
    shown = Show(
        "materials",
        {"items": items, "role": "coordinator", "today": context.today()},
        start_buttons(await _choices(session)),
    )
    await show(update, context, session, form, shown, label=material_label)


async def _choices(session: AsyncSession) -> Choices:
    cohorts = await session.execute(
        select(Cohort.id, Cohort.name).order_by(Cohort.start_date, Cohort.id)
    )
    returned = await material_items(session, states=(MaterialState.RETURNED,))
    return Choices(
        cohorts=[(id_, name) for id_, name in cohorts],
        returned=[(item.id, item.title) for item in returned],
    )


async def _take(
    update: Update, context: BotContext, form: Form, session: AsyncSession, event: Input
) -> None:
    """The coordinator's form: forms/material.py `submit_step`, then the version it confirms."""
    outcome = submit_step(state_of(form), event, await _choices(session))
    source = f"form:{form.token}"
    await settle(update, context, session, form, outcome, label=material_label)
    if outcome.effect is not None:
        await _hand_in(update, context, session, outcome.effect, source)


SUBMIT = SteppedForm(_take)


async def _hand_in(
    update: Update, context: BotContext, session: AsyncSession, effect: Effect, source: str
) -> None:
    services = context.services
    origin = Origin(caller_of(context).person_id, services.clock.now(), context.today(), source)
    try:
        if isinstance(effect, SubmitFix):
            change = await submit_fix(
                session, material_id=effect.material_id, pieces=effect.pieces, origin=origin
            )
        else:
            change = await submit_material(
                session,
                cohort_id=effect.cohort_id,
                title=effect.title,
                kind=effect.kind,
                pieces=effect.pieces,
                origin=origin,
            )
    except TaskRefused as refused:
        await show(update, context, session, None, refusal(refused.reason, **refused.params))
        return
    await show(update, context, session, None, Show("material_submitted", {"change": change}))
    await announce_material(session, services, change)
