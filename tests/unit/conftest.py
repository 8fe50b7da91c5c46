"""The unit tier: pure rules, no database, no HTTP. ``make test-unit`` runs it alone in seconds."""

from __future__ import annotations

import pytest

from shared.calendar import WorkingCalendar
from shared.rules.law import Law
from shared.settings import Settings


@pytest.fixture(scope="session")
def calendar() -> WorkingCalendar:
    return WorkingCalendar()


@pytest.fixture(scope="session")
def law() -> Law:
    """The law with the documented defaults of the settings, whatever the environment says."""
    return Law(**{name: Settings.model_fields[name].default for name in Law.__dataclass_fields__})
