"""Who can be played in the sandbox, and joining them as a real person would.

Each person gets a fake Telegram account of their own; joining opens the invitation link from
their mailbox (`/start CODE`) and presses the information notice's button, through the local
Telegram, so the bot's own onboarding runs.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.services import Services
from handlers.onboarding import NOTICE_CALLBACK
from localapi import ChatMessage, ControlClient, NothingReceived
from sandbox.demo import send_invitations
from sandbox.mailbox import Mailbox
from storage.models import AdviserAssignment, Jst, Person, Role

FAKE_USER_IDS = 7_000_000  # + the person's id: a Telegram account per person
REPLY_SECONDS = 15.0
ROLE_ORDER = (Role.MEMBER, Role.ADVISER, Role.COORDINATOR, Role.EXPERT)


@dataclass(frozen=True)
class Playable:
    """A person as the terminal shows them."""

    person_id: int
    email: str
    full_name: str
    role: Role
    language: str
    jsts: tuple[str, ...]
    telegram_user_id: int | None
    active: bool

    @property
    def user_id(self) -> int:
        """Their Telegram account: the one they joined with, else their own fake one."""
        return self.telegram_user_id or FAKE_USER_IDS + self.person_id


class JoinFailed(Exception):
    """The bot did not show the person its information notice (e.g. the code was refused)."""


async def playable_people(session: AsyncSession, email: str | None = None) -> list[Playable]:
    """Everyone not erased (or only the one with this e-mail): members by JST, then advisers,
    then coordinators."""
    query = select(Person).where(Person.erased_at.is_(None))
    if email is not None:
        query = query.where(Person.email == email.strip().lower())
    people = list(await session.scalars(query))
    names = await _jst_names(session, [person.id for person in people])
    found = [
        Playable(
            person_id=person.id,
            email=person.email,
            full_name=person.full_name,
            role=person.role,
            language=person.language.value,
            jsts=tuple(sorted(names.get(person.id, ()))),
            telegram_user_id=person.telegram_user_id,
            active=person.active,
        )
        for person in people
    ]
    return sorted(found, key=lambda p: (ROLE_ORDER.index(p.role), p.jsts, p.full_name))


async def _jst_names(session: AsyncSession, ids: list[int]) -> dict[int, set[str]]:
    """The JSTs of members (their own) and advisers (advised or substituted)."""
    names: dict[int, set[str]] = {}
    members = await session.execute(
        select(Person.id, Jst.name).join(Jst, Person.jst_id == Jst.id).where(Person.id.in_(ids))
    )
    for person_id, name in members:
        names.setdefault(person_id, set()).add(name)
    advised = await session.execute(
        select(AdviserAssignment.adviser_id, AdviserAssignment.substitute_id, Jst.name)
        .join(Jst, AdviserAssignment.jst_id == Jst.id)
        .where(
            or_(AdviserAssignment.adviser_id.in_(ids), AdviserAssignment.substitute_id.in_(ids))
        )
    )
    for adviser_id, substitute_id, name in advised:
        for advising in (adviser_id, substitute_id):
            if advising in ids:
                names.setdefault(advising, set()).add(name)
    return names


async def person_by_chat(session: AsyncSession, chat_id: int) -> str | None:
    """The name of whoever a private chat belongs to."""
    return await session.scalar(select(Person.full_name).where(Person.telegram_chat_id == chat_id))


async def telegram_account(
    control: ControlClient, user_id: int, full_name: str, language: str, *, started: bool
) -> None:
    first, _, last = full_name.partition(" ")
    await control.user(
        user_id, first, last_name=last or None, language_code=language, started=started
    )


async def restore_users(services: Services, control: ControlClient) -> None:
    """People who joined in an earlier session get their Telegram account back (the local
    Telegram keeps nothing between runs), so messages to them arrive."""
    async with services.sessionmaker() as session:
        for person in await playable_people(session):
            if person.telegram_user_id is not None:
                await telegram_account(
                    control, person.user_id, person.full_name, person.language, started=True
                )


async def join(
    services: Services, control: ControlClient, mailbox: Mailbox, person: Playable
) -> None:
    """Open the person's invitation (a fresh one is e-mailed if theirs expired), then confirm
    the notice; raises JoinFailed when the bot refuses."""
    if person.active:
        return
    if person.telegram_user_id is None:
        await send_invitations(services)
        code = mailbox.invitation_code(person.email)
        if code is None:
            raise JoinFailed(person.email)
        await telegram_account(
            control, person.user_id, person.full_name, person.language, started=False
        )
        await control.say(person.user_id, f"/start {code}")
    else:  # joined in an earlier session but never confirmed the notice: it is shown again
        await control.say(person.user_id, "/start")
    notice = await _next_message(control, person.user_id)
    if NOTICE_CALLBACK not in [data for _, data in notice.buttons]:
        raise JoinFailed(person.email)
    await control.press(person.user_id, notice.message_id, NOTICE_CALLBACK)
    await _next_message(control, person.user_id)  # the welcome


async def _next_message(control: ControlClient, user_id: int) -> ChatMessage:
    try:
        return await control.next_message(user_id, within=REPLY_SECONDS)
    except NothingReceived:
        raise JoinFailed(str(user_id)) from None
