"""A question's or a submission's files sent again: the button on the message that carries
them, and /pliki. The button is signed for its reader; on every press storage checks again
that the reader may see those files (the asker or an adviser of the JST for a question, a
member or an adviser of the JST for a submission)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from core.access import button
from core.services import Services
from notices.buttons import button_data
from notices.notify import copy_to
from storage.models import Person
from storage.questions.threads import question_files
from storage.tasks.files import submission_files

FILES = button("files")
QUESTION, SUBMISSION = "q", "t"
LABELS = "tg/labels.txt.j2"


async def files_button(
    session: AsyncSession,
    services: Services,
    person: Person,
    *,
    kind: str,
    record: int,
    count: int,
) -> tuple[str, str]:
    """The button that sends the `count` files of a question (`q`) or a task's row (`t`) again."""
    label = services.templates.macro(person.language.value, LABELS, "files", count=count)
    data = await button_data(session, services, FILES, f"{kind}:{record}", person_id=person.id)
    return label, data


async def files_named(
    session: AsyncSession, services: Services, person: Person, body: str
) -> list[tuple[int, int]] | None:
    """The file messages (chat, message) a button's body names (`q:<question>`, `t:<task
    row>`), in order; None when the person may not see them (or there is no such record)."""
    kind, record = body.split(":")
    today = services.clock.now().astimezone(services.settings.zone).date()
    if kind == QUESTION:
        parts = await question_files(session, int(record), person_id=person.id, today=today)
        return None if parts is None else [(part.chat_id, part.message_id) for part in parts]
    pieces = await submission_files(session, int(record), person_id=person.id, today=today)
    if pieces is None:
        return None
    return [
        (piece.chat_id, piece.message_id)
        for piece in pieces
        if piece.chat_id is not None and piece.message_id is not None
    ]


async def send_copies(
    session: AsyncSession,
    services: Services,
    person: Person,
    files: Sequence[tuple[int, int]],
    *,
    key: str,
) -> None:
    """Copies of file messages (chat, message) for the person, in order."""
    now = services.clock.now()
    for index, (chat_id, message_id) in enumerate(files):
        await copy_to(
            session,
            services.templates,
            person,
            key=f"{key}:{index}",
            from_chat_id=chat_id,
            message_id=message_id,
            now=now,
        )
