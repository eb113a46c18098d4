"""The one error type the engine raises for bad input, with messages in English and Spanish."""

from __future__ import annotations

# code -> (English, Spanish). Placeholders are str.format fields; both texts use the same ones.
ERRORS: dict[str, tuple[str, str]] = {
    "unknown_sample": (
        "Unknown sample {name!r}; choose one of {choices}.",
        "Muestra desconocida {name!r}; elige una de {choices}.",
    ),
    "bad_setting": (
        "Invalid {name}: found {value!r}, expected {expected}.",
        "{name} no válido: se encontró {value!r}, se esperaba {expected}.",
    ),
    "shape_mismatch": (
        "Inputs and targets must have the same number of rows: found {n_inputs} and {n_targets}.",
        "Las entradas y los objetivos deben tener el mismo número de filas: se encontraron {n_inputs} y {n_targets}.",
    ),
    "predict_width": (
        "A row to predict needs {expected} input value(s) ({names}); found {found}.",
        "Una fila para predecir necesita {expected} valor(es) de entrada ({names}); se encontraron {found}.",
    ),
    "predict_not_finite": (
        "The values to predict must be finite numbers; found {values}.",
        "Los valores para predecir deben ser números finitos; se encontró {values}.",
    ),
}


class LinregError(ValueError):
    """Bad input or an impossible setting; the message says what was found and what is needed.

    ``code`` names the message in ``ERRORS`` and ``params`` fill it, so a user interface can
    show it in any supported language with ``err.message(lang)``.
    """

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str = "en") -> str:
        english, spanish = ERRORS[self.code]
        template = spanish if lang == "es" else english
        return template.format(**self.params)
