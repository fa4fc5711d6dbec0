"""`advisorybot retention preview` through the real CLI: what goes from which day, in counts,
without a name, an address or a text; and `outbox retry` of a row whose payload went."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from core.services import Services
from reminders.retention import run_retention
from storage.models import Person
from tests.support.cli_runs import invoke, output_folder
from tests.support.retention_data import SECRET_WORDS, RetentionWorld, seed_retention

PREVIEW = """\
Data retention: texts 24 months after the cohort's end (never longer than its people), \
outbox message content 30 days after sending, unfinished forms 30 days, failed code attempts \
and the panel's expired links and sessions 30 days, people 60 months after the cohort's end.
What goes, and from when (counts only; what is due already goes at the next pass):

From June 10, 2026:
  pilot: 3 outbox messages (question_answer): content
  no cohort: 1 outbox message (question_answer): content
  no cohort: 1 unfinished form
  no cohort: 1 failed invitation code attempt

From July 31, 2026:
  no cohort: 1 unfinished form
  no cohort: 1 failed invitation code attempt

From July 1, 2029:
  pilot: 3 questions: texts and files
  pilot: 2 answers and follow-ups: texts and files
  pilot: 2 links of a message to its question
  pilot: 1 task: evidence and the advisers' remarks
  pilot: 3 entries of task history: evidence and remarks
  pilot: 1 preparation material: the experts' remarks
  pilot: 3 entries of material history: texts, files and remarks
  pilot: 1 report: the answers in words
  pilot: 1 audit entry with report answers

From April 17, 2031:
  Nabór 2027: 1 question: texts and files
  Nabór 2027: 1 entry of material history: texts, files and remarks

From July 1, 2032:
  pilot: 5 members of teams: anonymised
  pilot: 2 advisers: anonymised

From April 17, 2034:
  Nabór 2027: 1 member of a team: anonymised
  Nabór 2027: 1 adviser: anonymised
"""


@pytest.fixture
async def world(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> RetentionWorld:
    output_folder(tmp_path, monkeypatch)  # no .env file of the developer's is read
    return await seed_retention(services)


async def test_the_preview_lists_what_goes_by_day_and_cohort(
    services: Services, world: RetentionWorld
) -> None:
    result = await invoke(services, "retention", "preview", "--now", "2026-06-10T12:00")
    assert result.exit_code == 0, result.output
    assert result.output == PREVIEW
    async with services.sessionmaker() as session:
        people = [await session.get_one(Person, person_id) for person_id in world.ids.values()]
    for secret in (SECRET_WORDS, *(p.full_name for p in people), *(p.email for p in people)):
        assert secret not in result.output


async def test_what_went_is_no_longer_listed(services: Services, world: RetentionWorld) -> None:
    await run_retention(services, dt.datetime(2029, 7, 1, 12, 0, tzinfo=dt.UTC), limit=None)
    result = await invoke(
        services, "retention", "preview", "--now", "2029-07-01T14:00", OPERATOR_LANGUAGE="pl"
    )
    assert result.exit_code == 0, result.output
    assert result.output.split("\n", 1)[1] == (
        "Co i od kiedy zostanie usunięte (same liczby; to, na co pora już minęła, usunie"
        " najbliższy przebieg):\n"
        "\n"
        "Od 17 kwietnia 2031:\n"
        "  Nabór 2027: 1 pytanie: treść i pliki\n"
        "  Nabór 2027: 1 wpis historii materiałów: treści, pliki i uwagi\n"
        "\n"
        "Od 1 lipca 2032:\n"
        "  pilot: 5 członków zespołów: anonimizacja\n"
        "  pilot: 2 doradcy: anonimizacja\n"
        "\n"
        "Od 17 kwietnia 2034:\n"
        "  Nabór 2027: 1 członek zespołu: anonimizacja\n"
        "  Nabór 2027: 1 doradca: anonimizacja\n"
    )


async def test_a_failed_message_whose_content_went_is_not_sent_again(
    services: Services, world: RetentionWorld
) -> None:
    failed = str(world.outbox["failed"])
    await run_retention(services, dt.datetime(2026, 7, 1, tzinfo=dt.UTC), limit=None)
    result = await invoke(services, "outbox", "retry", failed)
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"The content of message #{failed} was removed by the data retention schedule; there is"
        " nothing to send again. Nothing was changed."
    )
