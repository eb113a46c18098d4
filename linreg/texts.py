"""Every word a person reads, in English and Spanish: one mechanism for the errors, the command
line, the generated script's comments and the dashboard's page.

Each part of the project declares its words in a ``Catalog`` (key -> (English, Spanish), both
with the same ``str.format`` placeholders) and reads them with ``catalog(key, lang, **params)``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import NamedTuple

LANGUAGES: dict[str, str] = {"en": "English", "es": "Español"}

_CATALOGS: dict[str, Catalog] = {}


class Phrase(NamedTuple):
    """A text parameter that is itself words, in English and Spanish."""

    en: str
    es: str

    def in_(self, lang: str) -> str:
        return self.es if lang == "es" else self.en


class Catalog(Mapping[str, tuple[str, str]]):
    """Named bilingual texts: ``catalog(key, lang, **params)`` gives one filled in."""

    def __init__(self, name: str, entries: Mapping[str, tuple[str, str]]) -> None:
        if name in _CATALOGS:
            raise ValueError(f"a catalog called {name!r} exists already")
        self.name = name
        self._entries = dict(entries)
        _CATALOGS[name] = self

    def __call__(self, key: str, lang: str = "en", **params: object) -> str:
        """The text called ``key`` in ``lang`` ("en" or "es"); Phrase parameters follow ``lang``."""
        english, spanish = self._entries[key]
        params = {k: v.in_(lang) if isinstance(v, Phrase) else v for k, v in params.items()}
        return (spanish if lang == "es" else english).format(**params)

    def __getitem__(self, key: str) -> tuple[str, str]:
        return self._entries[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


def catalogs() -> dict[str, Catalog]:
    """Every catalog declared so far (a module's catalog exists once the module is imported)."""
    return dict(_CATALOGS)
