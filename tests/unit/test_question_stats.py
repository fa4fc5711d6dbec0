"""Response times per adviser and JST, computed from plain question records."""

from __future__ import annotations

import datetime as dt

import pytest

from storage.questions.stats import AskedQuestion, ResponseTimes, median, percentile, summarize

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
ASKED = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)


def asked(
    hours_to_answer: float | None,
    *,
    adviser: int | None = 1,
    jst: int = 10,
    asked_at: dt.datetime = ASKED,
    waiting: bool | None = None,
) -> AskedQuestion:
    answered_at = None if hours_to_answer is None else asked_at + hours_to_answer * H
    names = {1: "Dorota", 2: "Edward"}
    jsts = {10: ("Gmina Alfa", "1401011"), 20: ("Gmina Beta", "1401022")}
    return AskedQuestion(
        adviser_id=adviser,
        adviser_name=None if adviser is None else names[adviser],
        jst_id=jst,
        jst_name=jsts[jst][0],
        teryt=jsts[jst][1],
        asked_at=asked_at,
        first_answered_at=answered_at,
        waiting=answered_at is None if waiting is None else waiting,
    )


@pytest.mark.parametrize(
    ("hours", "middle"),
    [([5], 5), ([1, 3], 2), ([1, 2, 30], 2), ([1, 2, 4, 30], 3), ([2, 2, 2, 2], 2)],
)
def test_median(hours: list[int], middle: float) -> None:
    assert median([h * H for h in hours]) == middle * H


@pytest.mark.parametrize(
    ("count", "position"),
    [(1, 1), (2, 2), (9, 9), (10, 9), (11, 10), (19, 18), (20, 18), (100, 90)],
)
def test_nearest_rank_90th_percentile(count: int, position: int) -> None:
    times = [n * H for n in range(1, count + 1)]
    assert percentile(times, 90) == position * H


def test_empty_lists_have_no_median_or_percentile() -> None:
    assert median([]) is None
    assert percentile([], 90) is None


def test_summary_per_adviser_and_jst() -> None:
    questions = [
        asked(2),
        asked(4),
        asked(30),
        asked(None, asked_at=NOW - 50 * H),
        asked(None, asked_at=NOW - 3 * H),
        asked(1, adviser=2),  # Edward answers Alfa too (a question routed to him)
        asked(8, adviser=2, jst=20),
        asked(None, adviser=None, jst=20, asked_at=NOW - 5 * H),  # Beta without an adviser
    ]
    assert summarize(questions, NOW) == [
        ResponseTimes(1, "Dorota", 10, "Gmina Alfa", "1401011", 3, 4 * H, 30 * H, 2, 50 * H),
        ResponseTimes(2, "Edward", 10, "Gmina Alfa", "1401011", 1, 1 * H, 1 * H, 0, None),
        ResponseTimes(None, None, 20, "Gmina Beta", "1401022", 0, None, None, 1, 5 * H),
        ResponseTimes(2, "Edward", 20, "Gmina Beta", "1401022", 1, 8 * H, 8 * H, 0, None),
    ]


def test_closed_without_answer_is_neither_answered_nor_open() -> None:
    assert summarize([asked(None, waiting=False), asked(3)], NOW) == [
        ResponseTimes(1, "Dorota", 10, "Gmina Alfa", "1401011", 1, 3 * H, 3 * H, 0, None)
    ]


def test_answered_question_reopened_counts_its_first_answer_only() -> None:
    (summary,) = summarize([asked(6, waiting=False), asked(2)], NOW)
    assert (summary.answered, summary.median, summary.open) == (2, 4 * H, 0)


def test_nothing_asked_nothing_to_show() -> None:
    assert summarize([], NOW) == []
