"""A small year built by hand: every indicator, deduction, score and rank checked against the formula."""

from __future__ import annotations

import pytest

from shared.settings import Settings
from tests.assessment.world_builder import AS_OF, build_year, city
from tests.support import assert_problem, auth

WEIGHTS = {
    "disclosure_timeliness": 20,
    "catalogue_coverage": 10,
    "proposal_replies": 10,
    "interpretation_sync": 15,
    "principal_interpretations": 10,
    "opinion_timeliness": 20,
    "request_timeliness": 15,
}


def _expected(rates: dict[str, float | None], deduction: float) -> float:
    applicable = {k: r for k, r in rates.items() if r is not None}
    base = 100 * sum(WEIGHTS[k] * r for k, r in applicable.items()) / sum(WEIGHTS[k] for k in applicable)
    return round(max(0.0, base - deduction), 2)


def test_every_indicator_deduction_score_and_rank(settings: Settings) -> None:
    with city(settings) as c:
        built = build_year(c)
        fin = c.assessment.get("/assessment/v1/scores/FIN", params={"year": 2026, "as_of": AS_OF}).json()
        got = {k: (v["numerator"], v["denominator"]) for k, v in fin["indicators"].items()}
        assert got == {
            "disclosure_timeliness": (1, 3),
            "catalogue_coverage": (1, 2),
            "proposal_replies": (1, 2),
            "interpretation_sync": (1, 2),
            "principal_interpretations": (2, 3),
            "opinion_timeliness": (1, 2),
            "request_timeliness": (1, 2),
        }
        fin_rates = {
            "disclosure_timeliness": 1 / 3,
            "catalogue_coverage": 1 / 2,
            "proposal_replies": 1 / 2,
            "interpretation_sync": 1 / 2,
            "principal_interpretations": 2 / 3,
            "opinion_timeliness": 1 / 2,
            "request_timeliness": 1 / 2,
        }
        assert fin["deductions"] == {"circulated_criticism": 1, "rectification_interview": 0, "points": 5.0}
        assert fin["score"] == _expected(fin_rates, 5) == 43.33
        kinds = sorted(v["kind"] for i in fin["indicators"].values() for v in i["violations"])
        assert kinds == sorted(
            [
                "late_disclosure",
                "unpublished_past_due",
                "item_without_record",
                "reply_unpublished_past_due",
                "missing_interpretation",
                "principal_quota_short",
                "missed_press_conference",
                "late_reply",
            ]
        )
        press = next(iter(fin["indicators"]["opinion_timeliness"]["violations"]))
        assert (press["service"], press["ref_id"]) == ("opinion", built["incident"])

        edu = c.assessment.get("/assessment/v1/scores/EDU", params={"year": 2026, "as_of": AS_OF}).json()
        edu_rates = {k: v["rate"] for k, v in edu["indicators"].items()}
        assert edu_rates == {
            "disclosure_timeliness": 1.0,
            "catalogue_coverage": None,
            "proposal_replies": None,
            "interpretation_sync": 1.0,
            "principal_interpretations": 1.0,
            "opinion_timeliness": None,
            "request_timeliness": None,
        }
        assert edu["score"] == _expected(edu_rates, 3) == 97.0

        league = c.assessment.get("/assessment/v1/scores", params={"year": 2026, "as_of": AS_OF}).json()["items"]
        ranks = {e["department"]: (e["rank"], e["score"]) for e in league}
        assert ranks["EDU"] == (1, 97.0)
        assert ranks["FIN"] == (2, 43.33)
        assert ranks["HEALTH"] == (3, 0.0)  # no activity: only the principal quota applies, at 0
        assert ranks["SPORT"] == (3, 0.0)  # equal scores share a rank
        assert [e["rank"] for e in league][:4] == [1, 2, 3, 3]


def test_as_of_judges_at_that_instant(settings: Settings) -> None:
    with city(settings) as c:
        build_year(c)
        # On 2026-05-01 at 20:00 the press conference (due 05-02 08:00) was still pending and
        # nothing later than that instant had been recorded.
        early = c.assessment.get(
            "/assessment/v1/scores/FIN", params={"year": 2026, "as_of": "2026-05-01T20:00:00+08:00"}
        ).json()
        assert (
            early["indicators"]["opinion_timeliness"]["numerator"],
            early["indicators"]["opinion_timeliness"]["denominator"],
        ) == (1, 1)
        assert early["indicators"]["request_timeliness"]["denominator"] == 0
        assert early["deductions"]["points"] == 0


