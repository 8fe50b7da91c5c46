"""``make bench``: run every benchmark on SQLite and (when reachable) PostgreSQL, print, save JSON."""

from __future__ import annotations

from typing import Any

from bench import audit, export, follower, longpolls, search, webhooks, write_path
from bench.common import postgres_reachable, write_results


def main() -> None:
    backends = ["sqlite"] + (["postgres"] if postgres_reachable() else [])
    if "postgres" not in backends:
        print("PostgreSQL is not reachable: benchmarking SQLite only")
    results: dict[str, Any] = {"write_path": [], "search": [], "follower": [], "audit": audit.run()}
    offline, proofs = results["audit"]["offline_verification"], results["audit"]["tree_in_memory"]
    print(
        f"offline verification: {offline['events_per_second']} events/s over {offline['events']} events "
        f"({offline['workers']} workers; goal >= 200000/s)"
    )
    print(
        f"Merkle tree of {proofs['tree_size']} leaves: root p95 {proofs['root_p95_ms']} ms, inclusion proof p95 "
        f"{proofs['inclusion_p95_ms']} ms, consistency proof p95 {proofs['consistency_p95_ms']} ms (nodes in memory)"
    )
    for backend in backends:
        served = audit.served(backend)
        results["audit"].setdefault("served", []).append(served)
        print(
            f"audit endpoints [{backend}] at {served['events']} events: checkpoint p95 {served['checkpoint_p95_ms']} ms, "
            f"inclusion proof p95 {served['inclusion_p95_ms']} ms, consistency proof p95 {served['consistency_p95_ms']} ms"
        )
    for backend in backends:
        figures = write_path.run(backend)
        results["write_path"].append(figures)
        print(
            f"write path [{backend}], {figures['concurrent_clients']} clients: record creates "
            f"{figures['http_creates_per_second_concurrent']}/s, floor (a bare FastAPI route, one raw-library "
            f"append) {figures['floor_creates_per_second']}/s, ratio {figures['ratio_to_floor']} (goal >= 0.6)"
        )
        print(
            f"write path [{backend}]: HTTP creates {figures['http_creates_per_second']}/s, "
            f"raw library {figures['raw_library_appends_per_second']}/s, ratio {figures['ratio_http_to_raw']}"
        )
        print(
            f"create+publish [{backend}]: HTTP {figures['http_create_publish_per_second']}/s, "
            f"raw library {figures['raw_library_create_publish_per_second']}/s, "
            f"ratio {figures['ratio_create_publish_http_to_raw']}"
        )
        print(f"audit verify [{backend}]: {figures['audit_verify_events_per_second']} events/s")
        print(f"memory [{backend}]: catalogue peak RSS {figures['catalogue_peak_rss_mib']} MiB")
    for backend in backends:
        figures = search.run(backend)
        results["search"].append(figures)
        print(
            f"read path [{backend}] at {figures['records']} records: by id p50 {figures['record_by_id_p50_ms']} ms, "
            f"p95 {figures['record_by_id_p95_ms']} ms; search p50 {figures['search_p50_ms']} ms, "
            f"p95 {figures['search_p95_ms']} ms (target p95 <= 50 ms)"
        )
    for backend in backends:
        figures = follower.run(backend)
        results["follower"].append(figures)
        print(
            f"follower [{backend}]: cold catch-up {figures['catch_up_events_per_second']} events/s over "
            f"{figures['upstream_events']} events; commit-to-applied lag p50 {figures['lag_p50_ms']} ms, "
            f"p95 {figures['lag_p95_ms']} ms (target <= 1000 ms); a league query at this size "
            f"{figures['score_query_seconds_at_this_size']} s"
        )
    for backend in backends:
        figures = export.run(backend)
        results.setdefault("export", []).append(figures)
        print(
            f"export [{backend}]: {figures['rows']} rows as XLSX in {figures['seconds']} s, "
            f"RSS growth {figures['rss_growth_mib']} MiB (goal <= 50 MiB)"
        )
    for backend in backends:
        figures = longpolls.run(backend)
        results.setdefault("long_polls", []).append(figures)
        print(
            f"{figures['polls']} long polls [{backend}]: p95 of /readyz {figures['readyz_p95_ms']} ms "
            f"(none waiting: {figures['readyz_p95_ms_no_polls']} ms), of a write {figures['write_p95_ms']} ms "
            f"(none waiting: {figures['write_p95_ms_no_polls']} ms)"
        )
    for backend in backends:
        figures = webhooks.run(backend)
        results.setdefault("webhooks", []).append(figures)
        print(
            f"webhooks [{backend}]: {figures['delivered_per_second']} deliveries/s to one receiver over "
            f"{figures['events']} events (goal >= 500/s); commit to delivery p95 "
            f"{figures['commit_to_delivery_p95_ms']} ms (goal <= 500 ms)"
        )
    print(f"results written to {write_results('bench', results)}")


if __name__ == "__main__":
    main()
