"""What every form's steps share: the inputs, the state kept between them, what they show."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

CANCEL = "-"  # the choice of every form's last button
UPDATE_KEY = "update"  # in a form's data: the update that started or last moved it

EffectT = TypeVar("EffectT")


@dataclass(frozen=True)
class Message:
    """A free message as forms read it: a text, or a file (a document or photo) with its
    caption, and where it is (a file is copied from there)."""

    update_id: int
    text: str | None = None
    caption: str | None = None
    file: Literal["document", "photo"] | None = None
    file_name: str | None = None
    chat_id: int | None = None
    message_id: int | None = None
    file_id: str | None = None  # Telegram's, to fetch the file for an e-mail
    file_size: int | None = None
    mime_type: str | None = None


@dataclass(frozen=True)
class Press:
    """A press of a button of the person's current form: the choice it carries."""

    update_id: int
    choice: str


Input = Message | Press


@dataclass(frozen=True)
class FormState:
    """Where a person's form is: its step, and its data as stored (JSON)."""

    step: str
    data: Mapping[str, Any]


@dataclass(frozen=True)
class Button:
    """A button by meaning: the choice it carries and its label, a macro of the form's labels
    (with values) or a number shown as it is."""

    choice: str
    label: str | int
    values: Mapping[str, Any] = field(default_factory=dict)


Row = tuple[Button, ...]


@dataclass(frozen=True)
class Show:
    """A reply: a template (tg/<template>.html.j2) with its values, and the rows of the form's
    buttons above its Cancel button (None: no buttons, not even Cancel)."""

    template: str
    values: Mapping[str, Any] = field(default_factory=dict)
    buttons: tuple[Row, ...] | None = None


@dataclass(frozen=True)
class Outcome(Generic[EffectT]):
    """What a step did: the form after it (None: the form is over), what to show, a change the
    handler makes outside the form (it then shows the result), and whether the pressed message
    loses its buttons."""

    state: FormState | None
    show: Show | None = None
    effect: EffectT | None = None
    remove_buttons: bool = False


def handled(state: FormState, event: Input) -> bool:
    """Telegram re-sent an update handled before a crash (its reply is queued already)."""
    return event.update_id <= int(state.data.get(UPDATE_KEY, -1))
