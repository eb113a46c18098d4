"""Predict, then reveal (issue 18): a question's words, a room's poll and its scoreboard.

Plain Python, no transport: a room calls ``Poll`` and ``Scoreboard`` and sends what they return.
A follower is an opaque id the room gives (its session); only choices, counts, nicknames and
scores are kept — never a follower's data.

    poll = Poll(question)               # the presenter asks
    poll.answer(follower, "down")       # one answer per follower; a second one replaces it
    poll.tally()                        # counts per choice (a histogram for numbers)
    results = poll.reveal(outcome)      # closes it: follower → Result
    board.add(results)                  # the scores per nickname

The messages a room sends and receives, each built here (``Poll.*_message``), JSON-ready:
    question  presenter → followers: {"type": "question", "poll", "question": {"kind", …},
              "choices": [...]} (choices empty: a number is asked)
    answer    follower → server: {"type": "answer", "poll", "choice"}; ``Poll.answer`` takes it
              (the follower's id comes from the connection, never from the message)
    tally     server → presenter: {"type": "tally", "poll", "total", "counts", "edges"}
    reveal    server → each follower: {"type": "reveal", "poll", "outcome": {…},
              "yours": {"choice", "right", "score"} or None}
"""

from __future__ import annotations

import html
import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from linreg.formatting import number
from linreg.questions import KINDS, Outcome, Question, Result, cell_name

# Choices with words of their own (``choice.<name>``); a weight's name is its own label.
WORDED_CHOICES = ("up", "down", "increase", "decrease", "yes", "no")
NUMBER_BINS = 8  # a number question's tally: this many bins, equal on a log scale
MAX_NICKNAME = 24  # characters kept of a nickname


def choice_label(choice: str, lang: str, t, names: Mapping[str, str] | None = None) -> str:
    """The words of a choice in ``lang`` (``t`` is the page's text function); a weight's name
    with its columns named as ``names`` says (e.g. a sample's columns in the reader's
    language, when the question was asked in another)."""
    if choice in WORDED_CHOICES:
        return t(f"choice.{choice}", lang)
    return in_words(choice, names)


def in_words(cell: str, names: Mapping[str, str] | None = None) -> str:
    """A weight's name "target·input" with each column named as ``names`` says."""
    if not names:
        return cell
    return "·".join(names.get(part, part) for part in cell.split("·"))


def question_of_kind(kind: str, targets: tuple[str, ...], inputs: tuple[str, ...]) -> Question:
    """A question of ``kind`` (``linreg.questions.KINDS``) about a run whose weights are
    targets × inputs, with the kind's own defaults (a weight question: the first weight)."""
    if kind in ("largest_change", "weight_direction"):
        cells = {"targets": tuple(targets), "inputs": tuple(inputs)}
        if kind == "weight_direction":
            cells |= {"target": targets[0], "input": inputs[0]}
        return KINDS[kind](**cells)
    return KINDS[kind]()


def asks(question: Question, lang: str, t, names: Mapping[str, str] | None = None) -> str:
    """The question in words (``t`` is the page's text function; ``names``: as in
    ``choice_label``)."""
    params = {"epochs": getattr(question, "epochs", 1)}
    if question.kind == "weight_direction":
        params["cell"] = in_words(cell_name(question.target, question.input), names)
    return t(f"quiz.asks.{question.kind}", lang, **params)


