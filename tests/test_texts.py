"""Every text of every catalog exists in English and Spanish with the same placeholders, and
every key the code uses exists."""

import ast
import string
from pathlib import Path

import pytest

from linreg import cli, data, script
from linreg.dashboard import lesson, live
from linreg.dashboard import texts as page_texts
from linreg.dashboard.quiz import WORDED_CHOICES
from linreg.dashboard.settings import DATA_SOURCES
from linreg.dashboard.texts import TEXT, t
from linreg.dashboard.workbench import RESTARTING
from linreg.errors import ERRORS, LinregError
from linreg.page.figures import DEFAULT_LABELS
from linreg.questions import KINDS
from linreg.texts import LANGUAGES, catalogs
from linreg.trainer import ENGINES, INITS, OPTIMIZERS

ROOT = Path(__file__).resolve().parent.parent
# Sources whose t("...") and Notice("...") keys must exist in the page catalog.
PAGE_SOURCES = sorted((ROOT / "linreg" / "page").glob("*.py")) + sorted(
    (ROOT / "linreg" / "dashboard").glob("*.py")
)
# The engine's catalogs, the sources that read them, and the calls that do.
ENGINE_USES = {
    "cli": (ROOT / "linreg" / "cli.py", ("TEXT",), cli.TEXT),
    "script": (ROOT / "linreg" / "script.py", ("COMMENTS", "comment"), script.COMMENTS),
}
# Every source that may raise a LinregError.
ALL_SOURCES = sorted((ROOT / "linreg").rglob("*.py"))

# Keys built with an f-string: the prefix, and every value its placeholder can take.
EXPANSIONS: dict[str, tuple[str, ...]] = {
    "source.": DATA_SOURCES,
    "engine.": ENGINES,
    "opt.": OPTIMIZERS,
    "init.": INITS,
    "setting.": RESTARTING,
    "diverged.": ("not_finite", "exploded"),
    "step.optimizer.": OPTIMIZERS,
    "step.col.": ("old", "grad", "lr_grad", "new"),
    "tab.": ("predictions", "step", "landscape", "predict", "code"),
    "fig.": tuple(DEFAULT_LABELS),
    "lesson.view.": lesson.VIEWS,
    "choice.": WORDED_CHOICES,
    "quiz.kind.": ("chapter", *KINDS),
    "quiz.asks.": tuple(KINDS),
    "challenge.verified.": ("yes", "no", "none"),
    "what.": (
        "loss_direction.up",
        "loss_direction.down",
        "weight_direction.increase",
        "weight_direction.decrease",
        "divergence.yes",
        "divergence.no",
    ),
}

# Texts that are the same words in both languages (names, symbols).
SAME_IN_BOTH = {
    "torch.nn + torch.optim",
    "SGD",
    "Adam",
    "Normal — torch.randn",
    "R²",
    "R²: {scores}",
    "y = x",
    "error",
    "grad",
    "lr · grad",
    "W",
    "b",
    "W.grad",
    "b.grad",
    "No",
}


def placeholders(text: str) -> set[tuple[str, str, str]]:
    """(field, conversion, format spec) of every replacement field in ``text``."""
    return {
        (field, conversion or "", spec or "")
        for _, field, spec, conversion in string.Formatter().parse(text)
        if field is not None
    }


def all_entries():
    return [
        (catalog, key, texts)
        for catalog, entries in catalogs().items()
        for key, texts in entries.items()
    ]


def test_one_mechanism_holds_every_catalog():
    found = catalogs()
    assert found == {
        "page": TEXT,
        "errors": ERRORS,
        "cli": cli.TEXT,
        "script": script.COMMENTS,
        "data": data.NOTES,
    }
    assert set(LANGUAGES) == {"en", "es"}


@pytest.mark.parametrize("name", sorted(ENGINE_USES))
def test_every_engine_key_used_exists(name):
    path, functions, catalog = ENGINE_USES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    used = {
        call.args[0].value: f"{path.name}:{call.lineno}"
        for function in functions
        for call in _calls(tree, function)
        if isinstance(call.args[0], ast.Constant)
    }
    assert used, f"no key found in {path.name}"
    assert {key: where for key, where in used.items() if key not in catalog} == {}


@pytest.mark.parametrize(
    ("catalog", "key", "texts"), all_entries(), ids=[f"{c}:{k}" for c, k, _ in all_entries()]
)
def test_every_message_exists_in_both_languages(catalog, key, texts):
    assert isinstance(texts, tuple) and len(texts) == 2, f"{catalog}:{key} needs (English, Spanish)"
    english, spanish = texts
    assert isinstance(english, str) and english.strip(), f"{catalog}:{key} has no English"
    assert isinstance(spanish, str) and spanish.strip(), f"{catalog}:{key} has no Spanish"
    assert placeholders(english) == placeholders(spanish), f"{catalog}:{key} placeholders differ"


def test_spanish_is_a_translation():
    entries = all_entries()
    same = [(c, k) for c, k, (en, es) in entries if en == es and en not in SAME_IN_BOTH]
    assert same == [], f"untranslated: {same}"
    identical = sum(en == es for _, _, (en, es) in entries)
    assert identical <= 0.1 * len(entries)


def test_a_message_in_one_language_fails_the_check(monkeypatch):
    """The checks above would catch a missing translation (guards the guard)."""
    broken = {"x.only_english": ("Only English {n}", "")}
    with pytest.raises(AssertionError):
        test_every_message_exists_in_both_languages(
            "page", "x.only_english", broken["x.only_english"]
        )
    with pytest.raises(AssertionError):
        test_every_message_exists_in_both_languages("page", "x.bad", ("Hello {n}", "Hola {m}"))
    with pytest.raises(AssertionError):
        test_every_message_exists_in_both_languages("page", "x.one", ("Hello",))


