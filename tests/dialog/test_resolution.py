"""Issue 21, item 5: /uchwala reads the resolution as it is written, refuses a date before the
plan was handed in, takes the document or its BIP link, and the adviser confirms it."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from babel.dates import format_date
from sqlalchemy import select

from storage.models import TaskProgress
from tests.support.dialog import dialog, press, receives, upload
from tests.support.flow_data import ACCEPT, ANNA, BARTOSZ, CELINA, JAN, SEND, TASK_PEOPLE
from tests.support.plan_flow import hand_in_plan
from tests.support.team_world import World

BIP = "https://bip.um.warszawa.pl/uchwaly/XIV-112"
SEND_EN = "✅ Send to the adviser"


def _written(day: dt.date) -> str:
    """The day as a Polish document writes it: "3 grudnia 2026"."""
    return format_date(day, "d MMMM y", locale="pl")


async def test_a_resolution_with_its_document_is_confirmed_by_the_adviser(world: World) -> None:
    anna, bartosz, celina, jan = await world.join_all(TASK_PEOPLE, ANNA, BARTOSZ, CELINA, JAN)
    today = world.today()
    year = today.year
    await dialog((anna, "/uchwala", ("najpierw zgłoś zadanie HDR_ORE", "/zadanie")))
    await hand_in_plan(anna, (bartosz, celina), jan)

    yesterday = _written(today - dt.timedelta(days=1))
    await dialog(
        (anna, "/uchwala", ("Podaj numer uchwały", "XIV/112/2026 z dnia 3 grudnia 2026 r.")),
        (anna, f"XIV/112/{year}", ("Nie widzę daty", "XIV/112/2026 z dnia 3 grudnia 2026 r.")),
        (anna, f"XIV/112/{year} z dnia 31 lutego {year} r.", "Nie ma takiego dnia"),
        (anna, f"Nr XIV/112/{year} z dnia {yesterday} r.", "wcześniejsza niż dzień"),
        (
            anna,
            f"Uchwała nr XIV/112/{year} Rady m.st. Warszawy z dnia {_written(today)} r.",
            (f"Uchwała nr XIV/112/{year} z dnia {_written(today)}", "link do niej w BIP"),
        ),
        (anna, "Uchwała jest w sekretariacie.", "Wyślij uchwałę: plik"),
        (
            anna,
            upload("document", b"%PDF-1.4 uchwala", file_name="uchwala.pdf"),
            ("Sprawdź uchwałę", "uchwala.pdf"),
        ),
        (anna, press(SEND), f"Zapisano uchwałę nr XIV/112/{year}"),
        (bartosz, receives, ("zapisała uchwałę", f"XIV/112/{year}", "uchwala.pdf")),
        (celina, receives, "zapisała uchwałę"),
    )
    [copy, request, _] = await dialog(
        (jan, receives, None),
        (jan, receives, ("Do oceny", f"nr XIV/112/{year} z dnia {_written(today)}")),
        (jan, press(ACCEPT), "Przyjęto zadanie UCHWALA"),
    )
    assert copy.message.document is not None and copy.message.document.file_name == "uchwala.pdf"
    assert "uchwala.pdf" in request.text
    confirmed = f"Uchwała nr XIV/112/{year} z dnia {_written(today)} potwierdzona przez doradcę"
    await dialog(
        *[(member, receives, "przyjął zadanie UCHWALA") for member in (anna, bartosz, celina)],
        (anna, "/status", confirmed),
        (jan, "/jst 1465011", confirmed),
        (anna, "/uchwala", "jest już przyjęte"),
    )


async def test_a_resolution_by_its_bip_link_in_english(world: World) -> None:
    anna, bartosz, celina, jan = await world.join_all(TASK_PEOPLE, ANNA, BARTOSZ, CELINA, JAN)
    await hand_in_plan(anna, (bartosz, celina), jan)
    today = world.today().isoformat()
    await dialog(
        (bartosz, "/jezyk en", "English"),
        (bartosz, "/resolution XIV/112", ("I see no date", "XIV/112/2026 of 3 December 2026")),
        (bartosz, f"/resolution XIV/112/2026 {today} {BIP}", ("Check the resolution", BIP)),
        (bartosz, press(SEND_EN), "Resolution no. XIV/112/2026"),
        (jan, receives, ("Do oceny", "XIV/112/2026", BIP)),
    )
    async with world.services.sessionmaker() as session:
        row = await session.scalar(select(TaskProgress).where(TaskProgress.step_code == "UCHWALA"))
    assert row is not None and (row.resolution_number, row.resolution_link) == (
        "XIV/112/2026",
        BIP,
    )
    assert row.resolution_date is not None and row.resolution_date.isoformat() == today
    await world.cli("export", "tasks", "--out", "tasks.csv")
    assert BIP in await asyncio.to_thread(Path("tasks.csv").read_text, encoding="utf-8")
