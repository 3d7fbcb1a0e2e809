"""The window's speed figures run end to end on a small shop: every figure comes back with a
sample behind it (the values are the benchmark's business, not the test's)."""

from __future__ import annotations

import math

import pytest

from cli.bench import Figure
from storebox import catalog, demo, shifts
from storebox.shop import Shop
from tests.ui.conftest import owner_actor
from ui import bench_ui


@pytest.mark.slow
def test_ui_figures_come_back_from_the_real_window(shop: Shop, people: demo.DemoPeople) -> None:
    shifts.open_shift(shop, owner_actor(shop), 10_000)
    codes = [p.barcodes[0] for p in catalog.list_products(shop, limit=3)]
    figures = bench_ui.figures(
        shop.settings.data_dir,
        codes=codes,
        latin=["kkl"],
        chinese=["可乐"],
        log=lambda _m: None,
        start_runs=1,
    )
    by_name = {f["name"]: Figure(**f) for f in figures}
    assert set(by_name) == {
        "ui_window_start_median",
        "ui_scan_to_line_visible_p95",
        "ui_serial_scan_to_line_visible_p95",
        "ui_search_keystroke_p95",
        "ui_search_ime_commit_p95",
        "ui_products_search_keystroke_p95",
        "ui_products_search_ime_commit_p95",
    }
    for figure in by_name.values():
        assert math.isfinite(figure.value) and figure.value > 0, figure.line()
        assert figure.baseline is not None and figure.baseline > 0, figure.line()
        assert " 0 missed" in figure.note or "missed" not in figure.note, figure.line()
