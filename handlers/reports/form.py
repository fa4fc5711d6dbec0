"""The report form's steps: one question per message, answers saved to the draft as given.

Not PTB's ConversationHandler: its state lives in the process's memory, so a restart, a timeout
or another phone would lose the answers. This is a DB-backed form (storage/forms.py, kind
"report"): the Form row only says where this person is; each answer goes at once into the team's
draft (MonthlyReport.answers), so `/raport` — by the same or another member — resumes there.
A correction of a submitted report keeps its working copy in the form until it is submitted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from handlers.context import BotContext
from handlers.replies import remove_buttons, reply
from handlers.tasks.forms import CANCEL, UPDATE_KEY, buttons, caller_of
from notices.reports import announce, done_values
from storage.forms import advance_form, finish_form
from storage.models import Form, MonthlyReport, ReportState
from storage.programme import ReportQuestion
from storage.reports import (
    Answer,
    next_question,
    previous_question,
    report_questions,
    set_answer,
    shown_answers,
    slot_of,
    submit_report,
)

REPORT_KIND = "report"
LABELS = "tg/report_labels.txt.j2"
CONFIRM, DONE = ":confirm", ":done"  # never a question key (those are [a-z0-9_])
REPORT_KEY, CORRECTION_KEY = "report", "answers"
BACK, SKIP, SUBMIT, FIX, VALUE = "back", "skip", "ok", "fix", "v"
SCALE = range(1, 6)
YES_NO = {"y": True, "n": False}


def report_label(context: BotContext, macro: str, /, **values: Any) -> str:
    return context.services.templates.macro(context.language, LABELS, macro, **values)


@dataclass
class Turn:
    """One update's work on a person's report form, in one transaction."""

    update: Update
    context: BotContext
    session: AsyncSession
    form: Form
    report: MonthlyReport

    def answers(self) -> dict[str, Any]:
        """The team draft's answers, or the working copy of a correction."""
        working = self.form.data.get(CORRECTION_KEY)
        return dict(working) if isinstance(working, dict) else dict(self.report.answers)

    async def questions(self) -> tuple[ReportQuestion, ...]:
        return await report_questions(self.session, self.report.jst_id)

    async def question(self) -> ReportQuestion | None:
        """The question the form is at (None: the summary or the correction offer)."""
        return next((q for q in await self.questions() if q.key == self.form.step), None)

    async def done(self, *, corrigible: bool = False) -> None:
        """Tell the caller the report is submitted (by whom); Correct button if corrigible."""
        values = await done_values(self.session, self.report)
        markup = None
        if corrigible:
            markup = buttons(self.context, self.form, [[(report_label(self.context, "fix"), FIX)]])
        await reply(
            self.update, self.context, "report_done", markup=markup, session=self.session,
            corrigible=corrigible, **values,
        )  # fmt: skip

    async def ask(
        self, question: ReportQuestion | None, data: dict[str, Any] | None = None
    ) -> None:
        """Move the form to `question` (None: the summary) and send it with its buttons."""
        context, form = self.context, self.form
        data = {**(data if data is not None else form.data), UPDATE_KEY: self.update.update_id}
        step = question.key if question else CONFIRM
        advance_form(form, step=step, data=data, now=context.services.clock.now())
        questions, answers = await self.questions(), self.answers()
        slot = await slot_of(self.session, self.report)
        back = [(report_label(context, "back"), BACK)]
        if question is None:
            rows = [[(report_label(context, "submit"), SUBMIT)], back]
            await reply(
                self.update, context, "report_summary", markup=buttons(context, form, rows),
                session=self.session, slot=slot, rows=shown_answers(questions, answers),
                correction=CORRECTION_KEY in data,
            )  # fmt: skip
            return
        rows = []
        if question.kind == "scale":
            rows.append([(str(n), f"{VALUE}{n}") for n in SCALE])
        elif question.kind == "yesno":
            rows.append([(report_label(context, key), f"{VALUE}{key}") for key in YES_NO])
        moves = back if previous_question(questions, answers, question.key) else []
        if question.optional or question.key in answers:
            moves = [*moves, (report_label(context, "skip"), SKIP)]
        await reply(
            self.update, context, "report_question", markup=buttons(context, form, [*rows, moves]),
            session=self.session, slot=slot, question=question, answer=answers.get(question.key),
            answered=question.key in answers, total=len(questions),
            number=[q.key for q in questions].index(question.key) + 1,
        )  # fmt: skip

    async def answer(self, question: ReportQuestion, value: Answer) -> None:
        """Save the answer at once (team draft or correction copy), then ask the next one."""
        data = dict(self.form.data)
        if CORRECTION_KEY in data:
            data[CORRECTION_KEY] = {**data[CORRECTION_KEY], question.key: value}
        else:
            set_answer(self.report, question.key, value, self.context.services.clock.now())
        answers = data.get(CORRECTION_KEY, self.report.answers)
        await self.ask(next_question(await self.questions(), answers, question.key), data)

    async def submit(self) -> None:
        """Submit (or correct) the report; the team and the adviser are told once."""
        context, session = self.context, self.session
        slot = await slot_of(session, self.report)
        submission = await submit_report(
            session, self.report, slot, caller_of(context).person_id,
            context.services.clock.now(), answers=self.answers(), local_today=context.today(),
        )  # fmt: skip
        await finish_form(session, self.form.person_id)
        await remove_buttons(self.update)
        if not submission.accepted:
            await self.done()
            return
        adviser = await announce(session, context.services, self.report, today=context.today())
        await reply(
            self.update, context, "report_submitted", session=session, slot=slot,
            report=self.report, correction=submission.correction, adviser=adviser,
        )  # fmt: skip


