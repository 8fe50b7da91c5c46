"""make bench-scale's growth exponents and table (the figures of docs/scale.md come from these)."""

from __future__ import annotations

import math

from bench.scale import exponents, markdown


def test_growth_exponents_are_log_ratios_of_costs_over_log_ratios_of_sizes() -> None:
    rows = [
        {"events_per_service": 1000, "league_live_p95_ms": 10.0, "search_p95_ms": 5.0, "events_per_second": 1.0},
        {"events_per_service": 10000, "league_live_p95_ms": 100.0, "search_p95_ms": 5.0, "events_per_second": 9.0},
    ]
    [pair] = exponents(rows)
    assert pair["from"] == 1000
    assert pair["to"] == 10000
    assert math.isclose(pair["league_live_p95_ms"], 1.0)  # linear
    assert pair["search_p95_ms"] == 0.0  # flat
    assert "events_per_second" not in pair  # a rate is not a cost


def test_the_table_has_a_row_per_figure_and_a_column_per_size_and_growth() -> None:
    rows = [{"events_per_service": 1000, "search_p95_ms": 5.0}, {"events_per_service": 4000, "search_p95_ms": 10.0}]
    table = markdown({"backend": "sqlite", "rows": rows, "growth_exponents": exponents(rows)})
    assert table.splitlines()[0] == "| sqlite: events per service | 1,000 | 4,000 | growth 1k→4k |"
    assert table.splitlines()[2] == "| search_p95_ms | 5.0 | 10.0 | 0.5 |"
