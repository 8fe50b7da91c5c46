"""The unit tier: pure rules, no database, no HTTP. ``make test-unit`` runs it alone in seconds."""

from __future__ import annotations

import pytest

from shared.calendar import WorkingCalendar
from shared.rules.law import Law


@pytest.fixture(scope="session")
def calendar() -> WorkingCalendar:
    return WorkingCalendar()


@pytest.fixture(scope="session")
def law() -> Law:
    return Law()
