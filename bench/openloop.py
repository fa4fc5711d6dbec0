"""Open-loop latency (issue 23): updates arrive on a fixed schedule, whatever the bot answers.

The schedule is built before the load starts: `rate` updates a second for `seconds`, slot i
at i / rate seconds. Exchanges take the free slots in turn, one question then three /status
(`question_every`); a question is two updates, its message in a slot and the press of "Send"
in the first free slot at least `think` seconds later (the member reads the draft), both
counted towards the rate. No question starts where its press would fall past the end: those
slots are /status. If the draft has not arrived by the press's slot, the press goes as soon as
it does (a late press, counted). Nothing else waits for the bot: every other update goes at its
slot, and an update the driver sends late (its own event loop busy) goes at once, timed from
then.

Each question is a different member, each /status one of `status_people` in turn (replies in
a chat are matched to its /status in order). An exchange's latency is the bot's part of it:
for /status from the update to the reply; for a question from the message to the draft plus
from the press to the adviser's copy (matched by the question's marker), the member's reading
time left out. The echo bot's question is its two answers: to the message, and to the press.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import re
import time
from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bench.generate import TelegramUser
from bench.measure import cpu_seconds, percentile
from bench.telegram_world import Sent, TelegramWorld

QUESTION = "Czy protokół z posiedzenia zespołu musi mieć podpisy wszystkich? #o{number}"
MARKER = re.compile(r"#o(\d+)")
STATUS = "/status"
ASK, PRESS = "ask", "press"


@dataclass(frozen=True)
class Plan:
    """The offered load: its rate, how long, the mix, and who plays it."""

    rate: float = 30.0
    seconds: float = 20.0
    question_every: int = 4  # every fourth exchange is a question
    think: float = 1.0  # seconds between the draft's slot and the press of "Send"
    status_people: int = 60
    grace: float = 10.0  # how long the answers are awaited after the last update

    def schedule(self) -> list[tuple[str, int]]:
        """Each slot's update: (ASK or PRESS, question number) or (STATUS, /status number)."""
        slots: list[tuple[str, int] | None] = [None] * round(self.rate * self.seconds)
        think = math.ceil(self.think * self.rate)
        exchanges = questions = statuses = 0
        for slot, taken in enumerate(slots):
            if taken is not None:
                continue
            press = next((s for s in range(slot + think, len(slots)) if slots[s] is None), None)
            if exchanges % self.question_every == 0 and press is not None:
                slots[slot], slots[press] = (ASK, questions), (PRESS, questions)
                questions += 1
            else:
                slots[slot] = (STATUS, statuses)
                statuses += 1
            exchanges += 1
        return [found for found in slots if found is not None]

    def questions(self) -> int:
        """How many questions the schedule holds: the askers it needs."""
        return sum(1 for kind, _ in self.schedule() if kind == ASK)


FULL_PLAN = Plan()
QUICK_PLAN = Plan(seconds=2.0, think=0.5, status_people=10, grace=5.0)


@dataclass
class _Question:
    asker: int
    asked: float  # perf_counter seconds
    draft: Sent | None = None
    press_due: bool = False
    late: bool = False
    pressed: float | None = None
    done: float | None = None  # the adviser's copy (the echo bot: its answer to the press)

    def legs(self) -> tuple[float, float] | None:
        """The bot's two parts: the message to the draft, the press to the end."""
        if self.draft is None or self.pressed is None or self.done is None:
            return None
        return self.draft.seen - self.asked, self.done - self.pressed


