"""Schemathesis against every service's own OpenAPI document, with every check it has.

Every operation of every service is called with data generated from its schema (valid data, and
data that breaks the schema) as the office and without a token, and each answer is checked:
no server error, no status code or content type the document does not list, bodies and headers
as documented, invalid data rejected, authentication not ignored.

One check is adapted to the contract: api.md answers a request that breaks a rule of the law or
of the registry (an unknown department code, a closing date before the opening one) with 422
and a code naming the rule. Schemathesis's own "positive data acceptance" would count such an
answer as a schema-valid request rejected; here a schema-valid request must never be answered
``validation_failed`` (the code for input the schema should have ruled out), and any other
answer is judged by the remaining checks.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import CheckContext
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import Failure
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from shared.settings import SERVICES, Settings
from shared.types import EARLIEST, LATEST
from tests.support import auth, service_client

EXAMPLES_PER_OPERATION = 8
# What rejects a request that breaks the schema: schemathesis's list plus 413 (a body over
# OPENNESS_MAX_BODY_BYTES is refused before it is read); no 5xx.
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "negative_data_rejection": {
                "expected-statuses": [
                    "400",
                    "401",
                    "403",
                    "404",
                    "405",
                    "406",
                    "409",
                    "413",
                    "415",
                    "422",
                    "428",
                    "429",
                ]
            }
        }
    }
)

# Dates and moments within the range the schema states (formatMinimum/formatMaximum, which the
# generator does not read): 1949-10-01 to 2100-12-31.
_DAYS = st.dates(min_value=EARLIEST, max_value=LATEST)
schemathesis.openapi.format("date", _DAYS.map(date.isoformat))
schemathesis.openapi.format(
    "date-time",
    st.builds(
        lambda day, seconds, offset: (
            f"{day.isoformat()}T{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}{offset}"
        ),
        _DAYS,
        st.integers(0, 86_399),
        st.sampled_from(["+08:00", "Z", "-05:00"]),
    ),
)


@schemathesis.check
def schema_valid_input_passes_validation(ctx: CheckContext, response: Any, case: Any) -> bool | None:
    """A request the schema allows is never answered 422 ``validation_failed``."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 422:
        return None
    problem = response.json()
    if problem.get("code") == "validation_failed":
        raise Failure(
            operation=case.operation.label,
            title="Schema-valid request failed validation",
            message=f"the schema allows this request but the service says: {problem.get('detail')}",
        )
    return None


@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_keeps_its_contract(settings: Settings, service: str) -> None:
    failures: list[str] = []
    with service_client(service, settings) as client:
        schema = schemathesis.openapi.from_asgi("/openapi.json", client.app, config=CONFIG)
        headers = auth(settings, "office")
        operations = [result.ok() for result in schema.get_all_operations()]
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

                @given(case=operation.as_strategy(generation_mode=mode))
                @hypothesis_settings(
                    max_examples=EXAMPLES_PER_OPERATION,
                    deadline=None,
                    suppress_health_check=list(HealthCheck),
                    database=None,
                    derandomize=True,  # the same requests on every run: a failure is reproducible
                )
                def run(case: Any) -> None:
                    # Valid requests carry the office's token. A schema-breaking request keeps what
                    # was generated: if the breach is a missing Authorization, adding one would undo it.
                    given_token = "Authorization" in (case.headers or {})
                    case.call_and_validate(
                        headers=headers if case.meta.generation.mode.is_positive or given_token else None,
                        additional_checks=[schema_valid_input_passes_validation],
                        excluded_checks=[positive_data_acceptance],
                    )

                try:
                    run()
                except Unsatisfiable:
                    continue  # nothing in the request can break its schema (no parameters, no body)
                except BaseException as error:
                    failures.append(f"{operation.method.upper()} {operation.path} ({mode.value}): {str(error)[:700]}")
    assert len(operations) > 10
    assert failures == [], "\n\n".join(failures)
