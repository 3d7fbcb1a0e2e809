"""The wire schemas refuse what the other side got wrong, rather than reinterpreting it."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from sync import protocol

AGENT = {"online": True, "pending_events": 0, "dead_letters": 0}


@pytest.mark.parametrize(
    ("field", "value"),
    [("online", 0), ("online", "true"), ("pending_events", "3"), ("dead_letters", 1.5)],
)
def test_booleans_and_integers_are_strict(field, value):
    with pytest.raises(ValidationError, match=field):
        protocol.AgentState.model_validate({**AGENT, field: value})


def test_strict_types_still_read_json():
    state = protocol.AgentState.model_validate_json(
        '{"online": false, "pending_events": 3, "dead_letters": 0,'
        ' "last_success_at": "2026-11-25T10:00:00+08:00"}'
    )
    assert state.online is False
    assert state.pending_events == 3
    assert state.last_success_at is not None
    assert state.last_success_at.utcoffset() is not None
    assert state.last_success_at.hour == 2  # moved to UTC


def test_a_json_integer_written_with_a_zero_fraction_is_an_integer():
    # JSON Schema's "integer" includes 12.0, and some JSON writers spell whole numbers so
    assert protocol.AgentState.model_validate({**AGENT, "pending_events": 12.0}).pending_events == 12


def test_a_catalogue_price_must_be_whole_fen():
    with pytest.raises(ValidationError, match="wholesale_price_fen"):
        protocol.CatalogItem.model_validate(
            {"sku": "A1", "name": "可乐", "wholesale_price_fen": 2.5, "retail_price_fen": 300}
        )


@pytest.mark.parametrize("value", [0, 1764000000, 1764000000.5, True])
def test_a_time_must_be_iso_text_not_a_number(value):
    with pytest.raises(ValidationError, match="ISO 8601"):
        protocol.AgentState.model_validate({**AGENT, "last_success_at": value})
