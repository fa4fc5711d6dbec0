"""/panel on Telegram: an adviser or a coordinator gets a one-time link to the web view (the
same links as the sign-in page e-mails: used once, opening a session of that person); a
member may not ask; without the web view switched on the bot says so."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from sqlalchemy import select

from outbox.queue import FORGOTTEN
from storage.models import OutboxMessage, OutboxState
from storage.web_sessions import use_link
from tests.support.dialog import dialog
from tests.support.team_world import World

JAN, ANNA = 9401, 9402
LINK = re.compile(r"https://panel\.example\.pl/sign-in/([A-Za-z0-9_-]{40,})")


@pytest.fixture
def world_settings() -> dict[str, Any]:
    return {"web_url": "https://panel.example.pl"}


async def test_an_adviser_gets_a_link_that_signs_in_once(world: World) -> None:
    codes = await world.invite_codes()
    jan, _ = await world.join(codes["jan.kowalski@example.pl"], JAN, "Jan")
    anna, _ = await world.join(codes["anna.nowak@example.pl"], ANNA, "Anna")
    [link, refused] = await dialog(
        (jan, "/panel", "działa raz i przez 15 minut"),
        (anna, "/panel", "innej roli"),
    )
    found = LINK.search(link.text)
    assert found is not None, link.text
    services = world.services
    async with services.sessionmaker.begin() as session:
        person = await use_link(session, found[1], services.clock.now())
        again = await use_link(session, found[1], services.clock.now())
    assert person is not None and again is None
    assert "https://" not in refused.text

    # The outbox row keeps the message without the way in (as the e-mailed link's does).
    async with services.sessionmaker() as session:
        row = await session.scalar(
            select(OutboxMessage).where(OutboxMessage.kind == "reply:web_link")
        )
    assert row is not None and row.state is OutboxState.SENT
    assert found[1] not in json.dumps(row.payload) and "forget" not in row.payload
    assert f"/sign-in/{FORGOTTEN}" in row.payload["params"]["text"]


async def test_without_the_web_view_the_bot_says_so(world: World) -> None:
    world.services.settings.web_url = None
    codes = await world.invite_codes()
    jan, _ = await world.join(codes["jan.kowalski@example.pl"], JAN, "Jan")
    await dialog((jan, "/web", "nie jest włączony"))
