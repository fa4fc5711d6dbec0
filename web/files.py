"""A file of a JST's hand-in or of a question's thread, streamed to those who may see it: the
same scope checks as /pliki on Telegram (storage.tasks.files, storage.questions.threads).

The bot keeps only Telegram's file ids: the file is fetched through the Bot API by the source
the bot process gives the web view (`FILES`; none in a process without a bot), and is always
sent as a download, never shown inline (it is whatever a member uploaded).
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

from aiohttp import web

from outbox.telegram_files import (
    DEFAULT_MIME,
    FileRef,
    FileSource,
    FilesUnavailable,
    fetch_enclosures,
)
from storage.attachments import CarriesFile
from storage.questions.threads import question_files
from storage.tasks.files import submission_files
from web.visit import Refused, Visit, page, whole_number

FILES: web.AppKey[FileSource | None] = web.AppKey("telegram_files")
TASK, QUESTION = "task", "question"


@page("file")
async def download(visit: Visit) -> web.StreamResponse:
    match = visit.request.match_info
    kind, record, index = match["kind"], whole_number(match["record"]), whole_number(match["n"])
    if kind not in (TASK, QUESTION) or record is None or index is None:
        raise Refused(404, "not_found")
    caller, today = visit.signed_in(), visit.today
    async with visit.services.reader() as session:
        found: Sequence[CarriesFile] | None
        if kind == TASK:
            found = await submission_files(
                session, record, person_id=caller.person_id, today=today
            )
        else:
            found = await question_files(session, record, person_id=caller.person_id, today=today)
    if found is None or index >= len(found):
        raise Refused(404, "not_found")
    ref = found[index].file_ref()
    if not ref["file_id"]:
        raise Refused(404, "file_unavailable")
    wanted = FileRef(str(ref["file_id"]), str(ref["name"]), str(ref["mime"] or DEFAULT_MIME))
    try:
        fetched = await fetch_enclosures(visit.request.app[FILES], [wanted])
    except FilesUnavailable:
        raise Refused(503, "file_unavailable") from None
    if not fetched:  # Telegram no longer has it
        raise Refused(404, "file_unavailable")
    (file,) = fetched
    disposition = f"attachment; filename*=UTF-8''{quote(file.filename, safe='')}"
    return web.Response(
        body=file.data,
        content_type=file.mime,
        headers={"Content-Disposition": disposition},
    )


def add_routes(app: web.Application, files: FileSource | None) -> None:
    app[FILES] = files
    app.router.add_get("/files/{kind}/{record}/{n}", download)
