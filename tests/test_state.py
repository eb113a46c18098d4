"""Settings <-> URL query parameters: what a shared link reproduces, and what it ignores."""

from dataclasses import fields

import pytest

from linreg.dashboard.settings import MAX_SEED, Settings, from_query
from linreg.trainer import TrainConfig

# A value different from the default for every field of Settings.
NON_DEFAULTS = {
    "lang": "es",
    "data": "sample15",
    "inputs": ("temperature", "humidity"),
    "targets": ("oranges",),
    "engine": "nn",
    "opt": "adam",
    "lr": 0.0003,
    "batch": 2,
    "std": True,
    "stdy": True,
    "init": "normal",
    "seed": 12345,
    "drop": True,
    "run": 2500,
    "speed": 7,
    "log": True,
    "present": True,
    "lesson": 4,
}


def test_non_defaults_cover_every_field():
    assert set(NON_DEFAULTS) == {f.name for f in fields(Settings)}
    default = Settings()
    for name, value in NON_DEFAULTS.items():
        assert getattr(default, name) != value, name


def test_defaults_make_an_empty_query():
    assert Settings().to_query() == {}
    settings, ignored = from_query({})
    assert settings == Settings()
    assert ignored == []


@pytest.mark.parametrize("name", sorted(NON_DEFAULTS))
def test_each_field_round_trips_alone(name):
    settings = Settings(**{name: NON_DEFAULTS[name]})
    query = settings.to_query()
    assert list(query) == [name]  # only what differs from the defaults
    assert all(isinstance(value, str) for value in query.values())
    back, ignored = from_query(query)
    assert ignored == []
    assert back == settings


def test_all_fields_round_trip_together():
    settings = Settings(**NON_DEFAULTS)
    query = settings.to_query()
    assert set(query) == set(NON_DEFAULTS)
    back, ignored = from_query(query)
    assert ignored == []
    assert back == settings


def test_query_strings_are_what_a_person_would_type():
    query = Settings(**NON_DEFAULTS).to_query()
    assert query["std"] == "1"
    assert query["inputs"] == "temperature,humidity"
    assert float(query["lr"]) == 0.0003
    assert query["seed"] == "12345"


@pytest.mark.parametrize("lr", [1e-7, 3e-7, 1.2345678901234567e-5, 0.1, 1.0, 10.0, 1 / 3, 2.5e-12])
def test_learning_rate_round_trips_exactly(lr):
    back, ignored = from_query(Settings(lr=lr).to_query())
    assert ignored == []
    assert back.lr == lr


def test_large_seed_round_trips():
    back, _ = from_query(Settings(seed=MAX_SEED).to_query())
    assert back.seed == MAX_SEED


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("lr", "abc"),
        ("lr", "-1"),
        ("lr", "0"),
        ("lr", "inf"),
        ("lr", "nan"),
        ("lr", "1e400"),
        ("lr", "11"),
        ("seed", "-3"),
        ("seed", "1.5"),
        ("seed", str(MAX_SEED + 1)),
        ("engine", "keras"),
        ("opt", "rmsprop"),
        ("init", "ones"),
        ("batch", "x"),
        ("batch", "-1"),
        ("std", "2"),
        ("std", "yes"),
        ("drop", "maybe"),
        ("log", "-1"),
        ("present", "2"),
        ("data", "evil"),
        ("data", "../../etc/passwd"),
        ("lang", "fr"),
        ("run", "0"),
        ("speed", "100000"),
        ("lesson", "0"),
        ("lesson", "99"),
    ],
)
def test_invalid_values_are_ignored_and_reported(name, value):
    settings, ignored = from_query({name: value})
    assert settings == Settings()  # the default stays
    assert ignored == [(name, value)]


def test_unknown_names_are_ignored_and_reported():
    settings, ignored = from_query({"unknown": "1", "seed": "4"})
    assert settings == Settings(seed=4)
    assert ignored == [("unknown", "1")]


def test_good_values_survive_beside_bad_ones():
    settings, ignored = from_query(
        {"lr": "abc", "seed": "5", "engine": "keras", "std": "1", "foo": "bar"}
    )
    assert settings == Settings(seed=5, std=True)
    assert sorted(ignored) == [("engine", "keras"), ("foo", "bar"), ("lr", "abc")]


def test_list_valued_params_take_the_last():
    settings, ignored = from_query({"seed": ["1", "2", "3"], "lang": ["en", "es"]})
    assert ignored == []
    assert settings == Settings(seed=3, lang="es")


def test_list_valued_invalid_last_is_ignored():
    settings, ignored = from_query({"seed": ["1", "bad"]})
    assert settings.seed == 0
    assert ignored == [("seed", "bad")]


def test_values_are_stripped_and_flags_accept_words():
    settings, ignored = from_query({"seed": " 7 ", "std": "true", "log": "false"})
    assert ignored == []
    assert settings == Settings(seed=7, std=True, log=False)


def test_names_drop_empty_items():
    settings, _ = from_query({"inputs": "a,,b,", "targets": "c"})
    assert settings.inputs == ("a", "b")
    assert settings.targets == ("c",)


def test_train_config_mapping():
    settings = Settings(
        engine="nn", opt="momentum", lr=0.01, batch=3, std=True, init="zeros", seed=9
    )
    assert settings.train_config() == TrainConfig(
        learning_rate=0.01,
        engine="nn",
        optimizer="momentum",
        batch_size=3,
        standardize=True,
        init="zeros",
        seed=9,
    )


def test_train_config_full_batch_is_none():
    config = Settings(batch=0).train_config()
    assert config.batch_size is None
    assert config == TrainConfig()
    config.validate()
