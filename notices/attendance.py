"""/obecnosc's buttons: a JST's rounds begun so far, then its team members, each a toggle that
records them present or absent. Every button names records, so it is signed for the adviser or
coordinator it is sent to; the handler checks the scope again on every press."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup

from core.access import button
from core.services import Services
from core.templates import Words
from notices.buttons import button_data
from notices.message import keyboard
from storage.attendance import TeamMark
from storage.models import ProgrammeStep

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