@dataclass
class OpenLoopResult:
    """Latencies (seconds) of the answered exchanges, and what the load was."""

    status: list[float]  # in the order the replies came
    legs: list[tuple[float, float]]  # each question's: to the draft, from the press to the end
    scheduled: int  # updates in the schedule
    sent: int  # updates sent (a question whose draft never came sends no press)
    span: float  # seconds from the first slot to the end of the last as played (late or not)
    cpu_share: float  # the bot's CPU seconds / wall seconds, first update to last answer
    driver_cpu_share: float  # the same for this process: the driver and the local Bot API
    lost: int  # exchanges never (fully) answered within the grace period
    late_presses: int
    lag: list[float]  # each update's delay behind its slot

    @property
    def rate(self) -> float:
        return self.sent / self.span

    @property
    def questions(self) -> list[float]:
        return [draft + rest for draft, rest in self.legs]

    def latency_ms(self, what: str, rank: float) -> float:
        values = self.status if what == "status" else self.questions
        return 1000 * percentile(values, rank) if values else math.inf

    def details(self, row: str) -> dict[str, object]:
        """What a row of the table holds beside its value: the load's counts (`rate`), each leg
        of a question (`question`), and whether /status waited longer as the load went on
        (`status`: a bot slower than the load falls further behind by the quarter)."""
        if row == "status":
            quarter = max(1, -(-len(self.status) // 4))
            return {
                "answered": len(self.status),
                "p50_by_quarter_ms": [
                    _ms(self.status[start : start + quarter], 50)
                    for start in range(0, len(self.status), quarter)
                ],
            }
        if row == "question":
            return {
                "answered": len(self.legs),
                "draft_p95_ms": _ms(draft for draft, _ in self.legs),
                "press_to_end_p95_ms": _ms(rest for _, rest in self.legs),
            }
        return {
            "updates_scheduled": self.scheduled,
            "updates_sent": self.sent,
            "late_presses": self.late_presses,
            "driver_lag_p99_ms": _ms(self.lag, 99),
            "driver_cpu_share": round(self.driver_cpu_share, 3),
        }


def _ms(seconds: Iterable[float], rank: float = 95) -> float | None:
    values = list(seconds)
    return round(1000 * percentile(values, rank), 1) if values else None


class OpenLoop:
    """One run of the plan against the bot whose process is `pid`; `to_copy`: a question ends
    at the adviser's copy (advisorybot), otherwise at the answer to the press (the echo bot)."""

    def __init__(
        self,
        world: TelegramWorld,
        plan: Plan,
        askers: Sequence[TelegramUser],
        status_people: Sequence[TelegramUser],
        *,
        to_copy: bool,
    ) -> None:
        self.world, self.plan, self.to_copy = world, plan, to_copy
        self.askers, self.status_people = askers, status_people
        self.questions: dict[int, _Question] = {}
        self.asking: dict[int, _Question] = {}  # asker's chat -> their question
        self.waiting: dict[int, deque[float]] = defaultdict(deque)  # chat -> /status sent at
        self.status: list[float] = []
        self.lag: list[float] = []
        self.sent = 0
        self.open = 0  # exchanges sent and not yet answered
        self.played = False
        self.answered = asyncio.Event()  # the schedule played and nothing left open

    async def run(self, pid: int) -> OpenLoopResult:
        schedule = self.plan.schedule()
        assert len(self.askers) >= sum(1 for kind, _ in schedule if kind == ASK), "an asker each"
        watch = self.world.watch()
        reader = asyncio.create_task(self._read(watch))
        try:
            started, cpu, own = time.perf_counter(), cpu_seconds(pid), cpu_seconds()
            await self._play(schedule, started)
            span = time.perf_counter() - started + 1 / self.plan.rate
            self.played = True
            self._check_answered()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.answered.wait(), self.plan.grace)
            wall = time.perf_counter() - started
            cpu, own = cpu_seconds(pid) - cpu, cpu_seconds() - own
        finally:
            reader.cancel()
            self.world.unwatch(watch)
        answered = [q.legs() for q in self.questions.values()]
        legs = [found for found in answered if found is not None]
        unanswered = sum(len(sent_at) for sent_at in self.waiting.values())
        return OpenLoopResult(
            status=self.status,
            legs=legs,
            scheduled=len(schedule),
            sent=self.sent,
            span=span,
            cpu_share=cpu / wall,
            driver_cpu_share=own / wall,
            lost=unanswered + len(answered) - len(legs),
            late_presses=sum(1 for q in self.questions.values() if q.late),
            lag=self.lag,
        )

    async def _play(self, schedule: list[tuple[str, int]], started: float) -> None:
        step = 1 / self.plan.rate
        for slot, (kind, number) in enumerate(schedule):
            due = started + slot * step
            if (wait := due - time.perf_counter()) > 0:
                await asyncio.sleep(wait)
            self.lag.append(max(0.0, time.perf_counter() - due))
            if kind == STATUS:
                self._status(self.status_people[number % len(self.status_people)])
            elif kind == ASK:
                self._ask(self.askers[number], number)
            else:
                self._press_due(self.questions[number])

    def _status(self, person: TelegramUser) -> None:
        self.open += 1
        self.waiting[person.user_id].append(self._sending())
        self.world.say(person.user_id, STATUS)

    def _ask(self, person: TelegramUser, number: int) -> None:
        self.open += 1
        question = _Question(person.user_id, self._sending())
        self.questions[number] = self.asking[person.user_id] = question
        self.world.say(person.user_id, QUESTION.format(number=number))

    def _press_due(self, question: _Question) -> None:
        question.press_due = True
        if question.draft is None:
            question.late = True
        else:
            self._press(question)

    def _press(self, question: _Question) -> None:
        assert question.draft is not None
        question.pressed = self._sending()
        self.world.press(question.draft, question.draft.buttons[0])

    def _sending(self) -> float:
        """An update goes now: counted, and its time returned."""
        self.sent += 1
        return time.perf_counter()

    async def _read(self, watch: asyncio.Queue[Sent]) -> None:
        while True:
            self._seen(await watch.get())

    def _seen(self, sent: Sent) -> None:
        """Match what the bot sent: a draft or a copy by its marker, a /status reply by its chat,
        the echo bot's answer to a press by the asker's chat."""
        found = MARKER.search(sent.text)
        question = self.questions.get(int(found[1])) if found else None
        if question is not None:
            if sent.chat_id != question.asker:
                if self.to_copy:
                    self._done(question, sent)
            elif question.draft is None and sent.buttons:
                question.draft = sent
                if question.press_due:
                    self._press(question)
        elif self.waiting[sent.chat_id]:
            self.status.append(sent.seen - self.waiting[sent.chat_id].popleft())
            self._answer()
        elif (question := self.asking.get(sent.chat_id)) is not None and not self.to_copy:
            self._done(question, sent)

    def _done(self, question: _Question, sent: Sent) -> None:
        """The end of a question once pressed (the first copy; the echo's first answer)."""
        if question.pressed is not None and question.done is None:
            question.done = sent.seen
            self._answer()

    def _answer(self) -> None:
        self.open -= 1
        self._check_answered()

    def _check_answered(self) -> None:
        if self.played and not self.open:
            self.answered.set()