def describe(
    question: Question, outcome: Outcome, lang: str, t, names: Mapping[str, str] | None = None
) -> str:
    """What the reveal showed, in a sentence: the loss before and after, the weight that moved,
    where it diverged (``names``: as in ``choice_label``)."""
    params = {
        "before": number(outcome.loss_before),
        "after": number(outcome.loss_after),
        "epochs": outcome.epochs_run,
        "epoch": outcome.diverged_at,
    }
    if question.kind == "largest_change":
        cell = str(outcome.answer)
        row, column = divmod(question.choices.index(cell), len(question.inputs))
    elif question.kind == "weight_direction":
        cell = cell_name(question.target, question.input)
        row, column = question.targets.index(question.target), question.inputs.index(question.input)
    if question.kind in ("largest_change", "weight_direction"):
        params |= {
            "cell": in_words(cell, names),
            "change": number(outcome.weight_change[row][column]),
        }
    if question.kind == "loss_after":
        key = "what.loss_after.diverged" if outcome.diverged_at else "what.loss_after"
    elif question.kind == "largest_change":
        key = "what.largest_change"
    else:
        key = f"what.{question.kind}.{outcome.answer}"
    return t(key, lang, **params)


def clean_nickname(text: object) -> str:
    """A nickname as kept: printable characters only, spaces collapsed, at most MAX_NICKNAME
    characters; "" means anonymous. Escape it (``html.escape``) wherever it is drawn."""
    text = "".join(
        c for c in str(text or "") if unicodedata.category(c)[0] not in ("C",) or c == " "
    )
    return " ".join(text.split())[:MAX_NICKNAME]


@dataclass(frozen=True)
class Tally:
    """A poll's answers counted. For choices: ``counts`` per choice (every choice, in order);
    for numbers: ``counts`` per bin, ``edges`` the bins' bounds (len(counts) + 1, log-spaced)."""

    total: int
    counts: dict[str, int] | list[int]
    edges: list[float] | None = None

    def to_dict(self) -> dict:
        return {"total": self.total, "counts": self.counts, "edges": self.edges}


@dataclass
class Poll:
    """One question asked of a room: one answer per follower, changeable until the reveal,
    which closes it. Answers are choices of ``question.choices``, or positive numbers for a
    question whose answer is a number."""

    question: Question
    poll: str = ""  # the room's name for this question (e.g. a counter), echoed in messages
    answers: dict[str, str | float] = field(default_factory=dict)
    outcome: Outcome | None = None
    results: dict[str, Result] = field(default_factory=dict)

    @property
    def closed(self) -> bool:
        return self.outcome is not None

    def answer(self, follower: str, choice: object) -> bool:
        """Take ``follower``'s answer (replacing any earlier one); False, and nothing kept, when
        the poll is closed or the answer is not one of the choices (or not a positive number)."""
        if self.closed:
            return False
        value = self._valid(choice)
        if value is None:
            return False
        self.answers[str(follower)] = value
        return True

    def _valid(self, choice: object) -> str | float | None:
        if self.question.choices:
            return choice if isinstance(choice, str) and choice in self.question.choices else None
        if isinstance(choice, bool):
            return None
        try:
            value = float(choice)  # a number, or its text
        except (TypeError, ValueError):
            return None
        return value if math.isfinite(value) and value > 0 else None

    def withdraw(self, follower: str) -> None:
        """Forget ``follower``'s answer (e.g. the follower left) while the poll is open."""
        if not self.closed:
            self.answers.pop(str(follower), None)

    def tally(self) -> Tally:
        """The answers counted: per choice, or in NUMBER_BINS log-spaced bins between the
        smallest and the largest number given."""
        values = list(self.answers.values())
        if self.question.choices:
            counts = dict.fromkeys(self.question.choices, 0)
            for value in values:
                counts[value] += 1
            return Tally(len(values), counts)
        if not values:
            return Tally(0, [])
        low, high = math.log10(min(values)), math.log10(max(values))
        if high == low:
            return Tally(len(values), [len(values)], [min(values), max(values)])
        width = (high - low) / NUMBER_BINS
        counts = [0] * NUMBER_BINS
        for value in values:
            counts[min(int((math.log10(value) - low) / width), NUMBER_BINS - 1)] += 1
        edges = [10 ** (low + i * width) for i in range(NUMBER_BINS)] + [max(values)]
        edges[0] = min(values)
        return Tally(len(values), counts, edges)

    def reveal(self, outcome: Outcome) -> dict[str, Result]:
        """Close the poll with the answer ``outcome`` gives; each follower's result."""
        if self.closed:
            return dict(self.results)
        self.outcome = outcome
        self.results = {
            follower: self.question.result(value, outcome)
            for follower, value in self.answers.items()
        }
        return dict(self.results)

    def result(self, follower: str) -> Result | None:
        """``follower``'s result once revealed (None before, or without an answer)."""
        return self.results.get(str(follower))

    # -- messages ----------------------------------------------------------------------------
    def question_message(self) -> dict:
        return {
            "type": "question",
            "poll": self.poll,
            "question": self.question.to_dict(),
            "choices": list(self.question.choices),
        }

    def answer_from(self, follower: str, message: Mapping) -> bool:
        """A follower's answer message; False if it is not for this poll or not valid."""
        if not isinstance(message, Mapping) or message.get("poll") != self.poll:
            return False
        return self.answer(follower, message.get("choice"))

    def tally_message(self) -> dict:
        return {"type": "tally", "poll": self.poll, **self.tally().to_dict()}

    def outcome_message(self) -> dict:
        """What everyone sees at the reveal: the question and its outcome."""
        if self.outcome is None:
            raise ValueError("the poll is not revealed yet")
        return {
            "type": "reveal",
            "poll": self.poll,
            "question": self.question.to_dict(),
            "outcome": self.outcome.to_dict(),
        }

    def yours(self, follower: str) -> dict | None:
        """``follower``'s own answer and result once revealed (None without an answer)."""
        result = self.result(follower)
        if result is None:
            return None
        return {"choice": self.answers[str(follower)], "right": result.right, "score": result.score}

    def reveal_message(self, follower: str) -> dict:
        """What ``follower`` sees at the reveal: the outcome and their own result (None if
        they did not answer)."""
        return {**self.outcome_message(), "yours": self.yours(follower)}


