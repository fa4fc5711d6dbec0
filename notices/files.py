"""A question's or a submission's files sent again: the button on the message that carries
them, and /pliki. The button is signed for its reader; on every press storage checks again
that the reader may see those files (the asker or an adviser of the JST for a question, a
member or an adviser of the JST for a submission)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from core.access import button
from core.services import Services
from notices.buttons import button_data
from storage.models import Person
from storage.questions.threads import question_files
from storage.tasks.files import submission_files
from storage.tasks.views import file_messages

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
    return None if pieces is None else file_messages(pieces)
