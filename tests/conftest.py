from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from shared.settings import Settings
from tests.support import BACKENDS, drop_schemas, make_settings, service_client


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def settings(backend: str, tmp_path: Path) -> Iterator[Settings]:
    value = make_settings(backend, tmp_path)
    yield value
    drop_schemas(value)


@pytest.fixture
def catalogue(settings: Settings) -> Iterator[TestClient]:
    with service_client("catalogue", settings) as client:
        yield client


@pytest.fixture
def opinion(settings: Settings) -> Iterator[TestClient]:
    with service_client("opinion", settings) as client:
        yield client


@pytest.fixture
def assessment(settings: Settings) -> Iterator[TestClient]:
    with service_client("assessment", settings) as client:
        yield client
