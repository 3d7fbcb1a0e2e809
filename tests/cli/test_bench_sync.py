"""`storebox bench --sections sync` at a tiny size: the agent's initial sync and incremental
round against a real hub, and the hub's push figure, each with its floor from the same run.
Figures are checked for presence and sense, never against the clock."""

from __future__ import annotations

import json
import math

import pytest

from cli.main import main


def test_the_sync_section_reports_its_figures(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["bench", "--sections", "sync", "--json", "--pg-url", ""]
    args += ["--sync-items", "300", "--sync-changed", "40"]
    args += ["--push-shops", "3", "--push-events", "60"]
    assert main(args) == 0
    doc = json.loads(capsys.readouterr().out)
    figures = {f["name"]: f for f in doc["figures"]}
    assert set(figures) == {"sync_initial_catalogue", "sync_incremental_round", "hub_push_sqlite"}
    for f in figures.values():
        assert math.isfinite(f["value"]) and f["value"] > 0, f
        assert f["baseline"] is not None and f["baseline"] > 0, f
        assert f["ratio"] is not None and f["ratio"] > 0, f
    # the work was done, not only timed: every good arrived, the changes in one round
    assert figures["sync_initial_catalogue"]["note"].startswith("300 of 300 goods in one round")
    assert "no error" in figures["sync_initial_catalogue"]["note"]
    assert figures["sync_incremental_round"]["note"].startswith("40 of 40 arrived in this round")
    assert "60 applied" in figures["hub_push_sqlite"]["note"]
    assert doc["meta"]["sync"]["items"] == 300 and doc["meta"]["sync"]["push_on"] == "sqlite"


def test_a_section_that_does_not_exist_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--sections", "ui"]) != 0
    assert "--sections" in capsys.readouterr().err
