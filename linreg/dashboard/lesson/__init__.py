"""The guided lesson: the seed notebook's path in chapters, read from ``chapters.toml``.

The chapters are data (one table, English and Spanish side by side), checked when loaded: every
chapter has both languages' title, text, thing to do and question, a view from ``VIEWS`` and a
question ``linreg.questions`` can ask. ``CHAPTERS[n - 1]`` is chapter n (``?lesson=n``).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources

from linreg.errors import LinregError
from linreg.questions import KINDS, Question, question_from
from linreg.texts import LANGUAGES, Phrase

# The views a chapter can bring to the front: the data table, the live views drawn in the
# browser, and the tabs drawn by the server (their text keys are "tab.<name>").
VIEWS = ("data", "weights", "loss", "predictions", "step", "landscape", "predict", "code")
TAB_VIEWS = ("step", "landscape", "predict", "code")
TEXT_FIELDS = ("title", "text", "do", "ask")
# Question parameters that name a weight by its target's and input's positions (from 1).
POSITIONS = ("target", "input")


@dataclass(frozen=True)
class Chapter:
    """One chapter: its number (from 1), the view it is about, its question (a kind and its
    parameters, weights named by position) and its words per language."""

    number: int
    view: str
    question: Mapping[str, object]
    texts: Mapping[str, Mapping[str, str]]  # language → TEXT_FIELDS → text

    def text(self, name: str, lang: str) -> str:
        return self.texts[lang][name]

    @property
    def kind(self) -> str:
        return str(self.question["kind"])

    def question_for(self, target_names: Sequence[str], input_names: Sequence[str]) -> Question:
        """The chapter's question about data whose weights are targets × inputs;
        LinregError if the question names a target or input the data does not have."""
        values = dict(self.question)
        if self.kind in ("largest_change", "weight_direction"):
            values["targets"], values["inputs"] = tuple(target_names), tuple(input_names)
        for name, names in zip(POSITIONS, (target_names, input_names), strict=True):
            if name in values:
                position = int(values[name])
                if position > len(names):
                    raise LinregError(
                        "bad_question",
                        kind=self.kind,
                        problem=Phrase(
                            f"the data has {len(names)} {name}(s), not {position}",
                            f"los datos tienen {len(names)} "
                            f"{'objetivo' if name == 'target' else 'entrada'}(s), no {position}",
                        ),
                    )
                values[name] = names[position - 1]
        return question_from(values)


def parse(text: str) -> tuple[Chapter, ...]:
    """The chapters of a lesson table (TOML); ValueError naming the chapter and what is wrong."""
    table = tomllib.loads(text)
    chapters = []
    for number, entry in enumerate(table.get("chapter", []), start=1):
        where = f"chapter {number}"
        view = entry.get("view")
        if view not in VIEWS:
            raise ValueError(f"{where}: view {view!r} is not one of {', '.join(VIEWS)}")
        question = dict(entry.get("question", {}))
        if question.get("kind") not in KINDS:
            raise ValueError(f"{where}: question kind {question.get('kind')!r} is unknown")
        texts = {}
        for lang in LANGUAGES:
            words = entry.get(lang, {})
            for name in TEXT_FIELDS:
                if not isinstance(words.get(name), str) or not words[name].strip():
                    raise ValueError(f"{where}: [{lang}] has no {name}")
            extra = set(words) - set(TEXT_FIELDS)
            if extra:
                raise ValueError(f"{where}: [{lang}] has unknown fields {sorted(extra)}")
            texts[lang] = {name: " ".join(words[name].split()) for name in TEXT_FIELDS}
        chapter = Chapter(number, view, question, texts)
        needed = max((int(question.get(name, 1)) for name in POSITIONS), default=1)
        if any(int(question.get(name, 1)) < 1 for name in POSITIONS):
            raise ValueError(f"{where}: positions start at 1")
        try:  # asked of data with enough columns, the question must be valid
            names = tuple(f"c{i}" for i in range(1, needed + 1))
            chapter.question_for(names, names)
        except LinregError as error:
            raise ValueError(f"{where}: {error}") from error
        chapters.append(chapter)
    if not chapters:
        raise ValueError("the lesson has no [[chapter]]")
    return tuple(chapters)


CHAPTERS = parse(resources.files(__name__).joinpath("chapters.toml").read_text("utf-8"))


def chapter(number: int) -> Chapter:
    """Chapter ``number`` (from 1 to len(CHAPTERS))."""
    return CHAPTERS[number - 1]
