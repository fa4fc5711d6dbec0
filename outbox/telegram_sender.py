"""The Telegram sender: claim due outbox rows, send each outside any transaction, record it.

The payload format is described in outbox/queue.py. Objects in `params` (reply_markup,
reply_parameters, ...) go to Telegram as the JSON given; plain values go through PTB's typed
method, so the Application's rate limiter applies to every send.

A row is marked "sending" just before its request goes out (outbox/claims.py). Outside
working time only messages caused by people go, without a sound (unless
SILENT_OUTSIDE_WORKING_TIME is off); a message sent again after an unknown outcome says that
it may be a repeat.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot
from telegram.constants import MessageLimit
from telegram.error import RetryAfter, TelegramError

from core import metrics
from core.calendar import shared_calendar
from core.logging_setup import outbox_ids
from core.services import Services
from core.settings import Settings
from outbox import claims, queue
from outbox.policy import (
    GiveUp,
    RetryAt,
    Uncertain,
    Unreachable,
    Verdict,
    classify,
    retry_after_delay,
)
from outbox.send_slots import slots_of, turn_taken
from storage.models import Channel, OutboxMessage, Person
from storage.people import reachable_on_telegram

log = logging.getLogger(__name__)

DEFAULT_LEASE = dt.timedelta(minutes=10)  # well above a batch of sends with PTB's timeouts
DEFAULT_BATCH = 20
# Texts are split this far below Telegram's limit, so a repeat's note still fits.
REPEAT_ROOM = 200
FLOOD_PAUSE = "flood_pause"
TELEGRAM_UNREACHABLE = "telegram_unreachable"
BOT_METHODS = {
    "sendMessage": "send_message",
    "copyMessage": "copy_message",
    "sendDocument": "send_document",
    "sendPhoto": "send_photo",
}


@dataclass(frozen=True)
class SentMessage:
    """Where a delivered message landed: enough to link later replies to it."""

    chat_id: int
    message_id: int


class OnSent(Protocol):
    """Records that belong to a delivered row, written in the transaction of `mark_sent`."""

    async def __call__(
        self, session: AsyncSession, row: OutboxMessage, sent: SentMessage
    ) -> None: ...


@dataclass
class DeliveryStats:
    """What one `deliver_due` pass did, for the worker loop and the logs."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0
    paused_until: dt.datetime | None = None


@dataclass(frozen=True)
class Target:
    """The chat a row goes to; `personal` when it is the person's own chat with the bot."""

    chat_id: int
    personal: bool
    language: str = "pl"


def telegram_target(payload: dict[str, Any], person: Person | None) -> Target | None:
    """Decided at send time; None leaves the row to the e-mail fallback (`leave_for_email`).

    An explicit chat is personal when it is the person's own chat (a reply to them).
    """
    chat_id = payload.get("chat_id")
    if person is not None and person.erased_at is not None:
        return None  # erased while the message waited: nothing more goes to that chat
    language = "pl" if person is None else person.language.value
    if chat_id is not None:
        personal = person is not None and person.telegram_chat_id == chat_id
        return Target(chat_id, personal=personal, language=language)
    if person is None or not reachable_on_telegram(person):
        return None
    assert person.telegram_chat_id is not None
    return Target(person.telegram_chat_id, personal=True, language=language)


async def call_bot(
    bot: Bot, method: str, chat_id: int, params: dict[str, Any], *, silent: bool = False
) -> SentMessage:
    """One payload's Bot API call through PTB's typed method (so the rate limiter applies);
    `silent`: without a sound (outside working time)."""
    send = getattr(bot, BOT_METHODS[method])
    if silent:
        params = params | {"disable_notification": True}
    plain = {k: v for k, v in params.items() if not isinstance(v, dict | list)}
    objects = {k: v for k, v in params.items() if isinstance(v, dict | list)}
    result = await send(chat_id=chat_id, **plain, api_kwargs=objects or None)
    return SentMessage(chat_id=chat_id, message_id=int(result.message_id))


def silent_at(settings: Settings, *, working: bool) -> bool:
    """Outside working time only messages caused by people go, and without a sound (unless
    SILENT_OUTSIDE_WORKING_TIME is off)."""
    return settings.silent_outside_working_time and not working


def silent_now(services: Services) -> bool:
    """`silent_at` this moment (a reply sent at once, handlers.replies)."""
    settings = services.settings
    calendar = shared_calendar(settings.zone, settings.quiet_hours)
    return silent_at(settings, working=calendar.is_working_time(services.clock.now()))


