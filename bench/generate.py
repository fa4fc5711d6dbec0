"""National-scale data for the benchmarks: one cohort, its JSTs, teams, advisers, coordinators.

Rows go in with bulk `insert()` executemany through the models (the importer checks every row
of an operator's file first: bench/importing.py measures it). People look real: Polish
names with diacritics, ~70% women (the programme's target), feminine surname forms, ASCII e-mails
derived from the names, most of them joined on Telegram. The programme's state at `now` (tasks,
reports, questions) comes from bench/state.py.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bench.names import ascii_fold, random_name, slug
from bench.places import Place, places
from bench.rows import insert_rows
from bench.state import add_state
from storage.cohorts import add_cohort
from storage.models import AdviserAssignment, Gender, Jst, Language, Person, Role
from storage.programme import default_template_path

COHORT = "Cyfrowy rozwój oświaty w JST — nabór krajowy"
WOMEN_SHARE = 0.7
ENGLISH_SHARE = 0.03
JOINED_SHARE = 0.92
UNREACHABLE_SHARE = 0.01
UNREACHABLE_FOR = dt.timedelta(days=3)  # they blocked the bot three days ago
SUBSTITUTE_SHARE = 0.03
TELEGRAM_IDS_FROM = 5_000_000_000  # Telegram user ids are 64-bit; these are plainly made up
STAFF_DOMAIN = "ore.example.pl"


@dataclass(frozen=True)
class Scale:
    """How big a generated programme is."""

    name: str
    jsts: int
    members: int
    advisers: int
    coordinators: int = 5


NATIONAL = Scale("national", 2800, 11_000, 700)
FOLLOW_UP = Scale("follow-up", 300, 1_180, 75)
PILOT = Scale("pilot", 50, 150, 13)


@dataclass(frozen=True)
class TelegramUser:
    """A generated person who joined on Telegram: what the local Bot API needs to play them."""

    person_id: int
    user_id: int
    first_name: str
    language: str
    jst_id: int | None


@dataclass
class Generated:
    """What a benchmark needs to know about the generated data."""

    scale: Scale
    cohort_start: dt.date
    members: list[TelegramUser] = field(default_factory=list)
    advisers: list[TelegramUser] = field(default_factory=list)
    adviser_of: dict[int, int] = field(default_factory=dict)  # JST id -> adviser person id
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows inserted


async def generate(
    session: AsyncSession, scale: Scale, *, start: dt.date, now: dt.datetime, seed: int = 9
) -> Generated:
    """The cohort started on `start`, and everything that happened in it until `now`."""
    rng = random.Random(seed)
    created = dt.datetime.combine(start, dt.time(8), dt.UTC) - dt.timedelta(days=14)
    cohort = await add_cohort(
        session, COHORT, start, default_template_path(), now=created, actor="bench"
    )
    found = places(scale.jsts, rng)
    jst_ids = await _add_jsts(session, found, cohort.id, created)
    people = _People(rng, created, now)
    people.add_everyone(scale, jst_ids, found)
    person_ids = await insert_rows(session, Person, people.rows)
    generated = Generated(scale, start, rows={"jsts": len(jst_ids), "people": len(person_ids)})
    added = list(zip(person_ids, people.rows, strict=True))
    advisers = [pid for pid, row in added if row["role"] is Role.ADVISER]
    generated.adviser_of = await _assign(session, jst_ids, advisers, rng, now)
    _add_telegram_users(generated, added)
    members = [(pid, row["jst_id"]) for pid, row in added if row["role"] is Role.MEMBER]
    generated.rows |= await add_state(
        session, cohort.id, members, generated.adviser_of, rng=rng, now=now
    )
    return generated


async def _add_jsts(
    session: AsyncSession, found: list[Place], cohort_id: int, created: dt.datetime
) -> list[int]:
    rows = [
        {
            "teryt": p.teryt,
            "name": p.name,
            "kind": p.kind,
            "voivodeship": p.voivodeship,
            "cohort_id": cohort_id,
            "created_at": created,
        }
        for p in found
    ]
    return await insert_rows(session, Jst, rows)


def _add_telegram_users(generated: Generated, added: list[tuple[int, dict[str, Any]]]) -> None:
    """The members and advisers who joined on Telegram (the local Bot API plays them)."""
    for person_id, row in added:
        if row["telegram_user_id"] is None or row["role"] is Role.COORDINATOR:
            continue
        user = TelegramUser(
            person_id,
            row["telegram_user_id"],
            row["full_name"].split()[0],
            row["language"].value,
            row["jst_id"],
        )
        (generated.members if row["role"] is Role.MEMBER else generated.advisers).append(user)


class _People:
    """People rows with unique e-mails; ids come from the database."""

    def __init__(self, rng: random.Random, created: dt.datetime, now: dt.datetime) -> None:
        self.rng, self.created, self.now = rng, created, now
        self.rows: list[dict[str, Any]] = []
        self.emails: set[str] = set()

    def add_everyone(self, scale: Scale, jst_ids: list[int], found: list[Place]) -> None:
        """The members spread over the JSTs in turn, then the advisers and the coordinators."""
        for index in range(scale.members):
            jst = index % len(jst_ids)
            self.add(Role.MEMBER, jst_ids[jst], slug(found[jst].name) + ".example.pl")
        for _ in range(scale.advisers):
            self.add(Role.ADVISER, None, STAFF_DOMAIN, joined=True)
        for _ in range(scale.coordinators):
            self.add(Role.COORDINATOR, None, STAFF_DOMAIN, joined=False)

    def add(self, role: Role, jst_id: int | None, domain: str, joined: bool | None = None) -> None:
        rng = self.rng
        first, surname, woman = random_name(rng, WOMEN_SHARE)
        joined = rng.random() < JOINED_SHARE if joined is None else joined
        since = self.created + dt.timedelta(days=rng.uniform(14, 60))
        user_id = TELEGRAM_IDS_FROM + len(self.rows) if joined else None
        unreachable = joined and role is Role.MEMBER and rng.random() < UNREACHABLE_SHARE
        self.rows.append(
            {
                "email": self._email(first, surname, domain),
                "full_name": f"{first} {surname}",
                "gender": Gender.FEMALE if woman else Gender.MALE,
                "language": Language.EN if rng.random() < ENGLISH_SHARE else Language.PL,
                "role": role,
                "jst_id": jst_id,
                "telegram_user_id": user_id,
                "telegram_chat_id": user_id,
                "joined_at": since if joined else None,
                "notice_confirmed_at": since if joined else None,
                "telegram_unreachable_at": self.now - UNREACHABLE_FOR if unreachable else None,
                "created_at": self.created,
                "updated_at": since if joined else self.created,
            }
        )

    def _email(self, first: str, surname: str, domain: str) -> str:
        local = ascii_fold(f"{first}.{surname}").lower()
        email, number = f"{local}@{domain}", 1
        while email in self.emails:
            number += 1
            email = f"{local}{number}@{domain}"
        self.emails.add(email)
        return email


async def _assign(
    session: AsyncSession,
    jst_ids: list[int],
    advisers: list[int],
    rng: random.Random,
    now: dt.datetime,
) -> dict[int, int]:
    """Every JST gets an adviser (each adviser about the same number); a few have a substitute
    standing in this week. Returns JST id -> the adviser on duty `now`."""
    order = advisers * (-(-len(jst_ids) // len(advisers)))
    rng.shuffle(order)
    today = now.date()
    rows = []
    for jst_id, adviser in zip(jst_ids, order, strict=False):
        row: dict[str, Any] = {
            "jst_id": jst_id,
            "adviser_id": adviser,
            "substitute_id": None,
            "substitute_from": None,
            "substitute_until": None,
        }
        if rng.random() < SUBSTITUTE_SHARE:
            row |= {
                "substitute_id": rng.choice([a for a in advisers if a != adviser]),
                "substitute_from": today - dt.timedelta(days=3),
                "substitute_until": today + dt.timedelta(days=4),
            }
        rows.append(row)
    await insert_rows(session, AdviserAssignment, rows)
    return {row["jst_id"]: row["substitute_id"] or row["adviser_id"] for row in rows}
