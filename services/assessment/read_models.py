"""Read models of the assessment service (prefixed ``assessment_``)."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, Date, Index, Integer, LargeBinary, String, Table, Text

from shared.tables import UtcDateTime, kernel_tables, new_metadata

SERVICE = "assessment"
metadata = new_metadata()
kernel = kernel_tables(metadata, SERVICE)

action = Table(
    "assessment_action",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("department", String(32), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("reason", Text, nullable=False),
    Column("refs", JSON, nullable=False),
    Column("issued_on", Date, nullable=False),
    Column("rectification_due_on", Date),
    Column("rectified_on", Date),
    Column("rectification_note", Text),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Index("ix_assessment_action_department", "department"),
)

# Every upstream event that matters for scoring, as a fact with when it was recorded upstream
# (so any ``as_of`` can be judged by counting only facts recorded by then).
fact = Table(
    "assessment_fact",
    metadata,
    Column("upstream", String(32), primary_key=True),
    Column("position", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    Column("type", String(100), nullable=False),
    Column("stream_id", String(36), nullable=False),
    Column("department", String(32)),
    Column("occurred_at", UtcDateTime(), nullable=False),
    Column("recorded_at", UtcDateTime(), nullable=False),
    Column("data", JSON, nullable=False),
    # the stream a fact's entity depends on: an interpretation's policy record (its sync is judged
    # with the interpretations), so a past question finds them without reading every fact
    Column("refers_to", String(36)),
    # the catalogue item a record is drafted under, by code: an item's coverage is judged with the
    # records under it, so a department's past breakdown finds them without reading every fact
    Column("item_code", String(64)),
    Index("ix_assessment_fact_stream", "stream_id"),
    Index("ix_assessment_fact_refers_to", "refers_to"),
    Index("ix_assessment_fact_item_code", "item_code"),
    Index("ix_assessment_fact_department", "department"),
    # a past as_of reads the facts after a snapshot by this range (services.assessment.worlds)
    Index("ix_assessment_fact_upstream_recorded", "upstream", "recorded_at"),
    # snapshots laid out from the start read the facts in the order they were recorded
    Index("ix_assessment_fact_recorded", "recorded_at"),
)

# The world of the facts up to a position in each upstream, stored every so many facts (each row
# what changed over the one before it, its base) so that a past as_of replays only the facts after
# the nearest one (services.assessment.worlds). A cache:
# removed with the facts on rebuild, and rewritten when the code of the world changes (format).
world_snapshot = Table(
    "assessment_world_snapshot",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("format", String(64), nullable=False),
    Column("facts", BigInteger, nullable=False),
    Column("recorded_through", UtcDateTime(), nullable=False),
    Column("frontier", JSON, nullable=False),
    # the snapshot this one holds the changes over (NULL: a whole world); see worlds._Dumps
    Column("base", Integer, nullable=True),
    Column("state", LargeBinary, nullable=False),
    Index("ix_assessment_world_snapshot_lookup", "format", "recorded_through"),
)

# The judge's tallies of the default scheme (services.assessment.tallies) at a position in each
# upstream: sums and the few units still open, small enough to store every so many facts, so a
# past league counts only the entities the facts after it changed (services.assessment.worlds).
# A cache like the world snapshots.
tally_snapshot = Table(
    "assessment_tally_snapshot",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("format", String(64), nullable=False),
    Column("rules", String(64), nullable=False),
    Column("facts", BigInteger, nullable=False),
    Column("recorded_through", UtcDateTime(), nullable=False),
    Column("frontier", JSON, nullable=False),
    Column("state", LargeBinary, nullable=False),
    Index("ix_assessment_tally_snapshot_lookup", "format", "rules", "recorded_through"),
)

scheme = Table(
    "assessment_scheme",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("scheme", JSON, nullable=False),
    Column("adopted_at", UtcDateTime(), nullable=False),
    Column("adopted_by", String(200), nullable=False),
)