def test_a_scheme_change_applies_from_then_on(settings: Settings) -> None:
    with city(settings) as c:
        build_year(c)
        before = c.assessment.get("/assessment/v1/scores/FIN", params={"year": 2026, "as_of": AS_OF}).json()["score"]
        c.at("2026-11-27T09:00:00+08:00")
        scheme = {
            "weights": {**WEIGHTS, "opinion_timeliness": 0},
            "deductions": {"circulated_criticism": 10, "rectification_interview": 3},
        }
        assert_problem(
            c.assessment.put(
                "/assessment/v1/schemes/2026", json=scheme, headers=auth(c.settings, "editor", dept="FIN")
            ),
            403,
        )
        adopted = c.assessment.put(
            "/assessment/v1/schemes/2026", json=scheme, headers=auth(c.settings, "office")
        ).json()
        assert adopted["weights"]["opinion_timeliness"] == 0
        assert (
            c.assessment.get("/assessment/v1/scores/FIN", params={"year": 2026, "as_of": AS_OF}).json()["score"]
            == before
        )
        after = c.assessment.get("/assessment/v1/scores/FIN", params={"year": 2026}).json()
        rates = {k: v["rate"] for k, v in after["indicators"].items()}
        weights = {**WEIGHTS, "opinion_timeliness": 0}
        applicable = {k: r for k, r in rates.items() if r is not None and weights[k] > 0}
        expected = round(
            100 * sum(weights[k] * r for k, r in applicable.items()) / sum(weights[k] for k in applicable) - 10, 2
        )
        assert after["score"] == expected
        assert c.assessment.get("/assessment/v1/schemes/2025").json()["adopted"] is None  # other years keep the default


def test_proposed_actions_and_exports(settings: Settings) -> None:
    with city(settings) as c:
        built = build_year(c)
        office = auth(c.settings, "office")
        assert (
            c.assessment.get("/assessment/v1/proposed-actions", params={"year": 2026}, headers=office).json()["items"]
            == []
        )  # acted on
        c.at("2026-05-10T08:00:00+08:00")
        incident = {
            "title": "另一事件",
            "source": "media",
            "detected_at": "2026-05-10T08:00:00+08:00",
            "topic": "other",
            "severity": "major",
            "emergency": True,
            "lead_department": "HEALTH",
        }
        other = c.post(c.opinion, "/opinion/v1/incidents", incident, "office")
        c.at(AS_OF)
        c.follow()
        proposed = c.assessment.get("/assessment/v1/proposed-actions", params={"year": 2026}, headers=office).json()[
            "items"
        ]
        assert [(p["department"], p["ref_id"], p["reasons"]) for p in proposed] == [
            ("HEALTH", other["id"], ["missed_authoritative_release", "missed_press_conference"])
        ]
        assert built["incident"] not in [p["ref_id"] for p in proposed]
        assert_problem(
            c.assessment.get("/assessment/v1/proposed-actions", headers=auth(c.settings, "editor", dept="FIN")), 403
        )
        csv_text = c.assessment.get("/assessment/v1/scores", params={"year": 2026, "format": "csv"}).content.decode(
            "utf-8-sig"
        )
        assert "名次" in csv_text
        assert "EDU" in csv_text
        xlsx = c.assessment.get("/assessment/v1/scores/FIN", params={"year": 2026, "format": "xlsx"})
        assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")


@pytest.mark.parametrize("query", ["as_of=2026-11-26T12:00:00", "year=1999", "as_of=yesterday", "format=pdf"])
def test_bad_score_queries_are_422(settings: Settings, query: str) -> None:
    with city(settings) as c:
        assert_problem(c.assessment.get(f"/assessment/v1/scores?{query}"), 422)
        assert_problem(c.assessment.get("/assessment/v1/scores/NOPE"), 422)