async def _turn(
    update: Update, context: BotContext, form: Form, session: AsyncSession
) -> Turn | None:
    """The form's report, unless another member submitted it meanwhile (then: by whom)."""
    report = await session.get_one(MonthlyReport, form.data[REPORT_KEY])
    turn = Turn(update, context, session, form, report)
    if report.state == ReportState.DRAFT or CORRECTION_KEY in form.data or form.step == DONE:
        return turn
    await finish_form(session, form.person_id)
    await turn.done()
    return None


class ReportForm:
    """The report form: text answers by message, scale/yes-no/back/skip/submit by buttons."""

    async def on_message(
        self, update: Update, context: BotContext, form: Form, session: AsyncSession
    ) -> None:
        if _handled(update, form):
            return
        turn = await _turn(update, context, form, session)
        if turn is None:
            return
        if form.step == DONE:
            slot = await slot_of(session, turn.report)
            await turn.done(corrigible=context.today() <= slot.due_on)
            return
        question = await turn.question()
        message = update.effective_message
        text = message.text if message else None
        if question is None or question.kind in ("scale", "yesno") or not text:
            await turn.ask(question)  # the same step again: this one takes a button
            return
        await turn.answer(question, text)

    async def on_choice(
        self, update: Update, context: BotContext, form: Form, session: AsyncSession, choice: str
    ) -> None:
        if _handled(update, form):
            return
        if choice == CANCEL:
            await finish_form(session, form.person_id)
            await reply(update, context, "report_paused", session=session)
            await remove_buttons(update)
            return
        turn = await _turn(update, context, form, session)
        if turn is None:
            return
        question, questions = await turn.question(), await turn.questions()
        if choice == FIX and form.step == DONE:
            await turn.ask(questions[0], {**form.data, CORRECTION_KEY: dict(turn.report.answers)})
        elif choice == BACK:
            before = question.key if question else None
            await turn.ask(previous_question(questions, turn.answers(), before) or questions[0])
        elif choice == SKIP and question is not None:
            await turn.answer(question, turn.answers().get(question.key))
        elif choice.startswith(VALUE) and question is not None:
            value = _button_value(question, choice.removeprefix(VALUE))
            if value is not None:
                await turn.answer(question, value)
        elif choice == SUBMIT and form.step == CONFIRM:
            await turn.submit()


def _handled(update: Update, form: Form) -> bool:
    """Telegram re-sent an update handled before a crash (its reply is queued already)."""
    return update.update_id <= int(form.data.get(UPDATE_KEY, -1))


def _button_value(question: ReportQuestion, raw: str) -> Answer:
    if question.kind == "scale" and raw.isdigit() and int(raw) in SCALE:
        return int(raw)
    if question.kind == "yesno":
        return YES_NO.get(raw)
    return None
