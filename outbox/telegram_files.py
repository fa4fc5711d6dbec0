"""Telegram files an e-mail carries (a question's photo and documents, for an adviser who is
not on Telegram): which fit into the e-mail, and fetching them from the Bot API when it is sent.

The row holds only each file's reference (`Part.file_ref()`): the files are fetched by the
sender, outside any transaction. Files that do not fit (over the size limit, or sent before
their references were kept) are listed in the e-mail as waiting in the bot instead.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from telegram import Bot
from telegram.error import BadRequest, TelegramError

from digest.enclosures import Enclosure

log = logging.getLogger(__name__)

# What one e-mail carries in all; mail servers commonly refuse messages over 10-25 MB, and
# base64 makes a file a third larger on the wire.
ATTACHMENTS_LIMIT = 10 * 1024 * 1024
DEFAULT_MIME = "application/octet-stream"


class FileSource(Protocol):
    async def fetch(self, file_id: str) -> bytes: ...


class BotFiles:
    """Files fetched through the bot (getFile, then the file's URL on the Bot API server)."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def fetch(self, file_id: str) -> bytes:
        file = await self._bot.get_file(file_id)
        return bytes(await file.download_as_bytearray())


class FilesUnavailable(Exception):
    """The files cannot be fetched now (Telegram unreachable, or no bot in this process): the
    e-mail waits and is tried again."""


@dataclass(frozen=True)
class FileRef:
    file_id: str
    name: str
    mime: str


def attachment_plan(
    refs: Sequence[Mapping[str, Any]],
) -> tuple[list[dict[str, Any]], tuple[FileRef, ...]]:
    """Each file as the e-mail lists it (name, size, attached or not), and those to fetch:
    in order, while they fit under ATTACHMENTS_LIMIT together."""
    listed, fetched, room = [], [], ATTACHMENTS_LIMIT
    for ref in refs:
        size = ref.get("size")
        fits = bool(ref.get("file_id")) and isinstance(size, int) and size <= room
        if fits:
            room -= int(size or 0)
            fetched.append(FileRef(str(ref["file_id"]), str(ref["name"]), _mime(ref)))
        listed.append({"name": ref["name"], "size": size, "attached": fits})
    return listed, tuple(fetched)


async def fetch_enclosures(source: FileSource | None, refs: Sequence[FileRef]) -> list[Enclosure]:
    """The files as attachments; FilesUnavailable when they cannot be fetched now. A file
    Telegram no longer knows is left out (said in the log): waiting would not bring it back."""
    if not refs:
        return []
    if source is None:
        raise FilesUnavailable("no Telegram bot to fetch the files with")
    enclosures = []
    for ref in refs:
        try:
            data = await source.fetch(ref.file_id)
        except BadRequest as error:
            log.warning("a file for an e-mail is gone from Telegram (%s): left out", error.message)
            continue
        except TelegramError as error:
            raise FilesUnavailable(str(error)) from error
        enclosures.append(Enclosure(data, ref.mime, ref.name))
    return enclosures


def _mime(ref: Mapping[str, Any]) -> str:
    mime = ref.get("mime")
    return mime if isinstance(mime, str) and mime.count("/") == 1 else DEFAULT_MIME
