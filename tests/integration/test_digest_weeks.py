"""Never two digests in one week, on SQLite and PostgreSQL: the bot started on any day (a fresh
database), its tick walked hour by hour over two weeks with the real rule, outbox and e-mail
sender against an SMTP server, and `advisorybot digest send` beside it; e-mails are counted per
person and ISO week of arrival."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

import pytest

from core.clock import FixedClock
from core.services import Services
from outbox.email_sender import EmailDelivery
from reminders.digest_rule import DigestRule
from reminders.tick import run_tick
from tests.support.cli_runs import invoke
from tests.support.digest_data import seed_digest
from tests.support.outbox_rows import outbox_rows
from tests.support.smtp import SmtpServer, smtp

__all__ = ["smtp"]  # the fixture

WARSAW = ZoneInfo("Europe/Warsaw")
HOUR = dt.timedelta(hours=1)
MONDAY_8 = (0, 8, 0)  # the default, when working time begins
MONDAY_9 = (0, 9, 0)  # after it: a catch-up held to Monday 08:00 would come before it


def local(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment in December 2026 in Warsaw (Monday 30 November is W49, 7 December W50)."""
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=WARSAW)


def week_of(moment: dt.datetime) -> str:
    year, week, _ = moment.astimezone(WARSAW).isocalendar()
    return f"{year}-W{week:02d}"


async def walk(
    services: Services,
    smtp: SmtpServer,
    clock: FixedClock,
    *,
    rule: DigestRule,
    moments: list[dt.datetime],
) -> tuple[Counter[tuple[str, str]], dict[str, set[str]]]:
    """Deliver, tick and deliver again at each moment: e-mails per (address, week of arrival)
    and the subjects each week's e-mails had."""
    mailing = smtp.services(services)
    sender = EmailDelivery(mailing, bot_username="advisory_test_bot")
    counts: Counter[tuple[str, str]] = Counter()
    subjects: dict[str, set[str]] = {}
    for moment in moments:
        now = moment.astimezone(dt.UTC)
        clock.set(now)
        seen = len(smtp.received)
        await sender.deliver_due()  # the bot's sender may pass before the minute's tick
        await run_tick(services, [rule], now)
        await sender.deliver_due()
        for item in smtp.received[seen:]:
            for address in item.recipients:
                counts[address, week_of(now)] += 1
            subjects.setdefault(week_of(now), set()).add(str(item.message["Subject"]))
    return counts, subjects


W50, W51 = "2026-W50", "2026-W51"
CASES = [  # Monday 7 December 2026 begins W50
    ("sun-1000", MONDAY_8, local(6, 10), (W50, W51)),  # the review's case: a fresh Sunday start
    ("sun-2100", MONDAY_8, local(6, 21), (W50, W51)),  # Sunday evening
    ("mon-0759", MONDAY_8, local(7, 7, 59), (W50, W51)),  # Monday before the digest's time
    ("mon-0801", MONDAY_8, local(7, 8, 1), (W50, W51)),  # just after it: caught up at once
    ("tue-1000", MONDAY_8, local(8, 10), (W50, W51)),  # this week's, caught up
    ("wed-1000", MONDAY_8, local(9, 10), (W50, W51)),
    ("thu-1000", MONDAY_8, local(10, 10), (W50, W51)),
    ("fri-1900", MONDAY_8, local(11, 19), (W50, W51)),  # Friday evening, still working time
    ("fri-2100", MONDAY_8, local(11, 21), (W51,)),  # after working time: the week is over
    ("sat-1000", MONDAY_8, local(12, 10), (W51,)),
    # A digest later than working time begins: W49's, held to Monday 08:00, came before W50's.
    ("sun-1000-at-0900", MONDAY_9, local(6, 10), (W50, W51)),
    ("sat-1000-at-0900", MONDAY_9, local(12, 10), (W51,)),
    # Down from Sunday 10:00 until Monday 08:00: W49's row, queued on Sunday and held for
    # working time, is there before the first tick (the review's two e-mails with one subject).
    ("sun-1000-down-at-0900", MONDAY_9, local(6, 10), (W50, W51), local(7, 8)),
]


@pytest.mark.parametrize(
    ("schedule", "start", "weeks", "restart"),
    [pytest.param(*case[1:], *[None] * (5 - len(case)), id=str(case[0])) for case in CASES],
)
async def test_at_most_one_digest_a_week_whenever_the_bot_starts(
    services: Services,
    smtp: SmtpServer,
    clock: FixedClock,
    *,
    schedule: tuple[int, int, int],
    start: dt.datetime,
    weeks: tuple[str, ...],
    restart: dt.datetime | None,
) -> None:
    """A digest missed while the bot was down is caught up within its own week only."""
    await seed_digest(services)
    hourly = restart or start
    hours = int((local(21, 0) - hourly) / HOUR) + 1  # through W51's Monday
    moments = [start] * (restart is not None) + [hourly + n * HOUR for n in range(hours)]
    counts, subjects = await walk(
        services, smtp, clock, rule=DigestRule(schedule), moments=moments
    )
    people = {address for address, _ in counts}
    assert len(people) == 3  # the coordinator and the two advisers with JSTs
    assert counts == Counter({(p, w): 1 for p in people for w in weeks})
    assert tuple(subjects) == weeks
    every = [subject for found in subjects.values() for subject in found]
    assert len(every) == len(set(every))  # each week's subjects its own


async def test_digest_send_and_the_rule_never_send_two_in_a_week(
    services: Services, smtp: SmtpServer, clock: FixedClock
) -> None:
    """`digest send` on Sunday sends that week's (W49) at once; the rule sends W50's on Monday;
    `digest send` again on Monday, twice, and a restarted tick add nothing."""
    await seed_digest(services)
    env = smtp.env()

    async def send(moment: dt.datetime) -> str:
        result = await invoke(services, "digest", "send", "--now", moment.isoformat(), **env)
        assert result.exit_code == 0, result.output
        return " ".join(result.output.split())

    assert "2026-W49" in await send(local(6, 10)) and len(smtp.received) == 3
    monday = [local(7, 7) + n * HOUR for n in range(4)]
    counts, _ = await walk(services, smtp, clock, rule=DigestRule(MONDAY_8), moments=monday)
    assert set(counts.values()) == {1} and len(counts) == 3
    for _ in range(2):
        assert "0 newly queued" in await send(local(7, 11))
    again, _ = await walk(services, smtp, clock, rule=DigestRule(MONDAY_8), moments=monday)
    assert not again
    rows = await outbox_rows(services)
    weeks = Counter(key.split(":")[1] for key in rows if key.startswith("digest:"))
    assert weeks == {"2026-W49": 3, "2026-W50": 3}
    sunday = rows[next(k for k in rows if k.startswith("digest:2026-W49:"))]
    assert sunday.stale_at == local(7, 0)  # sent in its own week or not at all
