"""What /metrics shows beyond HTTP: the process, the log (events appended, head position), and the
assessment's live count of violations (the judge's own numbers, not a second computation)."""

from __future__ import annotations

from collections import Counter

from prometheus_client.parser import text_string_to_metric_families

from shared.settings import Settings
from tests.assessment.world_builder import AS_OF, build_year, city
from tests.catalogue.builders import record_body
from tests.support import auth, service_client


def _samples(text: str, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    return {
        tuple(sorted(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name
    }


def test_the_process_and_the_log_show_in_metrics(settings: Settings) -> None:
    with service_client("catalogue", settings) as catalogue:
        editor = auth(settings, "editor", dept="FIN")
        for n in range(3):
            made = catalogue.post("/catalogue/v1/records", json=record_body(title=f"第{n}号通知"), headers=editor)
            assert made.status_code == 201, made.text
        catalogue.post(f"/catalogue/v1/records/{made.json()['id']}/publish", headers=editor).raise_for_status()
        text = catalogue.get("/metrics").text
    appended = _samples(text, "openness_events_appended_total")
    assert appended[(("service", "catalogue"), ("type", "catalogue.RecordDrafted"))] == 3
    assert appended[(("service", "catalogue"), ("type", "catalogue.RecordPublished"))] == 1
    assert _samples(text, "openness_log_head_position") == {(("service", "catalogue"),): 4}
    assert _samples(text, "process_resident_memory_bytes")[()] > 10_000_000
    assert _samples(text, "process_cpu_seconds_total")[()] > 0
    assert "python_info" in text


def test_the_assessment_counts_violations_as_its_judge_does(settings: Settings) -> None:
    with city(settings) as c:
        build_year(c)
        c.at(AS_OF)
        expected: Counter[str] = Counter()
        league = c.assessment.get("/assessment/v1/scores", params={"year": 2026}).json()["items"]
        for department in (entry["department"] for entry in league):
            explained = c.assessment.get(f"/assessment/v1/scores/{department}", params={"year": 2026}).json()
            for indicator in explained["indicators"].values():
                expected.update(v["kind"] for v in indicator["violations"])
        text = c.assessment.get("/metrics").text
    shown = {dict(labels)["kind"]: value for labels, value in _samples(text, "openness_violations").items()}
    assert sum(expected.values()) >= 3  # the year built has violations of several kinds
    assert shown == dict(expected)
