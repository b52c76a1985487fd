"""Schemathesis, in its GraphQL mode, against a live gateway: no input produces a 5xx.

Every query and mutation of the schema is fuzzed with generated arguments and selections,
once anonymously and once with a guardian's token, for a bounded number of examples.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from demo.demo_population import GUARDIAN
from tests.support.gateway_processes import GATEWAY_PROCESSES, gateway_process
from tests.support.running_gateway import GENEROUS_LIMITS
from tests.support.tokens import issue_access_token

pytestmark = GATEWAY_PROCESSES
EXAMPLES_PER_OPERATION = 15
SECRET = secrets.token_urlsafe(40)


@pytest.fixture(scope="module")
def live_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    environment = {
        "BAWABA_DATA_DIR": str(tmp_path_factory.mktemp("fuzz")),
        "BAWABA_SECRET_KEY": SECRET,
        "BAWABA_AGENCY_REVIEW": "false",
        "BAWABA_AUTO_MIGRATE": "true",
        **{f"BAWABA_{name.upper()}": value for name, value in GENEROUS_LIMITS.items()},
    }
    with gateway_process(environment) as url:
        yield url


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "guardian"])
def test_no_generated_request_causes_a_server_error(live_gateway, signed_in) -> None:
    schema = schemathesis.graphql.from_url(f"{live_gateway}/graphql")
    headers = {}
    if signed_in:
        headers["Authorization"] = f"Bearer {issue_access_token(SECRET, GUARDIAN.national_id)}"
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def fuzz(case) -> None:
            response = case.call(headers=headers)
            if response.status_code >= 500:
                failures.append((case.operation.label, case.body, response.status_code))

        fuzz()
    assert failures == []
