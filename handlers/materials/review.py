"""/materialy for an expert (the versions waiting for review, by deadline, each with a button
that sends it again), the Accept / Return buttons, and the remarks a return asks for.

A press is looked up and re-authorized every time: only an expert, only for the review round
the button was sent for, only while the version waits; anything else is a stale button.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from forms.material import ReturnMaterial, refusal, remarks_step
from handlers.common import buttons, caller_of, form_for, label
from handlers.context import BotContext
from handlers.replies import answer_press, remove_buttons, reply
from handlers.tasks.forms import RemarksForm
from notices.materials import ACCEPT, OPEN, announce_material, ask_expert, open_buttons
from storage.materials.loop import Origin, check_reviewable, review_material
from storage.materials.views import MaterialChange, latest_version, material_items
from storage.models import Form, MaterialState, Person
from storage.tasks.rows import TaskRefused

REMARKS_FORM = "material_remarks"


async def expert_list(update: Update, context: BotContext, session: AsyncSession) -> None:
    """The versions waiting for review, earliest deadline first, numbered buttons to open."""
    items = await material_items(session, states=(MaterialState.SUBMITTED,))
    expert = await session.get_one(Person, caller_of(context).person_id)
    waiting = [(item.id, item.review_round) for item in items]
    markup = await open_buttons(session, context.services, expert, waiting)
    await reply(
        update,
        context,
        "materials",
        markup=markup,
        session=session,
        items=items,
        role="expert",
        today=context.today(),
    )


async def review_pressed(update: Update, context: BotContext) -> None:
    """Accept now, ask for the remarks of a return, or send the version again."""
    assert context.pressed is not None  # checked by the gate
    _prefix, verdict, material_id, review_round = context.pressed.split(":")
    press = (int(material_id), int(review_round))
    async with context.services.sessionmaker.begin() as session:
        try:
            if verdict == ACCEPT:
                await _accept(update, context, session, *press)
            elif verdict == OPEN:
                await _open(update, context, session, *press)
            else:
                await _ask_remarks(update, context, session, *press)
        except TaskRefused:
            await answer_press(update, label(context, "stale_button"))
            return
    await answer_press(update)
    if verdict == ACCEPT:  # Return keeps them: the expert may cancel the remarks
        await remove_buttons(update)
    context.wake_outbox()


def _origin(context: BotContext, source: str) -> Origin:
    services = context.services
    return Origin(caller_of(context).person_id, services.clock.now(), context.today(), source)


async def _accept(
    update: Update, context: BotContext, session: AsyncSession, material_id: int, round_: int
) -> None:
    change = await review_material(
        session,
        material_id=material_id,
        review_round=round_,
        accept=True,
        remarks=None,
        origin=_origin(context, f"tg:{update.update_id}"),
    )
    await _reviewed(update, context, session, change)


async def _open(
    update: Update, context: BotContext, session: AsyncSession, material_id: int, round_: int
) -> None:
    expert_id = caller_of(context).person_id
    await check_reviewable(
        session, material_id=material_id, review_round=round_, expert_id=expert_id
    )
    version = await latest_version(session, material_id)
    expert = await session.get_one(Person, expert_id)
    key = f"material-again:{update.update_id}"
    await ask_expert(session, context.services, version, expert, key=key)


async def _ask_remarks(
    update: Update, context: BotContext, session: AsyncSession, material_id: int, round_: int
) -> None:
    await check_reviewable(
        session,
        material_id=material_id,
        review_round=round_,
        expert_id=caller_of(context).person_id,
    )
    version = await latest_version(session, material_id)
    data = {"material": material_id, "round": round_}
    form = await form_for(session, update, context, kind=REMARKS_FORM, step="remarks", data=data)
    markup = buttons(context, form, [])
    await reply(
        update, context, "material_remarks_ask", markup=markup, session=session, change=version
    )


async def _reviewed(
    update: Update, context: BotContext, session: AsyncSession, change: MaterialChange
) -> None:
    """The expert's confirmation, then the coordinator who handed the version in is told."""
    await reply(update, context, "material_reviewed", session=session, change=change)
    await announce_material(session, context.services, change)


async def _return(
    context: BotContext, session: AsyncSession, form: Form, change: ReturnMaterial
) -> MaterialChange:
    return await review_material(
        session,
        material_id=change.material_id,
        review_round=change.review_round,
        accept=False,
        remarks=change.remarks,
        origin=_origin(context, f"form:{form.token}"),
    )


# The expert's next text is the remarks of the return (forms/material.py `remarks_step`).
REMARKS_KIND = RemarksForm(remarks_step, _return, _reviewed, refusal)
