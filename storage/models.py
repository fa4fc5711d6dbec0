"""The data advisorybot lives on: SQLAlchemy 2 declarative models.

All timestamps are timezone-aware UTC (`UtcDateTime`); calendar dates (deadlines, cohort
starts) are plain `date`s in the programme's local calendar.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy import Enum as SqlEnum
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.nul_free import NulFreeString, NulFreeText

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Stores aware datetimes as UTC and always returns them aware (SQLite drops tzinfo)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def _enum(enum: type[StrEnum], name: str) -> SqlEnum:
    return SqlEnum(
        enum,
        name=name,
        native_enum=False,
        length=32,
        values_callable=lambda e: [m.value for m in e],
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dt.datetime: UtcDateTime, dict[str, Any]: JSON}  # noqa: RUF012


class Role(StrEnum):
    MEMBER = "member"
    ADVISER = "adviser"
    COORDINATOR = "coordinator"
    EXPERT = "expert"  # ORE's expert: reviews the beneficiary's preparation materials


class Gender(StrEnum):
    FEMALE = "K"
    MALE = "M"


class Language(StrEnum):
    PL = "pl"
    EN = "en"


class JstKind(StrEnum):
    GMINA_MIEJSKA = "gmina_miejska"
    GMINA_WIEJSKA = "gmina_wiejska"
    GMINA_MIEJSKO_WIEJSKA = "gmina_miejsko_wiejska"
    MIASTO_NA_PRAWACH_POWIATU = "miasto_na_prawach_powiatu"
    POWIAT = "powiat"


class TaskState(StrEnum):
    PENDING = "pending"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"


class ReportState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class QuestionState(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    CLOSED = "closed"


class MaterialState(StrEnum):
    """A preparation material's review loop: submitted (the experts review it by `due_on`) ->
    accepted, or returned (the coordinators fix it by `due_on`) -> submitted again."""

    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"


class Channel(StrEnum):
    TELEGRAM = "telegram"
    EMAIL = "email"


class OutboxState(StrEnum):
    """A row's life: pending -> claimed (leased by a sender) -> sending (handed to Telegram or
    SMTP: it may have arrived) -> sent / failed / skipped; unconfirmed when the send's outcome is
    unknown (a timeout after the request went out) and the row may not be repeated."""

    PENDING = "pending"
    CLAIMED = "claimed"
    SENDING = "sending"
    UNCONFIRMED = "unconfirmed"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


class ErasureState(StrEnum):
    """An erasure request's life: pending (recorded, the operator has not acted yet) ->
    confirming (the operator confirmed; the person's confirmation is on its way) -> done; or
    cancelled by the person while pending."""

    PENDING = "pending"
    CONFIRMING = "confirming"
    DONE = "done"
    CANCELLED = "cancelled"


class RoundMode(StrEnum):
    """Where a training round is held: on site (a place) or online (a link)."""

    ON_SITE = "on_site"
    ONLINE = "online"


class Delivery(StrEnum):
    """What to do with a row found 'sending' after a crash (DESIGN 5)."""

    AT_MOST_ONCE = "at_most_once"
    AT_LEAST_ONCE = "at_least_once"


class Cohort(Base):
    """A programme template started on a date; the JSTs that go through it together."""

    __tablename__ = "cohorts"
    __mapper_args__ = {"eager_defaults": False}  # noqa: RUF012  data_version: never read back

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    start_date: Mapped[dt.date] = mapped_column(Date)
    template_code: Mapped[str] = mapped_column(String(100))
    template: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime]
    # Moved on by the database whenever its steps or rounds change (migration 0014).
    data_version: Mapped[int] = mapped_column(Integer, server_default="0")

    steps: Mapped[list[ProgrammeStep]] = relationship(
        back_populates="cohort", lazy="raise", order_by="ProgrammeStep.position"
    )


class ProgrammeStep(Base):
    """One step of a cohort's computed calendar (a phase, a task, a monthly report)."""

    __tablename__ = "programme_steps"
    __table_args__ = (UniqueConstraint("cohort_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    title_pl: Mapped[str] = mapped_column(Text)
    title_en: Mapped[str] = mapped_column(Text)
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    label_pl: Mapped[str | None] = mapped_column(Text)  # a task's short name for sentences
    label_en: Mapped[str | None] = mapped_column(Text)

    cohort: Mapped[Cohort] = relationship(back_populates="steps", lazy="raise")


class TrainingEvent(Base):
    """A cohort's training round (a phase of kind "training", e.g. Z1) as a dated event: when,
    where or online, what to bring; the date before its last change and whether it was cleared,
    for the members' notice (reminders/rounds.py)."""

    __tablename__ = "training_events"
    __table_args__ = (UniqueConstraint("cohort_id", "phase_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    phase_code: Mapped[str] = mapped_column(String(20))
    held_on: Mapped[dt.date] = mapped_column(Date)  # local calendar date
    start_time: Mapped[dt.time | None] = mapped_column(Time)  # local wall-clock time
    end_time: Mapped[dt.time | None] = mapped_column(Time)
    mode: Mapped[RoundMode] = mapped_column(_enum(RoundMode, "round_mode"))
    place: Mapped[str | None] = mapped_column(NulFreeText)
    link: Mapped[str | None] = mapped_column(NulFreeText)
    bring: Mapped[str | None] = mapped_column(NulFreeText)
    set_at: Mapped[dt.datetime]
    changed_at: Mapped[dt.datetime | None]  # the last change members are told of
    previous_on: Mapped[dt.date | None] = mapped_column(Date)  # the date before that change
    cancelled_at: Mapped[dt.datetime | None]  # cleared: no date now; members are told


class Jst(Base):
    """A local government (gmina or powiat) taking part in a cohort."""

    __tablename__ = "jsts"
    __mapper_args__ = {"eager_defaults": False}  # noqa: RUF012  data_version: never read back

    id: Mapped[int] = mapped_column(primary_key=True)
    teryt: Mapped[str] = mapped_column(NulFreeString(7), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[JstKind] = mapped_column(_enum(JstKind, "jst_kind"))
    voivodeship: Mapped[str] = mapped_column(String(40))
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id"), index=True)
    created_at: Mapped[dt.datetime]
    # Moved on by the database whenever what the JST's view shows changes (migration 0014).
    data_version: Mapped[int] = mapped_column(Integer, server_default="0")


class Person(Base):
    """A team member, an adviser or a coordinator; identified by e-mail."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(NulFreeString(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    gender: Mapped[Gender] = mapped_column(_enum(Gender, "gender"))
    language: Mapped[Language] = mapped_column(_enum(Language, "language"))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    jst_id: Mapped[int | None] = mapped_column(ForeignKey("jsts.id"), index=True)
    telegram_user_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    telegram_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    joined_at: Mapped[dt.datetime | None]
    notice_confirmed_at: Mapped[dt.datetime | None]
    telegram_unreachable_at: Mapped[dt.datetime | None]
    erasure_requested_at: Mapped[dt.datetime | None]
    erased_at: Mapped[dt.datetime | None]
    digest_opted_out_at: Mapped[dt.datetime | None]  # an adviser who wants no weekly e-mail
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]

    @property
    def active(self) -> bool:
        """Joined on Telegram and confirmed the information notice."""
        return self.notice_confirmed_at is not None and self.erased_at is None


class Invite(Base):
    """A personal single-use invite code; only its SHA-256 is stored."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]
    emailed_at: Mapped[dt.datetime | None]


class InviteAttempt(Base):
    """A failed invite-code attempt by a Telegram account, for slowing down guessing."""

    __tablename__ = "invite_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    at: Mapped[dt.datetime]


class CoordinatorCohort(Base):
    """A cohort a coordinator covers (their weekly digest's scope): those listed in a cohort's
    import file, or set by `advisorybot coordinator scope`. A coordinator with no cohort at all
    covers every cohort (ORE's national coordinators)."""

    __tablename__ = "coordinator_cohorts"

    coordinator_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id"), primary_key=True, index=True)
    created_at: Mapped[dt.datetime]


class AdviserAssignment(Base):
    """The adviser of a JST, and an optional substitute for a period."""

    __tablename__ = "adviser_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    jst_id: Mapped[int] = mapped_column(ForeignKey("jsts.id"), unique=True)
    adviser_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    substitute_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    substitute_from: Mapped[dt.date | None] = mapped_column(Date)
    substitute_until: Mapped[dt.date | None] = mapped_column(Date)

    def adviser_on_duty(self, today: dt.date) -> int:
        """The substitute inside the substitution period, otherwise the main adviser."""
        if (
            self.substitute_id is not None
            and self.substitute_from is not None
            and self.substitute_until is not None
            and self.substitute_from <= today <= self.substitute_until
        ):
            return self.substitute_id
        return self.adviser_id


class TaskProgress(Base):
    """A JST's state on one task of its cohort's programme, with an optional extension."""

    __tablename__ = "task_progress"
    __table_args__ = (UniqueConstraint("jst_id", "step_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    jst_id: Mapped[int] = mapped_column(ForeignKey("jsts.id"))
    step_code: Mapped[str] = mapped_column(String(20))
    state: Mapped[TaskState] = mapped_column(_enum(TaskState, "task_state"))
    extended_until: Mapped[dt.date | None] = mapped_column(Date)
    submitted_at: Mapped[dt.datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    evidence: Mapped[str | None] = mapped_column(NulFreeText)
    reviewed_at: Mapped[dt.datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    review_remarks: Mapped[str | None] = mapped_column(NulFreeText)
    accepted_at: Mapped[dt.datetime | None]
    resolution_number: Mapped[str | None] = mapped_column(NulFreeString(100))
    resolution_date: Mapped[dt.date | None] = mapped_column(Date)
    resolution_link: Mapped[str | None] = mapped_column(NulFreeText)  # its address in the BIP
    review_round: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    updated_at: Mapped[dt.datetime]


class TaskEvent(Base):
    """What happened to a JST's task, by whom: the history every team member can see."""

    __tablename__ = "task_events"
    __table_args__ = (Index("ix_task_events_jst_step", "jst_id", "step_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    jst_id: Mapped[int] = mapped_column(ForeignKey("jsts.id"))
    step_code: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(30))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    note: Mapped[str | None] = mapped_column(NulFreeText)
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    at: Mapped[dt.datetime]


class Form(Base):
    """A person's form in progress (what their next free message answers), kept across restarts."""

    __tablename__ = "forms"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    step: Mapped[str] = mapped_column(String(30))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    token: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]


class MonthlyReport(Base):
    """One JST's monitoring report for one month (draft until submitted)."""

    __tablename__ = "monthly_reports"
    __table_args__ = (UniqueConstraint("jst_id", "step_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    jst_id: Mapped[int] = mapped_column(ForeignKey("jsts.id"))
    step_code: Mapped[str] = mapped_column(String(20))
    state: Mapped[ReportState] = mapped_column(_enum(ReportState, "report_state"))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    submitted_at: Mapped[dt.datetime | None]
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[dt.datetime]


class Material(Base):
    """A preparation material of the beneficiary (a training schedule, a scenario...) in its
    review loop with ORE's experts; the review days are its cohort's template's [review]."""

    __tablename__ = "materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id"), index=True)
    title: Mapped[str] = mapped_column(NulFreeString(200))
    kind: Mapped[str] = mapped_column(String(20))
    state: Mapped[MaterialState] = mapped_column(_enum(MaterialState, "material_state"))
    review_round: Mapped[int] = mapped_column(Integer, default=0)  # returns so far
    due_on: Mapped[dt.date] = mapped_column(Date)  # the review's or the fix's, a working day
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    submitted_at: Mapped[dt.datetime]  # the latest version
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    reviewed_at: Mapped[dt.datetime | None]
    remarks: Mapped[str | None] = mapped_column(NulFreeText)
    accepted_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]


class MaterialEvent(Base):
    """What happened to a material, by whom: each version handed in (its pieces in `details`),
    each return with remarks, the acceptance. `source` makes a re-delivered change a no-op."""

    __tablename__ = "material_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    material_id: Mapped[int] = mapped_column(ForeignKey("materials.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    review_round: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(NulFreeText)
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    source: Mapped[str | None] = mapped_column(String(100), unique=True)
    at: Mapped[dt.datetime]


class Question(Base):
    """A team member's question to the JST's adviser."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    jst_id: Mapped[int] = mapped_column(ForeignKey("jsts.id"), index=True)
    asker_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    adviser_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    text: Mapped[str] = mapped_column(NulFreeText)
    attachments: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[QuestionState] = mapped_column(_enum(QuestionState, "question_state"))
    source_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    created_at: Mapped[dt.datetime]
    first_answered_at: Mapped[dt.datetime | None]
    closed_at: Mapped[dt.datetime | None]


class Answer(Base):
    """An adviser's answer to a question (or a member's follow-up in the thread)."""

    __tablename__ = "answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    text: Mapped[str] = mapped_column(NulFreeText)
    attachments: Mapped[dict[str, Any]] = mapped_column(JSON)
    to_team: Mapped[bool] = mapped_column(Boolean, default=False)
    source_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    created_at: Mapped[dt.datetime]


class MessageLink(Base):
    """Which question a message the bot delivered belongs to (so replies find their thread)."""

    __tablename__ = "message_links"
    __table_args__ = (UniqueConstraint("chat_id", "message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)


class OutboxMessage(Base):
    """An outbound message (Telegram or e-mail), unique by its dedupe key."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[Channel] = mapped_column(_enum(Channel, "channel"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    delivery: Mapped[Delivery] = mapped_column(_enum(Delivery, "delivery"))
    state: Mapped[OutboxState] = mapped_column(_enum(OutboxState, "outbox_state"))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[dt.datetime]
    next_attempt_at: Mapped[dt.datetime]
    # The rule that planned the row (a reminder, an alert, a digest, or the e-mail fallback of
    # one): it waits for working time, goes stale at `stale_at`, and is withdrawn when the rule
    # no longer plans it. Other rows are caused by people and go at any hour, silently.
    planned_by: Mapped[str | None] = mapped_column(String(40))
    stale_at: Mapped[dt.datetime | None]
    # Sent before with an unknown outcome (Telegram may have delivered it): marked as a repeat.
    repeat: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    lease_until: Mapped[dt.datetime | None]
    sent_at: Mapped[dt.datetime | None]
    external_id: Mapped[str | None] = mapped_column(String(200))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime]


class ErasureRequest(Base):
    """A request to erase a person's data (GDPR Art. 17): when it came, its legal deadline (one
    month, Art. 12(3)) and what became of it. Kept after the erasure: it names the person only
    by their (anonymised) row, and `summary` holds counts, never the data."""

    __tablename__ = "erasure_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    state: Mapped[ErasureState] = mapped_column(_enum(ErasureState, "erasure_state"))
    via: Mapped[str] = mapped_column(String(20))  # "telegram" (/usun_dane) or "operator"
    requested_at: Mapped[dt.datetime]
    deadline: Mapped[dt.date] = mapped_column(Date)  # local calendar date
    cancelled_at: Mapped[dt.datetime | None]
    confirmed_at: Mapped[dt.datetime | None]  # the operator confirmed it (`advisorybot erase`)
    confirmed_by: Mapped[str | None] = mapped_column(String(100))
    done_at: Mapped[dt.datetime | None]
    done_by: Mapped[str | None] = mapped_column(String(100))
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)  # what was anonymised: counts only


class AuditEntry(Base):
    """Who changed what and when; never holds secrets."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[dict[str, Any]] = mapped_column(JSON)


class SendSlot(Base):
    """The bot's next free send slot (seconds since the epoch, on the database's clock), one row
    that every instance on PostgreSQL reserves from (outbox/send_slots.py)."""

    __tablename__ = "send_slots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    next_at: Mapped[float] = mapped_column(Float)


class AppKey(Base):
    """A secret made once per installation (e.g. the key that signs button data)."""

    __tablename__ = "app_keys"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class Attendance(Base):
    """Whether a team member attended a training round (a phase of kind "training" of their
    cohort's template, by its code): from the list of signatures, an adviser or a coordinator."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("person_id", "step_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    step_code: Mapped[str] = mapped_column(String(20))
    present: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(String(20))  # storage.attendance.Source
    recorded_by: Mapped[str] = mapped_column(String(100))  # the audit log's actor
    recorded_at: Mapped[dt.datetime]


class SelfAssessment(Base):
    """A member's answers to the competence self-assessment at one moment ("before" the first
    training round or "after" the last), kept once sent; `score` is the sum of the answers."""

    __tablename__ = "self_assessments"
    __table_args__ = (UniqueConstraint("person_id", "moment"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    moment: Mapped[str] = mapped_column(String(10))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    score: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[dt.datetime]


class WebLink(Base):
    """A one-time sign-in link to the web view (web/), e-mailed to an adviser or a coordinator:
    only its token's SHA-256 is kept; used once, before `expires_at`."""

    __tablename__ = "web_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class WebSession(Base):
    """A signed-in browser: the cookie's token is kept as its SHA-256, with the form token
    (CSRF) of the session; it ends at sign-out, after `idle` without a request, or at
    `expires_at` whatever happens."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf: Mapped[str] = mapped_column(String(64))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    seen_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
