"""Files in memory: uploads from the bot and from users, with Telegram-shaped ids and paths."""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass, field

from PIL import Image, UnidentifiedImageError
from telegram import Document, File, PhotoSize, Sticker, Voice

from localapi.errors import bad_request

MAX_DOWNLOAD = 20 * 1024 * 1024
THUMBNAIL_SIDE = 90
FOLDERS = {"document": "documents", "photo": "photos", "sticker": "stickers", "voice": "voice"}


@dataclass(frozen=True)
class StoredFile:
    """One stored file; `kind` is the Telegram type it was uploaded as."""

    file_id: str
    file_unique_id: str
    kind: str
    content: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0

    def as_file(self) -> File:
        return File(self.file_id, self.file_unique_id, len(self.content), self.file_path)

    def as_document(self) -> Document:
        return Document(
            self.file_id, self.file_unique_id, self.file_name, self.mime_type, len(self.content)
        )

    def as_photo_size(self) -> PhotoSize:
        return PhotoSize(
            self.file_id, self.file_unique_id, self.width, self.height, len(self.content)
        )

    def as_sticker(self, emoji: str | None) -> Sticker:
        return Sticker(
            self.file_id,
            self.file_unique_id,
            self.width,
            self.height,
            is_animated=False,
            is_video=False,
            type="regular",
            emoji=emoji,
            file_size=len(self.content),
        )

    def as_voice(self, duration: int) -> Voice:
        return Voice(
            self.file_id, self.file_unique_id, duration, self.mime_type, len(self.content)
        )


@dataclass
class FileStore:
    """All files by file_id and by download path; photos keep their set of sizes."""

    _by_id: dict[str, StoredFile] = field(default_factory=dict)
    _by_path: dict[str, StoredFile] = field(default_factory=dict)
    _photo_sets: dict[str, tuple[StoredFile, ...]] = field(default_factory=dict)

    def add(
        self,
        kind: str,
        content: bytes,
        file_name: str | None = None,
        mime_type: str | None = None,
        size: tuple[int, int] = (0, 0),
    ) -> StoredFile:
        if not content:
            raise bad_request("file must be non-empty")
        number = len(self._by_id) + 1
        suffix = f".{file_name.rsplit('.', 1)[-1]}" if file_name and "." in file_name else ""
        stored = StoredFile(
            file_id=f"{kind[:2].upper()}{secrets.token_urlsafe(24)}",
            file_unique_id=f"U{secrets.token_urlsafe(9)}",
            kind=kind,
            content=content,
            file_path=f"{FOLDERS[kind]}/file_{number}{suffix}",
            file_name=file_name,
            mime_type=mime_type,
            width=size[0],
            height=size[1],
        )
        self._by_id[stored.file_id] = stored
        self._by_path[stored.file_path] = stored
        return stored

    def add_photo(self, content: bytes) -> tuple[StoredFile, ...]:
        """Stores a photo as Telegram does: a small thumbnail and the full size, as JPEG."""
        try:
            image = Image.open(io.BytesIO(content))
            image.load()
        except (UnidentifiedImageError, OSError) as error:
            raise bad_request("IMAGE_PROCESS_FAILED") from error
        sizes = []
        if max(image.size) > THUMBNAIL_SIDE:
            thumbnail = image.convert("RGB")
            thumbnail.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
            sizes.append(self.add("photo", _jpeg(thumbnail), size=thumbnail.size))
        sizes.append(self.add("photo", _jpeg(image.convert("RGB")), size=image.size))
        photo_set = tuple(sizes)
        for stored in photo_set:
            self._photo_sets[stored.file_id] = photo_set
        return photo_set

    def get(self, file_id: str, kind: str | None = None) -> StoredFile:
        """A file the bot names by file_id; refuses unknown ids, URLs and the wrong type."""
        stored = self._by_id.get(file_id)
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if kind is not None and stored.kind != kind:
            raise bad_request("type of file mismatch")
        return stored

    def photo_set(self, file_id: str) -> tuple[StoredFile, ...]:
        self.get(file_id, "photo")
        return self._photo_sets[file_id]

    def for_download(self, file_id: str) -> File:
        stored = self._by_id.get(file_id)
        if stored is None:
            raise bad_request("invalid file_id")
        if len(stored.content) > MAX_DOWNLOAD:
            raise bad_request("file is too big")
        return stored.as_file()

    def by_path(self, path: str) -> StoredFile | None:
        return self._by_path.get(path)

    def clear(self) -> None:
        self._by_id.clear()
        self._by_path.clear()
        self._photo_sets.clear()


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=87)
    return buffer.getvalue()
