"""Which Telegram files an e-mail carries, and what happens when Telegram cannot give them."""

from __future__ import annotations

import pytest
from telegram.error import BadRequest, NetworkError

from outbox.telegram_files import (
    ATTACHMENTS_LIMIT,
    FileRef,
    FilesUnavailable,
    attachment_plan,
    fetch_enclosures,
)

MB = 1024 * 1024


def _ref(name: str, size: int | None, file_id: str | None = "id") -> dict[str, object]:
    return {"file_id": file_id, "name": name, "size": size, "mime": "application/pdf"}


def test_files_are_attached_in_order_while_they_fit() -> None:
    listed, fetched = attachment_plan(
        [
            _ref("a.pdf", 4 * MB),
            _ref("big.pdf", 7 * MB),  # 4 + 7 is over the limit: listed, not attached
            _ref("b.pdf", 5 * MB),
            _ref("old.pdf", 10, file_id=None),  # kept before file ids were: cannot be fetched
            _ref("unknown.pdf", None),
        ]
    )
    assert [item["attached"] for item in listed] == [True, False, True, False, False]
    assert [ref.name for ref in fetched] == ["a.pdf", "b.pdf"]
    assert sum((4, 5)) * MB <= ATTACHMENTS_LIMIT


class Telegram:
    """Telegram's side of getFile: a file's bytes, or the error it answers with."""

    def __init__(self, **answers: bytes | Exception) -> None:
        self.answers = answers

    async def fetch(self, file_id: str) -> bytes:
        answer = self.answers[file_id]
        if isinstance(answer, Exception):
            raise answer
        return answer


async def test_a_file_telegram_no_longer_has_is_left_out_and_the_rest_attached() -> None:
    refs = [FileRef("gone", "gone.pdf", "application/pdf"), FileRef("ok", "ok.pdf", "x/y")]
    found = await fetch_enclosures(Telegram(gone=BadRequest("file not found"), ok=b"%PDF"), refs)
    assert [(item.filename, item.data, item.mime) for item in found] == [
        ("ok.pdf", b"%PDF", "x/y")
    ]


@pytest.mark.parametrize("source", [None, Telegram(ok=NetworkError("unreachable"))])
async def test_without_telegram_the_email_waits(source: Telegram | None) -> None:
    with pytest.raises(FilesUnavailable):
        await fetch_enclosures(source, [FileRef("ok", "ok.pdf", "application/pdf")])
    assert await fetch_enclosures(None, []) == [], "an e-mail without files never waits"