class TelegramDelivery:
    """Sends the Telegram outbox; several instances may run at once on one database."""

    def __init__(
        self,
        bot: Bot,
        services: Services,
        *,
        on_sent: OnSent | None = None,
        lease: dt.timedelta = DEFAULT_LEASE,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._bot = bot
        self._slots = slots_of(bot)  # several instances: the bot's send rate is shared
        self._sessionmaker = services.sessionmaker
        self._clock = services.clock
        self._templates = services.templates
        self._calendar = shared_calendar(services.settings.zone, services.settings.quiet_hours)
        self._settings = services.settings
        self._on_sent = on_sent
        self._lease = lease
        self._jitter = jitter

    async def deliver_due(self, *, limit: int = DEFAULT_BATCH) -> DeliveryStats:
        """One pass: claim in one short transaction, then per row: send, record the outcome.
        A row is marked sending just before its request goes out, in the transaction that
        claims the batch (the first row) or records the row before it (the next ones): the
        same order of commits and requests as a transaction each, with fewer. With the send
        rate shared by several instances, a row waits for its slot before it is marked, in a
        transaction of its own (outbox/send_slots.py). When Telegram
        asks to wait or cannot be reached, the rest of the batch waits too (unsent: it loses
        no attempt)."""
        stats = DeliveryStats()
        working = self._calendar.is_working_time(self._clock.now())
        silent = silent_at(self._settings, working=working)  # only people's messages go then
        claimed = await self._claim(limit, stats, working=working)
        sending = bool(claimed)  # whether the row in turn is marked sending
        for index, (row, target) in enumerate(claimed):
            if self._slots is not None:  # its shared slot first, then "sending"
                await self._slots.wait_turn()
                sending = await self._mark_sending(claimed[index:])
            if not sending:
                log.warning(
                    "outbox row %s (%s) was taken over before sending",
                    row.id,
                    row.kind,
                    extra=outbox_ids(row),
                )
                if self._slots is None:
                    sending = await self._mark_sending(claimed[index + 1 :])
                continue
            with turn_taken():
                outcome = await self._send(row, target, silent=silent)
            verdict = self._verdict(row, outcome)
            pause = isinstance(outcome, RetryAfter) or isinstance(verdict, RetryAt | Uncertain)
            after = [] if pause or self._slots is not None else claimed[index + 1 : index + 2]
            sending = await self._record(row, target, outcome, verdict, stats, then=after)
            if isinstance(outcome, RetryAfter):
                stats.paused_until = self._clock.now() + retry_after_delay(outcome)
                await self._release(claimed[index + 1 :], stats.paused_until, FLOOD_PAUSE)
                break
            if isinstance(verdict, RetryAt | Uncertain):  # the connection, not this message
                await self._release(claimed[index + 1 :], verdict.at, TELEGRAM_UNREACHABLE)
                break
        return stats

    async def _mark_sending(self, rows: list[tuple[OutboxMessage, Target]]) -> bool:
        """The first of `rows` marked sending in a transaction of its own (after a row taken
        over); False if there is none or it was taken over too."""
        if not rows:
            return False
        async with self._sessionmaker.begin() as session:
            return await claims.mark_sending(session, [rows[0][0]])

    async def _release(
        self, rows: list[tuple[OutboxMessage, Target]], at: dt.datetime, reason: str
    ) -> None:
        """The rest of the batch waits until `at`, without losing an attempt."""
        if not rows:
            return
        async with self._sessionmaker.begin() as session:
            for row, _target in rows:
                await queue.mark_retry(
                    session,
                    row.id,
                    lease_until=queue.lease_of(row),
                    at=at,
                    error=reason,
                    count_attempt=False,
                )
        log.warning("%s: %d outbox rows wait until %s", reason, len(rows), at)

    async def _claim(
        self, limit: int, stats: DeliveryStats, *, working: bool
    ) -> list[tuple[OutboxMessage, Target]]:
        now = self._clock.now()
        async with self._sessionmaker.begin() as session:
            rows = await claims.claim_due(
                session,
                now=now,
                limit=limit,
                lease=self._lease,
                channel=Channel.TELEGRAM,
                working=working,
            )
            people = await queue.people_of(session, rows)
            claimed = []
            for row in rows:
                target = telegram_target(row.payload, people.get(row.person_id))
                if target is not None:
                    claimed.append((row, target))
                elif await queue.leave_for_email(
                    session,
                    row.id,
                    lease_until=queue.lease_of(row),
                    reason=queue.NO_TELEGRAM_CHAT,
                ):
                    stats.skipped += 1
                    log.info(
                        "outbox row %s (%s) has no Telegram chat",
                        row.id,
                        row.kind,
                        extra=outbox_ids(row),
                    )
            if claimed and self._slots is None:  # it goes out next: marked sending here
                await claims.mark_sending(session, [claimed[0][0]])
        stats.claimed = len(rows)
        return claimed

    async def _send(
        self, row: OutboxMessage, target: Target, *, silent: bool
    ) -> SentMessage | Exception:
        """Call the Bot API; errors are returned, to be classified and recorded."""
        try:
            params: dict[str, Any] = dict(row.payload.get("params") or {})
            if row.repeat:
                self._mark_repeat(params, target.language)
            return await call_bot(
                self._bot, row.payload["method"], target.chat_id, params, silent=silent
            )
        except (TelegramError, KeyError, TypeError, ValueError) as error:
            return error

    def _mark_repeat(self, params: dict[str, Any], language: str) -> None:
        """A text or caption starts with the repeat note while it fits Telegram's limit (texts
        are split with room for it, notices.message.split_text); a copied file goes as it is."""
        limits = (("text", MessageLimit.MAX_TEXT_LENGTH), ("caption", MessageLimit.CAPTION_LENGTH))
        for field, limit in limits:
            if field in params:
                note = self._templates.macro(language, "tg/labels.txt.j2", "repeat_note")
                marked = f"{note}\n{params[field]}"
                if len(marked) <= limit:
                    params[field] = marked

    def _verdict(self, row: OutboxMessage, outcome: SentMessage | Exception) -> Verdict | None:
        """What to do after a failure (None when sent); its error without the bot token."""
        if isinstance(outcome, SentMessage):
            return None
        verdict = classify(
            outcome, attempts=row.attempts, now=self._clock.now(), jitter=self._jitter()
        )
        return dataclasses.replace(
            verdict, error=verdict.error.replace(self._bot.token, "<token>")
        )

    async def _record(
        self,
        row: OutboxMessage,
        target: Target,
        outcome: SentMessage | Exception,
        verdict: Verdict | None,
        stats: DeliveryStats,
        *,
        then: list[tuple[OutboxMessage, Target]],
    ) -> bool:
        """Store the outcome, and mark the row of `then` (the next to go, if any) sending in
        the same transaction; whether it was (False: none, or taken over)."""
        now = self._clock.now()
        async with self._sessionmaker.begin() as session:
            if verdict is None:
                assert isinstance(outcome, SentMessage)
                applied = await queue.mark_sent(
                    session,
                    row.id,
                    lease_until=queue.lease_of(row),
                    external_id=str(outcome.message_id),
                    now=now,
                )
                if applied:
                    await queue.forget_secrets(session, row)
                    if self._on_sent is not None:
                        await self._on_sent(session, row, outcome)
                stats.sent += applied
                metrics.sent(row, now)
                log.info(
                    "outbox row %s (%s) sent: %s",
                    row.id,
                    row.kind,
                    outcome.message_id,
                    extra=outbox_ids(row),
                )
            else:
                applied = await self._apply(session, row, target, verdict, now=now, stats=stats)
                metrics.not_sent(row, verdict, outcome)
            sending = bool(then) and await claims.mark_sending(session, [then[0][0]])
        if not applied:
            log.warning(
                "outbox row %s (%s) was taken over; outcome dropped",
                row.id,
                row.kind,
                extra=outbox_ids(row),
            )
        return sending

    async def _apply(
        self,
        session: AsyncSession,
        row: OutboxMessage,
        target: Target,
        verdict: Verdict,
        *,
        now: dt.datetime,
        stats: DeliveryStats,
    ) -> bool:
        lease = queue.lease_of(row)
        match verdict:
            case RetryAt(at=at, error=error, counts=counts):
                applied = await queue.mark_retry(
                    session, row.id, lease_until=lease, at=at, error=error, count_attempt=counts
                )
                stats.retried += applied
                log.warning(
                    "outbox row %s (%s) retry at %s: %s",
                    row.id,
                    row.kind,
                    at,
                    error,
                    extra=outbox_ids(row),
                )
            case Uncertain(at=at, error=error):
                applied = await queue.mark_uncertain(session, row, at=at, error=error)
                stats.retried += applied
                log.warning(
                    "outbox row %s (%s) may have arrived: %s",
                    row.id,
                    row.kind,
                    error,
                    extra=outbox_ids(row),
                )
            case GiveUp(error=error):
                applied = await queue.mark_failed(session, row.id, lease_until=lease, error=error)
                stats.failed += applied
                log.error(
                    "outbox row %s (%s) failed: %s", row.id, row.kind, error, extra=outbox_ids(row)
                )
            case Unreachable(error=error):
                if target.personal and row.person_id is not None:
                    await queue.mark_unreachable(session, row.person_id, now)
                applied = await queue.leave_for_email(
                    session, row.id, lease_until=lease, reason=error
                )
                stats.skipped += applied
                log.warning(
                    "outbox row %s (%s): Telegram refused the chat",
                    row.id,
                    row.kind,
                    extra=outbox_ids(row),
                )
        return applied
