"""Issue 23: the bot keeps each team's view in its process and reuses it while the data it
shows stand (storage.team.TeamViews); a change made by another process (an operator's
command here) shows in the very next answer, and an erased person is refused at their next
update: the database moves the data versions (migration 0014), and the caller is read at
every update."""

from __future__ import annotations

from localapi import ControlClient
from tests.e2e.conftest import join
from tests.support.bot_process import BotWorld
from tests.support.flow_data import ANNA, TASK_PEOPLE
from tests.support.smtp import SmtpServer, smtp

__all__ = ["smtp"]  # the fixture

TERYT = "1465011"  # Anna's JST, tests/data/import/teams.csv


async def test_another_process_s_change_shows_in_the_next_answer(
    world: BotWorld, control: ControlClient, smtp: SmtpServer
) -> None:
    world.env.update(smtp.env())  # the erasure's confirmation goes by e-mail too
    codes = await world.invite_codes()
    world.start()
    await control.until_polling()
    email, name = TASK_PEOPLE[ANNA]
    anna, _ = await join(control, codes[email], ANNA, name)
    await anna.say("/status")
    before = (await anna.next_message(within=10)).text
    await anna.say("/status")
    assert (await anna.next_message(within=10)).text == before  # the kept view, as it was

    await world.cli("extend", TERYT, "ZW1", "2027-03-15")
    assert "przedłużono do 15 marca 2027" in (await anna.next_message(within=10)).text
    await anna.say("/status")
    after = (await anna.next_message(within=10)).text
    assert "ZW1" in after and "15 marca 2027" in after and "1 marca 2027" not in after

    await world.cli("erase", email, "--yes")
    await anna.next_message(within=10)  # the confirmation of the erasure
    await anna.say("/status")
    assert "osoby zaproszone" in (await anna.next_message(within=10)).text  # a stranger now
