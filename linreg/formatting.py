"""Numbers and equations as the page and the command line write them."""

from __future__ import annotations

import math
from collections.abc import Sequence


def number(value: float) -> str:
    """4 significant digits, scientific only for tiny or huge values: 0.1235, -4783, 1.2e-7."""
    value = float(value)
    if math.isnan(value):
        return "–"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    text = f"{value + 0.0:.4g}"  # + 0.0 turns -0.0 into 0.0
    mantissa, _, exponent = text.partition("e")
    return f"{mantissa}e{int(exponent)}" if exponent else text


def equation(
    weight: Sequence[float], bias: float, input_names: Sequence[str], minus: str = "−"
) -> str:
    """One target's model written out: ``0.1·temperature − 0.2·rainfall + 0.5``.

    weight (D,) and bias belong to that target; ``minus`` is the sign shown for negative terms
    ("-" where a terminal may lack "−").
    """
    terms = [(float(w), f"·{name}") for w, name in zip(weight, input_names, strict=True)]
    text = ""
    for i, (value, unit) in enumerate([*terms, (float(bias), "")]):
        sign = minus if value < 0 else "+"
        magnitude = number(abs(value)) if math.isfinite(value) else number(value)
        if i == 0:
            text = f"{sign if value < 0 else ''}{magnitude}{unit}"
        else:
            text += f" {sign} {magnitude}{unit}"
    return text
