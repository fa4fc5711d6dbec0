"""A Telegram file as an e-mail carries it (a question's, an answer's or a submission's)."""

from __future__ import annotations

from typing import Any


class CarriesFile:
    """For a message part that may be a file (a question's Part, a submission's Evidence):
    what an e-mail needs to carry it."""

    kind: str
    message_id: int | None
    file_name: str | None
    file_id: str | None
    file_size: int | None
    mime_type: str | None

    def file_ref(self) -> dict[str, Any]:
        return file_ref(
            self.kind,
            self.message_id,
            file_name=self.file_name,
            file_id=self.file_id,
            size=self.file_size,
            mime=self.mime_type,
        )


def file_ref(
    kind: str,
    message_id: int | None,
    *,
    file_name: str | None,
    file_id: str | None,
    size: int | None,
    mime: str | None,
) -> dict[str, Any]:
    """Where to fetch the file (Telegram's file_id; None for files kept before it was), and
    its name, size and type (outbox/telegram_files.py attaches it when it fits)."""
    photo = kind == "photo"
    unnamed = f"photo-{message_id}.jpg" if photo else f"file-{message_id}"
    return {
        "file_id": file_id,
        "name": file_name or unnamed,
        "size": size,
        "mime": mime or ("image/jpeg" if photo else None),
    }