# -- keys used in the code ---------------------------------------------------------------------
def _calls(tree: ast.AST, name: str):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if called == name and node.args:
                yield node


def _literal_keys(node: ast.expr, where: str) -> tuple[set[str], set[str]]:
    """(plain keys, f-string prefixes) an argument expression can produce."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}, set()
    if isinstance(node, ast.JoinedStr):
        first = node.values[0]
        prefix = first.value if isinstance(first, ast.Constant) else ""
        assert len(node.values) == 2, f"{where}: only f'prefix.{{value}}' keys are checked"
        return set(), {prefix}
    if isinstance(node, ast.IfExp):
        a_keys, a_prefixes = _literal_keys(node.body, where)
        b_keys, b_prefixes = _literal_keys(node.orelse, where)
        return a_keys | b_keys, a_prefixes | b_prefixes
    return set(), set()  # a variable: its values are checked where they are made


def _used_page_keys() -> tuple[dict[str, str], dict[str, str]]:
    keys, prefixes = {}, {}
    for path in PAGE_SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ("t", "Notice"):
            for call in _calls(tree, function):
                where = f"{path.name}:{call.lineno}"
                found_keys, found_prefixes = _literal_keys(call.args[0], where)
                keys.update(dict.fromkeys(found_keys, where))
                prefixes.update(dict.fromkeys(found_prefixes, where))
    # The live views' words, looked up by name from the component's table.
    keys.update(dict.fromkeys(live.LABEL_KEYS.values(), "live.py:LABEL_KEYS"))
    return keys, prefixes


def test_the_scan_finds_the_page():
    keys, prefixes = _used_page_keys()
    assert {"btn.step", "btn.run", "btn.play", "btn.pause", "btn.reset"} <= set(keys)
    assert {"metric.epoch", "metric.loss", "notice.reset", "notice.restart_setting"} <= set(keys)
    assert {"source.", "engine.", "opt.", "init.", "setting.", "tab."} <= set(prefixes)


def test_every_key_used_exists():
    keys, _ = _used_page_keys()
    missing = {key: where for key, where in keys.items() if key not in TEXT}
    assert missing == {}


def test_every_fstring_key_expands_to_existing_keys():
    _, prefixes = _used_page_keys()
    unknown = {p: where for p, where in prefixes.items() if p not in EXPANSIONS}
    assert unknown == {}, "add the values these f-string keys can take to EXPANSIONS"
    missing = [
        prefix + value
        for prefix in prefixes
        for value in EXPANSIONS[prefix]
        if prefix + value not in TEXT
    ]
    assert missing == []


def test_notice_ignored_params_is_filled_by_the_session():
    assert placeholders(TEXT["notice.ignored_params"][0]) == {("params", "", "")}
    assert placeholders(TEXT["notice.restart_setting"][0]) == {("setting", "", "")}


def test_figure_labels_exist_in_both_languages():
    from linreg.page import views

    for lang in LANGUAGES:
        labels = views._labels(lang)
        assert labels and all(labels.values())


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_t_formats_every_message(lang):
    """Every page message formats with dummy values for its placeholders."""
    for key, (english, _) in TEXT.items():
        params = {field: 1234 for field, _, _ in placeholders(english)}
        assert t(key, lang, **params)


def test_t_picks_the_language():
    assert t("btn.step", "en") == "Step"
    assert t("btn.step", "es") == "Paso"
    assert t("btn.step") == "Step"
    assert page_texts.t("metric.epoch", "es") == "Época"


def test_errors_raised_in_the_code_exist_with_their_placeholders():
    """Every LinregError("code", **params) names a message whose placeholders it fills."""
    problems = []
    seen = set()
    for path in ALL_SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call in _calls(tree, "LinregError"):
            code = call.args[0]
            if not (isinstance(code, ast.Constant) and isinstance(code.value, str)):
                continue
            where = f"{path.relative_to(ROOT)}:{call.lineno}"
            seen.add(code.value)
            if code.value not in ERRORS:
                problems.append(f"{where}: no message {code.value!r}")
                continue
            if any(k.arg is None for k in call.keywords):
                continue  # **params: cannot check statically
            given = {k.arg for k in call.keywords}
            needed = {field for field, _, _ in placeholders(ERRORS[code.value][0])}
            if given != needed:
                problems.append(
                    f"{where}: {code.value} gets {sorted(given)}, needs {sorted(needed)}"
                )
    assert problems == []
    assert {"file_empty", "not_a_number", "role_overlap", "bad_setting"} <= seen


@pytest.mark.parametrize("code", sorted(ERRORS))
def test_every_error_message_formats_in_both_languages(code):
    params = {field: "x" for field, _, _ in placeholders(ERRORS[code][0])}
    error = LinregError(code, **params)
    assert error.message("en") != error.message("es")
    assert str(error) == error.message("en")


def test_an_optimizers_label_is_filled_from_its_declaration():
    """The momentum is said once, in linreg.trainer.OPTIMIZERS; its label reads it."""
    for name, choice in OPTIMIZERS.items():
        for lang in LANGUAGES:
            assert t(f"opt.{name}", lang, **choice.options)
    assert t("opt.momentum", "en", **OPTIMIZERS["momentum"].options) == "SGD with momentum (0.9)"
