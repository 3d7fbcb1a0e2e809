"""Fuzz the hub against its own OpenAPI description (schemathesis): whatever a client sends,
the answer is documented, an ErrorBody when it is an error, and never a 500.

schemathesis's pytest plugin (`from_fixture`) does not run on this pytest, so each operation's
strategy is driven by hypothesis directly; the checks are schemathesis's own."""

from __future__ import annotations

import itertools
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.modes import GenerationMode

from sync import protocol
from tests.sync.conftest import RunningHub

CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            # A request that fits the schema may still name a cursor of another hub database
            # (410), another stream or an enrol code that does not exist (403): these depend on
            # the hub's state, not on the request's shape, and are documented answers.
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "400", "401", "403", "404", "410"],
            },
        }
    }
)


ACQUIRER_CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            # The acquirer's answers depend on its orders too: a key used before with other
            # parameters or a refund above what is left (422), too early to reverse or an order
            # in the wrong state (409). So do the billers': an account that fits the schema but
            # not the biller's rules (422), an unknown biller or account (404), a closed biller,
            # an expired query or a limit (409). Still never a 500, always an ErrorBody.
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "410", "422"],
            },
        }
    }
)


def test_the_hub_answers_every_request_as_documented(hub: RunningHub) -> None:
    schema = schemathesis.openapi.from_url(hub.base_url + "/openapi.json", config=CONFIG)
    acquirer = schemathesis.openapi.from_url(hub.base_url + "/openapi.json", config=ACQUIRER_CONFIG)
    token = hub.enrol().token
    stateful = ("/v1/acquirer/", "/v1/bills/")
    operations = [
        result.ok()
        for result in schema.get_all_operations()
        if not result.ok().path.startswith(stateful)
    ] + [
        result.ok()
        for result in acquirer.get_all_operations()
        if result.ok().path.startswith(stateful)
    ]
    assert {op.path for op in operations} >= {
        protocol.ENROL_PATH,
        protocol.ME_PATH,
        protocol.PUSH_PATH,
        protocol.EVENT_PATH,
        protocol.PULL_PATH,
        protocol.HEALTH_PATH,
        protocol.BILL_LOOKUP_PATH,
        protocol.BILL_PAY_PATH,
        protocol.BILL_PAYMENT_PATH,
        protocol.BILL_STATEMENT_PATH,
    }
    for operation, mode in itertools.product(operations, GenerationMode):

        @given(case=operation.as_strategy(mode))
        @settings(
            max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def fuzz(case: Any) -> None:
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, timeout=10)

        fuzz()
