"""schemathesis over the OpenAPI spec, against uvicorn on a real socket and seeded data:
no server errors, every response as documented, and invalid input rejected.

Cases come from schemathesis' Hypothesis strategies, driven here rather than through its
pytest plugin, whose lazy-fixture loader does not run under pytest 9.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode, checks

pytestmark = pytest.mark.integration
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
]
# The stream never ends by design; tests/api/routes/test_stream.py covers it.
ENDLESS = {"/v1/stream"}


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_keeps_its_documented_promises(live_url: str, mode: GenerationMode) -> None:
    schema = schemathesis.openapi.from_url(f"{live_url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    # Without parameters there is nothing invalid to send.
    tested = [
        op
        for op in operations
        if op.path not in ENDLESS and (mode is GenerationMode.POSITIVE or len(op.query) > 0)
    ]
    assert {op.path for op in tested} >= {"/v1/candles", "/v1/stats", "/v1/prices/latest"}
    for operation in tested:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=50, suppress_health_check=list(HealthCheck), database=None)
        def check(case: schemathesis.Case) -> None:  # type: ignore[type-arg]
            case.call_and_validate(checks=CHECKS)

        check()
