"""The guided lesson's chapters (data, checked when loaded) and ``?lesson=N``."""

import pytest

from linreg import LinregError
from linreg.dashboard import lesson
from linreg.dashboard.settings import Settings, from_query
from linreg.dashboard.texts import TEXT
from linreg.questions import KINDS
from linreg.texts import LANGUAGES


def test_about_nine_chapters_in_both_languages_with_every_text():
    assert 8 <= len(lesson.CHAPTERS) <= 10
    for chapter in lesson.CHAPTERS:
        for lang in LANGUAGES:
            for name in lesson.TEXT_FIELDS:
                assert chapter.text(name, lang).strip(), (chapter.number, lang, name)
        # translated, not copied: the Spanish text differs from the English one
        assert chapter.text("text", "es") != chapter.text("text", "en")
    titles = {lang: [c.text("title", lang) for c in lesson.CHAPTERS] for lang in LANGUAGES}
    assert all(len(set(names)) == len(names) for names in titles.values())


def test_every_view_and_question_exists():
    views_seen = set()
    for chapter in lesson.CHAPTERS:
        assert chapter.view in lesson.VIEWS
        assert chapter.kind in KINDS
        views_seen.add(chapter.view)
        # asked of the seed's data (2 targets, 3 inputs), every question can be built
        question = chapter.question_for(
            ("apples", "oranges"), ("temperature", "rainfall", "humidity")
        )
        assert question.kind == chapter.kind
    assert {"data", "weights", "loss", "step"} <= views_seen
    for name in lesson.TAB_VIEWS:  # the server-drawn tabs the page can bring to the front
        assert f"tab.{name}" in TEXT
    assert {c.kind for c in lesson.CHAPTERS} == set(KINDS)  # the lesson asks every kind


def test_the_chapters_follow_the_notebook():
    """The seed's path: data, model, MSE, gradients, one update, training, learning rate,
    nn + optim, own data."""
    words = [c.text("text", "en") + c.text("title", "en") for c in lesson.CHAPTERS]
    for number, needle in enumerate(
        [
            "five regions",
            "torch.rand",
            "mean squared error",
            "loss.backward()",
            "W -= lr",
            "least-squares",
            "diverges",
            "torch.optim",
            "any table",
        ],
        start=1,
    ):
        assert needle in words[number - 1], (number, needle)


def test_a_question_naming_a_missing_column_says_so():
    chapter = next(c for c in lesson.CHAPTERS if c.question.get("target") == 2)
    with pytest.raises(LinregError) as raised:
        chapter.question_for(("sales",), ("price", "area"))
    assert "the data has 1 target(s), not 2" in str(raised.value)
    assert "objetivo(s)" in raised.value.message("es")


BASE = """
[[chapter]]
view = "loss"
question = { kind = "loss_after", epochs = 10 }
[chapter.en]
title = "T"
text = "A text."
do = "Do."
ask = "Ask?"
[chapter.es]
title = "T"
text = "Un texto."
do = "Haz."
ask = "¿Pregunta?"
"""


@pytest.mark.parametrize(
    "old, new, message",
    [
        ('view = "loss"', 'view = "sky"', "chapter 1: view 'sky' is not one of"),
        ('kind = "loss_after"', 'kind = "mood"', "question kind 'mood' is unknown"),
        ("epochs = 10", "epochs = 0", "from 1 to 100000, found 0"),
        ('ask = "¿Pregunta?"', 'ask = "  "', "[es] has no ask"),
        ('do = "Do."', 'do = "Do."\nhint = "x"', "[en] has unknown fields ['hint']"),
        (
            '{ kind = "loss_after", epochs = 10 }',
            '{ kind = "weight_direction", target = 0, input = 1 }',
            "positions start at 1",
        ),
    ],
)
def test_a_broken_lesson_table_names_the_chapter_and_the_problem(old, new, message):
    assert len(lesson.parse(BASE)) == 1
    with pytest.raises(ValueError) as raised:
        lesson.parse(BASE.replace(old, new))
    assert message in str(raised.value)


def test_the_chapter_lives_in_the_url():
    settings, ignored = from_query({"lesson": "3"})
    assert settings.lesson == 3 and not ignored
    assert Settings(lesson=3).to_query() == {"lesson": "3"}
    assert Settings().to_query() == {}  # no lesson: the free dashboard, nothing in the URL
    last = len(lesson.CHAPTERS)
    for bad in ("0", str(last + 1), "two", "-1"):
        settings, ignored = from_query({"lesson": bad})
        assert settings.lesson == 0 and ignored == [("lesson", bad)]
