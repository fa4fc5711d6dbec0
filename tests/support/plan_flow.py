"""A team hands its plan (HDR_ORE) to ORE on Telegram: what a resolution must come after."""

from __future__ import annotations

from tests.support.dialog import Speaker, dialog, press, receives
from tests.support.flow_data import SEND


async def hand_in_plan(member: Speaker, others: tuple[Speaker, ...], adviser: Speaker) -> None:
    """The member hands the plan in with a line of evidence; the team and the adviser are told."""
    [choose] = await dialog((member, "/zadanie", None))
    label = next(text for text, _ in choose.buttons if text.startswith("HDR_ORE"))
    await dialog(
        (member, press(label), "Wyślij teraz dowód"),
        (member, "Plan przekazany do ORE e-mailem.", "Sprawdź zgłoszenie"),
        (member, press(SEND), "zgłoszone jako wykonane"),
        *[(other, receives, "zadanie HDR_ORE") for other in others],
        (adviser, receives, "Do oceny"),
    )