@dataclass(frozen=True)
class Row:
    """One line of the scoreboard; ``nickname`` "" is anonymous, ``name_html`` escaped."""

    rank: int
    nickname: str
    score: float
    answered: int
    right: int

    @property
    def name_html(self) -> str:
        return html.escape(self.nickname)

    def to_dict(self) -> dict:
        return {
            "rank": self.rank,
            "nickname": self.nickname,
            "score": self.score,
            "answered": self.answered,
            "right": self.right,
        }


@dataclass
class Scoreboard:
    """The room's scores per follower, shown by nickname (anonymous unless one is given)."""

    nicknames: dict[str, str] = field(default_factory=dict)
    scores: dict[str, float] = field(default_factory=dict)
    answered: dict[str, int] = field(default_factory=dict)
    right: dict[str, int] = field(default_factory=dict)

    def name(self, follower: str, nickname: object = "") -> None:
        """Set ``follower``'s nickname (cleaned; "" is anonymous)."""
        self.nicknames[str(follower)] = clean_nickname(nickname)

    def add(self, results: Mapping[str, Result]) -> None:
        """Count one revealed question's results."""
        for follower, result in results.items():
            follower = str(follower)
            self.scores[follower] = self.scores.get(follower, 0.0) + result.score
            self.answered[follower] = self.answered.get(follower, 0) + 1
            self.right[follower] = self.right.get(follower, 0) + int(result.right)

    def rows(self, limit: int | None = None) -> list[Row]:
        """The board, best score first (ties share a rank; then by nickname)."""
        order = sorted(self.scores, key=lambda f: (-self.scores[f], self.nicknames.get(f, ""), f))
        rows: list[Row] = []
        for position, follower in enumerate(order, start=1):
            score = self.scores[follower]
            rank = rows[-1].rank if rows and rows[-1].score == score else position
            rows.append(
                Row(
                    rank,
                    self.nicknames.get(follower, ""),
                    score,
                    self.answered[follower],
                    self.right[follower],
                )
            )
        return rows[:limit] if limit is not None else rows
