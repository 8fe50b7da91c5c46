"""Facts from a followed page: one insert for the page, each fact with its stream's department."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete, select

from services.assessment.projection import record_fact, record_facts
from services.assessment.read_models import fact
from shared.settings import Settings
from tests.assessment.test_properties import START, _item
from tests.support import open_application

AT = [START + timedelta(hours=n) for n in range(6)]
PAGE = [
    _item(1, "catalogue.InformationRequestReceived", "req", AT[0], {"department": "FIN", "received_on": "2026-01-05"}),
    _item(2, "catalogue.InformationRequestExtended", "req", AT[1], {"on": "2026-01-20", "working_days": 10}),
    _item(3, "catalogue.RecordDrafted", "rec", AT[2], {"department": "EDU", "formed_on": "2026-01-05"}),
    _item(4, "catalogue.RecordPublished", "rec", AT[3], {"published_at": AT[3].isoformat()}),
    _item(5, "catalogue.InformationRequestReplied", "req", AT[4], {"on": "2026-02-01", "outcome": "granted"}),
    _item(6, "catalogue.RecordRevoked", "orphan", AT[5], {}),
]
EXPECTED = [(1, "FIN"), (2, "FIN"), (3, "EDU"), (4, "EDU"), (5, "FIN"), (6, None)]


def _stored(app: Any) -> list[tuple[int, str | None]]:
    with app.reading() as session:
        return [
            (int(p), d) for p, d in session.execute(select(fact.c.position, fact.c.department).order_by("position"))
        ]


@pytest.mark.parametrize("split", [[6], [1, 5], [2, 2, 2], [1, 1, 1, 1, 1, 1]])
def test_a_page_gets_the_departments_one_item_at_a_time_gets(settings: Settings, split: list[int]) -> None:
    with open_application("assessment", settings) as app:
        done = 0
        for size in split:  # pages as the follower would get them
            with app.transaction() as session:
                record_facts("catalogue")(app, session, PAGE[done : done + size])
            done += size
        assert _stored(app) == EXPECTED
        with app.transaction() as session:
            session.execute(delete(fact))
            for item in PAGE:
                record_fact("catalogue")(app, session, item)
        assert _stored(app) == EXPECTED
