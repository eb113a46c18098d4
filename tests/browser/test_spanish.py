"""The whole page in Spanish with ?lang=es, the sample's columns included."""

from __future__ import annotations

import pytest
from browserkit import (
    assert_no_traceback,
    button,
    click_until_epoch,
    equations_text,
    readout,
    screenshot,
    table_headers,
)
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

COLUMNS = ("temperatura", "lluvia", "humedad", "manzanas", "naranjas")


def test_spanish_page(open_page):
    page = open_page("?lang=es")
    for label in ("Paso", "Ejecutar", "Reproducir", "Pausa", "Reiniciar"):
        expect(button(page, label)).to_be_visible()
    for label in ("Step", "Run", "Play", "Pause", "Reset"):
        expect(button(page, label)).to_have_count(0)
    expect(readout(page, "epoch")).to_have_text("0")
    expect(readout(page, "loss")).to_be_visible()

    headers = table_headers(page)
    expect(headers).to_have_text(list(COLUMNS))
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_test_id("stMultiSelect").locator("[data-tag]")).to_have_text(
        list(COLUMNS)
    )
    expect(sidebar).to_contain_text("Muestra: 5 regiones")

    click_until_epoch(page, "Paso", 1)
    equations = equations_text(page)
    expect(equations).to_contain_text("·temperatura")
    expect(equations).to_contain_text("naranjas = ")
    expect(page.get_by_role("heading", name="Predicciones")).to_be_visible()
    expect(page.locator(".lv-table")).to_contain_text("predicho")
    expect(page.get_by_role("tab", name="Dentro de un paso")).to_be_visible()
    expect(page.get_by_role("heading", name="Pesos tras la época 1")).to_be_visible()
    assert_no_traceback(page)
    screenshot(page, "spanish")
