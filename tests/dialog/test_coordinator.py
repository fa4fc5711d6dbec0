"""A coordinator's view on Telegram (issue 19, item 6): `/jst` lists every JST, those needing
attention first with the reasons in words, `/jst TERYT` shows one, read only; an adviser's
`/jst` is the same for their own JSTs and refuses another's as if it did not exist.

The teams of teams.csv are four months into the programme: nothing is overdue yet (their
attendance of round Z1, over last month, is recorded). Beside them
a cohort of over two years ago: its JST has tasks past their deadlines, no resolution
adopting its plan months after it was due (so its monitoring has not started) and nobody
on Telegram. In Powiat bocheński nobody joins; Dorota (Gmina Przykładowa) asks a
question that is left unanswered for two weeks; in Warszawa Anna joins and nothing is late.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from dateutil.relativedelta import relativedelta

from localapi import ChatMessage
from tests.support.dialog import Speaker, dialog, press, receives
from tests.support.team_world import COHORT, World, cohort_start

ANNA, DOROTA, JAN, KATARZYNA = range(9301, 9305)
EARLIER = "Edycja 2025"
HEADER = "jst_teryt;jst_name;jst_kind;voivodeship;role;full_name;email;gender;language"
STARY_SACZ = "1210133;Gmina Stary Sącz;gmina miejsko-wiejska;małopolskie"
EARLIER_TEAM = (
    f"{HEADER}\n"
    f"{STARY_SACZ};członek;Piotr Nowicki;piotr.nowicki@example.pl;M;pl\n"
    f"{STARY_SACZ};doradca;Tadeusz Adamski;tadeusz.adamski@example.pl;M;pl\n"
)
Z1_PRESENT = ("anna.nowak@example.pl", "dorota.lewandowska@example.pl", "ewa.zielinska@example.pl")
IN_ORDER = ("Gmina Stary Sącz", "Gmina Przykładowa", "Powiat bocheński", "Miasto Stołeczne")


async def _world_with_trouble(world: World, tmp_path: Path) -> dict[int, Speaker]:
    """The earlier cohort, four people joined, Dorota's question two weeks unanswered."""
    teams = tmp_path / "earlier.csv"
    teams.write_text(EARLIER_TEAM, encoding="utf-8")
    await world.add_team(teams, EARLIER, cohort_start(world.today()) - relativedelta(months=22))
    codes = await world.invite_codes()
    people = {}
    for user_id, email, name in (
        (ANNA, "anna.nowak@example.pl", "Anna"),
        (DOROTA, "dorota.lewandowska@example.pl", "Dorota"),
        (JAN, "jan.kowalski@example.pl", "Jan"),
        (KATARZYNA, "koordynacja@example.pl", "Katarzyna"),
    ):
        people[user_id], welcome = await world.join(codes[email], user_id, name)
        if user_id == KATARZYNA:
            assert "/jst" in welcome.text, welcome.text
    await dialog(
        (people[DOROTA], "Czy debata może odbyć się online?", None),
        (people[DOROTA], press("Wyślij"), "zapisane"),
        (people[JAN], receives, "Czy debata może odbyć się online?"),
    )
    await world.cli("attendance", "mark", COHORT, "Z1", *Z1_PRESENT)
    world.clock.set(world.clock.now() + dt.timedelta(days=14))
    return people


def _in_order(message: ChatMessage, names: tuple[str, ...]) -> None:
    places = [message.text.index(name) for name in names]
    assert places == sorted(places), message.text


async def test_a_coordinator_sees_every_jst_those_needing_attention_first(
    world: World, tmp_path: Path
) -> None:
    people = await _world_with_trouble(world, tmp_path)
    katarzyna = people[KATARZYNA]
    [listing, one, unknown, not_teryt, help_text] = await dialog(
        (
            katarzyna,
            "/jst",
            (
                "JST w programie",
                "⚠️ 3 JST wymagają uwagi",
                "zadań po terminie",
                "monitorowanie nie rozpoczęte: brak uchwały (termin ",
                "nikogo z zespołu nie ma na Telegramie",
                "1 pytanie bez odpowiedzi ponad 2 dni robocze",
                "✅ 1 JST bez zaległości",
            ),
        ),
        (
            katarzyna,
            "/jst 0201022",
            (
                "Gmina Przykładowa",
                "Jan Kowalski",
                "Wymaga uwagi: 1 pytanie bez odpowiedzi ponad 2 dni robocze",
                "ZW1",
                "do zrobienia",
                "monitorowanie zacznie się w miesiącu po przyjęciu uchwały o HDR (termin uchwały",
                "1 otwarte pytanie do doradcy",
                "Na Telegramie: Dorota Lewandowska",
            ),
        ),
        (katarzyna, "/jst 9999999", "Nie znajduję JST o kodzie TERYT 9999999"),
        (katarzyna, "/jst Warszawa", "Po /jst wpisz kod TERYT"),
        (katarzyna, "/pomoc", "/jst – JST i ich stan"),
    )
    _in_order(listing, (*IN_ORDER[:3], "✅", IN_ORDER[3]))
    lines = listing.text.splitlines()
    earlier = next(n for n, line in enumerate(lines) if "Gmina Stary Sącz" in line)
    reasons = lines[earlier + 1]  # the JST's reasons, on the line under its name
    assert "po terminie" in reasons and "brak uchwały" in reasons and "nikogo" in reasons, reasons
    assert " po terminie) · " in reasons and "dni robocz" in reasons, reasons
    assert "Jeszcze nie na Telegramie" not in one.text  # Dorota is her JST's only member
    assert "9999999" in unknown.text and "Warszawa" not in not_teryt.text
    assert "innej roli" not in help_text.text

    [_, english, bochnia] = await dialog(
        (katarzyna, "/jezyk en", "English"),
        (
            katarzyna,
            "/jst",
            (
                "JSTs in the programme",
                "⚠️ 3 JSTs need attention",
                "tasks overdue",
                "no team member on Telegram",
                "1 question unanswered for over 2 working days",
                "✅ 1 JST with nothing overdue",
            ),
        ),
        (
            katarzyna,
            "/jst 1201",
            (
                "Powiat bocheński",
                "Needs attention: no team member on Telegram",
                "On Telegram: nobody of the team",
                "Not yet on Telegram: Edward Kamiński, Ewa Zielińska",
                "monitoring starts the month after the council resolution adopting the plan",
            ),
        ),
    )
    _in_order(english, IN_ORDER)
    assert "Maria Szymańska" in bochnia.text


async def test_an_adviser_sees_only_their_jsts_and_not_anothers_by_teryt(
    world: World, tmp_path: Path
) -> None:
    people = await _world_with_trouble(world, tmp_path)
    jan = people[JAN]
    [listing, own, others, unknown] = await dialog(
        (jan, "/jst", ("Twoje JST", "⚠️ 1 JST wymaga uwagi", "✅ 1 JST bez zaległości")),
        (jan, "/jst 1465011", ("Miasto Stołeczne Warszawa", "✅ Bez zaległości.", "Anna Nowak")),
        (jan, "/jst 1201", "Nie znajduję JST o kodzie TERYT 1201"),
        (jan, "/jst 9999", "Nie znajduję JST o kodzie TERYT 9999"),
    )
    _in_order(listing, ("Gmina Przykładowa", "Miasto Stołeczne Warszawa"))
    assert "Powiat bocheński" not in listing.text and "Gmina Stary Sącz" not in listing.text
    assert "Bartosz Wiśniewski" in own.text  # not yet on Telegram
    assert others.text.replace("1201", "9999") == unknown.text, "a JST elsewhere looks unknown"
