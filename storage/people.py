"""People as the bot sees them: who is calling, the notice, language (GDPR access:
storage/personal_data.py; erasure: storage/erasure.py, storage/anonymise.py)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from storage import audit
from storage.db import AUTOCOMMIT
from storage.models import (
    AdviserAssignment,
    Cohort,
    Form,
    Jst,
    Language,
    Person,
    Role,
)

# The caller's read, made at every update (by Telegram account) and every web request (by
# person, `CallerReads`): built once (not per call, as most queries are).
_CALLER = (
    select(
        Person.id,
        Person.full_name,
        Person.role,
        Person.language,
        Person.jst_id,
        Person.notice_confirmed_at,
        Jst.data_version.label("jst_version"),
        Cohort.data_version.label("cohort_version"),
        Form.kind.label("form_kind"),
    )
    .outerjoin(Jst, Jst.id == Person.jst_id)
    .outerjoin(Cohort, Cohort.id == Jst.cohort_id)
    .outerjoin(Form, Form.person_id == Person.id)
    .where(Person.erased_at.is_(None))
)
CALLER = _CALLER.where(Person.telegram_user_id == bindparam("telegram_user_id"))
CALLER_BY_PERSON = _CALLER.where(Person.id == bindparam("person_id"))
ERASED_NAME = "former member"
OVERSEERS = frozenset({Role.ADVISER, Role.COORDINATOR})  # see JSTs not their own: their files too
ERASED_ERROR = "erased"


@dataclass(frozen=True)
class Caller:
    """Who sent an update: plain values the handlers and templates use."""

    person_id: int
    full_name: str
    role: Role
    language: str
    jst_ids: tuple[int, ...]
    active: bool
    # A member's JST's and its cohort's data versions, read with the person: what a view of
    # the team built before may be reused under (storage.team.TeamViews).
    versions: tuple[int, int] | None = None
    # The kind of the form they are filling in (handlers.forms), None when there is none.
    form: str | None = None


class CallerReads:
    """Who is calling, read at every update (by Telegram account) and every web request (by
    person) on one connection kept for it, in autocommit: each read is its one statement, with
    no pool checkout, BEGIN or ROLLBACK around it (a third of a session's CPU: bench/README.md).
    Nothing is kept between reads: each sees the last commit of any process, so an erasure, a
    new role or a new JST counts from the person's next update, in every instance. A connection
    lost (the database restarted) is opened again and the read made once more; any other error
    closes it, and the next read opens another."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._connection: AsyncConnection | None = None
        self._lock = asyncio.Lock()  # one statement at a time on the connection (asyncpg's rule)

    async def by_telegram(self, telegram_user_id: int, today: dt.date) -> Caller | None:
        """The person bound to this Telegram account, with the JSTs they may see."""
        return await self._read(CALLER, {"telegram_user_id": telegram_user_id}, today)

    async def by_person(self, person_id: int, today: dt.date) -> Caller | None:
        """The person of a web session, by the same rules as a Telegram account's."""
        return await self._read(CALLER_BY_PERSON, {"person_id": person_id}, today)

    async def close(self) -> None:
        async with self._lock:
            await self._drop()

    async def _read(self, statement: Any, values: dict[str, int], today: dt.date) -> Caller | None:
        async with self._lock:
            try:
                return await self._attempt(statement, values, today)
            except DBAPIError as error:
                if not error.connection_invalidated:
                    raise
            return await self._attempt(statement, values, today)  # on a new connection

    async def _attempt(
        self, statement: Any, values: dict[str, int], today: dt.date
    ) -> Caller | None:
        try:
            return await self._caller(statement, values, today)
        except BaseException:  # an error, or cancelled mid-read: the connection's state unknown
            await self._drop()
            raise

    async def _caller(
        self, statement: Any, values: dict[str, int], today: dt.date
    ) -> Caller | None:
        if self._connection is None:
            connection = await self._engine.connect()
            self._connection = await connection.execution_options(isolation_level=AUTOCOMMIT)
        person = (await self._connection.execute(statement, values)).first()
        if person is None:
            return None
        if person.role is Role.MEMBER:
            jst_ids = member_jsts(person)  # no query, no session
        else:
            async with AsyncSession(bind=self._connection) as session:
                jst_ids = await visible_jsts(session, person, today)
        return Caller(
            person_id=person.id,
            full_name=person.full_name,
            role=person.role,
            language=person.language.value,
            jst_ids=jst_ids,
            active=person.notice_confirmed_at is not None,  # Person.active: not erased, as read
            versions=(
                None if person.jst_id is None else (person.jst_version, person.cohort_version)
            ),
            form=person.form_kind,
        )

    async def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(SQLAlchemyError, OSError):  # a lost one may not close
                await connection.close()


class Seer(Protocol):
    """Whoever sees JSTs: a person, or the columns of one the gate reads."""

    @property
    def id(self) -> int: ...
    @property
    def role(self) -> Role: ...
    @property
    def jst_id(self) -> int | None: ...


def member_jsts(person: Seer) -> tuple[int, ...]:
    """A member sees their own JST."""
    return (person.jst_id,) if person.jst_id is not None else ()


async def visible_jsts(session: AsyncSession, person: Seer, today: dt.date) -> tuple[int, ...]:
    """A member sees their JST; an adviser the JSTs they advise or substitute for today; a
    coordinator every JST (coordinators are not tied to a cohort: the import takes them without
    a JST, and every alert and digest goes to all of them)."""
    if person.role is Role.MEMBER:
        return member_jsts(person)
    if person.role is Role.ADVISER:
        assignments = await session.scalars(
            select(AdviserAssignment).where(
                (AdviserAssignment.adviser_id == person.id)
                | (AdviserAssignment.substitute_id == person.id)
            )
        )
        return tuple(
            sorted(
                a.jst_id
                for a in assignments
                if a.adviser_id == person.id or a.adviser_on_duty(today) == person.id
            )
        )
    if person.role is Role.COORDINATOR:
        return tuple(await session.scalars(select(Jst.id).order_by(Jst.id)))
    return ()


async def confirm_notice(session: AsyncSession, person_id: int, now: dt.datetime) -> bool:
    """Record that the person read the information notice; False if it was already recorded."""
    return await _stamp_once(session, person_id, "notice_confirmed_at", "notice_confirmed", now)


async def _stamp_once(
    session: AsyncSession, person_id: int, column: str, action: str, now: dt.datetime
) -> bool:
    """Set a person's timestamp column unless set; audit it; False if it was already set."""
    result = await session.execute(
        update(Person)
        .where(Person.id == person_id, getattr(Person, column).is_(None))
        .values({column: now, "updated_at": now})
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return False
    audit.record(
        session,
        now,
        actor=f"person:{person_id}",
        action=action,
        entity="person",
        entity_id=person_id,
    )
    return True


async def set_language(
    session: AsyncSession, person_id: int, language: Language, now: dt.datetime
) -> None:
    """The language the person chose for everything the bot sends them."""
    await session.execute(
        update(Person).where(Person.id == person_id).values(language=language, updated_at=now)
    )


async def set_weekly_digest(
    session: AsyncSession, person_id: int, wanted: bool, now: dt.datetime, *, actor: str
) -> bool:
    """An adviser's choice about the weekly e-mail (audited); False if it already was so."""
    opted_out = Person.digest_opted_out_at
    result = await session.execute(
        update(Person)
        .where(Person.id == person_id, opted_out.is_not(None) if wanted else opted_out.is_(None))
        .values(digest_opted_out_at=None if wanted else now, updated_at=now)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return False
    action = "weekly_digest_on" if wanted else "weekly_digest_off"
    audit.record(session, now, actor=actor, action=action, entity="person", entity_id=person_id)
    return True


async def set_reachable(
    session: AsyncSession, telegram_user_id: int, reachable: bool, now: dt.datetime
) -> None:
    """Record that the person blocked (or unblocked) the bot; a repeated update changes nothing.

    Telegram may deliver an update twice, so a second "blocked" keeps the time of the first.
    """
    unreachable_at = Person.telegram_unreachable_at
    await session.execute(
        update(Person)
        .where(
            Person.telegram_user_id == telegram_user_id,
            unreachable_at.is_not(None) if reachable else unreachable_at.is_(None),
        )
        .values(telegram_unreachable_at=None if reachable else now, updated_at=now)
    )


async def person_by_email(session: AsyncSession, email: str) -> Person | None:
    """The person (not erased) with this e-mail (stored normalised: found by its index)."""
    found: Person | None = await session.scalar(
        select(Person).where(Person.email == email.strip().lower(), Person.erased_at.is_(None))
    )
    return found


def erased_address(email: str) -> str:
    """What an erased person's e-mail becomes: not the address, but recognisable on re-import."""
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return f"erased-{digest}@invalid"


def reachable_on_telegram(person: Person) -> bool:
    """Whether the bot can write to the person on Telegram: joined, not blocked, not erased
    (otherwise what has an e-mail version goes by e-mail)."""
    return (
        person.telegram_chat_id is not None
        and person.telegram_unreachable_at is None
        and person.erased_at is None
    )


async def joined_members(
    session: AsyncSession, jst_ids: Iterable[int], *, except_id: int | None = None
) -> list[Person]:
    """The members of these JSTs who joined and confirmed the notice and can be told things
    (not erased), by name."""
    people = await session.scalars(
        select(Person)
        .where(
            Person.role == Role.MEMBER,
            Person.jst_id.in_(list(jst_ids)),
            Person.notice_confirmed_at.is_not(None),
            Person.erased_at.is_(None),
        )
        .order_by(Person.full_name, Person.id)
    )
    return [person for person in people if person.id != except_id]
