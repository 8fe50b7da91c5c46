"""The judge's tallies (services.assessment.tallies) count what the judge counts fact by fact, in
the cases where a count settled earlier must change: a withdrawn interpretation, a retired item,
a record covering an item, and a request whose deadline moves during a consultation."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given
from hypothesis import settings as hypothesis_settings

from services.assessment.counting import Counting, Rules
from services.assessment.scores import default_scheme
from services.assessment.scoring import Judge
from services.assessment.tallies import tally_of
from services.assessment.world import World
from shared.calendar import WorkingCalendar
from shared.settings import Settings
from tests.assessment.test_properties import histories

CALENDAR = WorkingCalendar()
SETTINGS = Settings()
DEPARTMENTS = ["FIN", "EDU"]


def at(day: str, hour: int = 2) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


class History:
    """Facts applied one by one to a world that keeps tallies (its clock: the newest fact)."""

    def __init__(self) -> None:
        self.facts: list[tuple[str, str, dict[str, Any], datetime]] = []
        self.world = World()

    def add(self, type_: str, stream: str, when: datetime, data: dict[str, Any]) -> None:
        self.facts.append((type_, stream, data, when))
        self.world.apply(type_, stream, data, when)
        self.world.clock = when

    def league(self, as_of: datetime, *, tallied: bool) -> list[dict[str, Any]]:
        scheme, rules = default_scheme(SETTINGS), Rules(CALENDAR, SETTINGS.law)
        if tallied:  # the world's tally, kept up to date fact by fact
            counting = Counting(scheme, rules)
            counts = tally_of(self.world, counting).counts(self.world, counting, as_of.year, as_of)
            judge = Judge(World(), scheme, rules, as_of.year, as_of, tallied=counts)
        else:
            judge = Judge(World.replay(self.facts), scheme, rules, as_of.year, as_of)
        return [judge.department(d, [], explain=False) for d in DEPARTMENTS]

    def check(self, as_of: datetime) -> list[dict[str, Any]]:
        """The tallied league at ``as_of`` (asserted equal to the one judged fact by fact)."""
        tallied = self.league(as_of, tallied=True)
        assert tallied == self.league(as_of, tallied=False), as_of
        return tallied


def rate(league: list[dict[str, Any]], department: str, indicator: str) -> Any:
    entry = next(e for e in league if e["department"] == department)
    return entry["indicators"][indicator]["rate"], entry["indicators"][indicator]["numerator"]


def drafted(formed_on: str, **extra: Any) -> dict[str, Any]:
    return {
        "department": "FIN",
        "category": "policy",
        "formed_on": formed_on,
        "disclosure": "proactive",
        "needs_interpretation": False,
        "item_code": None,
        "time_limit": None,
        **extra,
    }


def test_a_withdrawn_interpretation_reopens_its_policy_and_leaves_the_quota() -> None:
    h = History()
    h.add("catalogue.RecordDrafted", "p1", at("2026-03-02"), drafted("2026-03-02", needs_interpretation=True))
    h.add("catalogue.RecordPublished", "p1", at("2026-03-02", 3), {"published_at": at("2026-03-02", 3).isoformat()})
    interpretation = {"department": "FIN", "policy_record_id": "p1", "interpreter": {"principal": True}}
    h.add("interpretation.InterpretationDrafted", "i1", at("2026-03-03"), interpretation)
    h.add(
        "interpretation.InterpretationPublished",
        "i1",
        at("2026-03-03", 3),
        {"published_at": at("2026-03-03", 3).isoformat()},
    )
    met = h.check(at("2026-03-20"))
    assert rate(met, "FIN", "interpretation_sync") == (1.0, 1)
    assert rate(met, "FIN", "principal_interpretations")[1] == 1
    h.add("interpretation.InterpretationWithdrawn", "i1", at("2026-04-20"), {})
    withdrawn = h.check(at("2026-04-21"))
    assert rate(withdrawn, "FIN", "interpretation_sync") == (0.0, 0)  # none within the window any more
    assert rate(withdrawn, "FIN", "principal_interpretations") == (0.0, 0)


def test_coverage_follows_items_and_the_records_published_under_them() -> None:
    h = History()
    h.add("catalogue.CatalogueItemRegistered", "c1", at("2026-02-02"), {"department": "FIN", "code": "C1"})
    h.add("catalogue.CatalogueItemRegistered", "c2", at("2026-02-02", 3), {"department": "FIN", "code": "C2"})
    assert rate(h.check(at("2026-02-03")), "FIN", "catalogue_coverage") == (0.0, 0)
    h.add("catalogue.RecordDrafted", "r1", at("2026-02-04"), drafted("2026-02-04", item_code="C1"))
    h.add("catalogue.RecordPublished", "r1", at("2026-02-05"), {"published_at": at("2026-02-05").isoformat()})
    assert rate(h.check(at("2026-02-06")), "FIN", "catalogue_coverage") == (0.5, 1)
    h.add("catalogue.CatalogueItemRetired", "c2", at("2026-02-07"), {})
    assert rate(h.check(at("2026-02-08")), "FIN", "catalogue_coverage") == (1.0, 1)
    # a record published the next year covers its item in that year only
    h.add("catalogue.RecordDrafted", "r2", at("2026-12-30"), drafted("2026-12-30", item_code="C1"))
    h.add("catalogue.RecordPublished", "r2", at("2027-01-05"), {"published_at": at("2027-01-05").isoformat()})
    assert rate(h.check(at("2027-01-06")), "FIN", "catalogue_coverage") == (1.0, 1)


def test_a_request_in_consultation_is_never_settled_its_deadline_still_moves() -> None:
    """While a consultation is open the due date moves with the day asked about, so a request
    can be missed on a holiday and pending again on the next working day: a tally must count it
    at every question, never keep the first answer."""
    h = History()
    h.add(
        "catalogue.InformationRequestReceived",
        "q1",
        at("2026-03-02"),
        {"department": "FIN", "received_on": "2026-03-02"},
    )
    h.add("catalogue.InformationRequestConsultationStarted", "q1", at("2026-03-30"), {"on": "2026-03-30", "party": "x"})
    h.add("catalogue.RecordDrafted", "r1", at("2026-04-06"), drafted("2026-04-06"))  # the clock moves to the holiday
    assert rate(h.check(at("2026-04-06", 3)), "FIN", "request_timeliness") == (0.0, 0)  # missed on 6 April
    assert rate(h.check(at("2026-04-07", 3)), "FIN", "request_timeliness") == (None, 0)  # pending again


class Told:
    """A follower that keeps what the world told it."""

    def __init__(self) -> None:
        self.touched: list[tuple[str, str]] = []

    def touch(self, part: str, key: str) -> None:
        self.touched.append((part, key))


@hypothesis_settings(max_examples=50, deadline=None)
@given(history=histories())
def test_a_fact_tells_the_followers_the_entity_it_changed(history: list[dict[str, Any]]) -> None:
    world, told = World(), Told()
    world.followers["told"] = told
    for item in history:
        before = {part: repr(entities) for part, entities in world.parts()}
        told.touched.clear()
        world.apply(item["type"], item["stream_id"], item["data"], datetime.fromisoformat(item["occurred_at"]))
        changed = {part for part, entities in world.parts() if repr(entities) != before[part]}
        assert told.touched == [(part, item["stream_id"]) for part in changed]
        assert all(item["stream_id"] in getattr(world, part) for part in changed)
