"""/obecnosc's buttons: a JST's rounds begun so far, then its team members, each a toggle that
records them present or absent. Every button names records, so it is signed for the adviser or
coordinator it is sent to; the handler checks the scope again on every press."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup

from core.access import button
from core.services import Services
from core.templates import Words
from notices.buttons import button_data
from notices.message import keyboard
from storage.attendance import Source, TeamMark, begun_rounds, record_attendance, team_marks
from storage.models import Jst, ProgrammeStep
from storage.people import Caller

MARK = button("attendance")
PER_ROW = 2


@dataclass(frozen=True)
class Marking:
    """Whose buttons (the person they are signed for) and of which JST."""

    session: AsyncSession
    services: Services
    person_id: int
    jst_id: int

    async def data(self, body: str) -> str:
        return await button_data(
            self.session, self.services, MARK, f"{self.jst_id}:{body}", person_id=self.person_id
        )

    async def rounds(self, rounds: Sequence[ProgrammeStep]) -> InlineKeyboardMarkup:
        """One button a round: `att:<jst>:<round>`."""
        labels = [(step.code, await self.data(step.code)) for step in rounds]
        return keyboard([labels[at : at + PER_ROW] for at in range(0, len(labels), PER_ROW)])

    async def members(
        self, step_code: str, marks: Sequence[TeamMark], words: Words
    ) -> InlineKeyboardMarkup:
        """One button a member, showing their mark; a press sets the other one:
        `att:<jst>:<round>:<member>:<1|0>`."""
        rows = []
        for mark in marks:
            data = await self.data(f"{step_code}:{mark.person_id}:{0 if mark.present else 1}")
            rows.append([(words("member", name=mark.name, present=mark.present), data)])
        return keyboard(rows)


@dataclass(frozen=True)
class Pressed:
    """What a press of /obecnosc's buttons shows: the members' toggles, and for a round's button
    the values of the message that carries them (None: the pressed message's are redrawn)."""

    markup: InlineKeyboardMarkup
    team: dict[str, Any] | None


async def press(
    session: AsyncSession,
    services: Services,
    caller: Caller,
    data: str,
    *,
    today: dt.date,
    words: Words,
) -> Pressed | None:
    """`att:<jst>:<round>` or `att:<jst>:<round>:<member>:<1|0>` (checked and unsigned by the
    gate), checked again here: None unless the JST is in the caller's scope, the round has
    begun in its cohort and the member is on its team; a toggle is recorded."""
    _prefix, jst_text, code, *toggle = data.split(":")
    jst_id, member = int(jst_text), int(toggle[0]) if toggle else None
    rounds = {step.code: step for step in await begun_rounds(session, jst_id, today)}
    marks = await team_marks(session, jst_id, code)
    known = member is None or member in {mark.person_id for mark in marks}
    if jst_id not in caller.jst_ids or code not in rounds or not known:
        return None
    marking = Marking(session, services, caller.person_id, jst_id)
    if member is not None:
        await record_attendance(
            session,
            code,
            {member: toggle[1] == "1"},
            source=Source.TELEGRAM,
            actor=f"person:{caller.person_id}",
            now=services.clock.now(),
        )
        marks = await team_marks(session, jst_id, code)
        return Pressed(await marking.members(code, marks, words), None)
    jst = await session.get_one(Jst, jst_id)
    team = {"jst_name": jst.name, "step": rounds[code], "members": len(marks)}
    return Pressed(await marking.members(code, marks, words), team)
