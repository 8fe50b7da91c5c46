"""Read models of the interpretation service (prefixed ``interpretation_``)."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Index, Integer, String, Table, Text

from shared.tables import UtcDateTime, kernel_tables, new_metadata

SERVICE = "interpretation"
metadata = new_metadata()
kernel = kernel_tables(metadata, SERVICE)

# The catalogue's records as this service knows them, from following the catalogue feed.
policy = Table(
    "interpretation_policy",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("department", String(32), nullable=False),
    Column("title", Text, nullable=False),
    Column("category", String(32), nullable=False),
    Column("needs_interpretation", Boolean, nullable=False),
    Column("published_at", UtcDateTime()),
    Column("revoked_at", UtcDateTime()),
    Index("ix_interpretation_policy_department", "department"),
)

interpretation = Table(
    "interpretation_interpretation",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("department", String(32), nullable=False),
    Column("policy_record_id", String(36), nullable=False),
    Column("title", Text, nullable=False),
    Column("form", String(32), nullable=False),
    Column("interpreter", JSON, nullable=False),
    Column("principal", Boolean, nullable=False),
    Column("body", Text),
    Column("media_url", Text),
    Column("status", String(16), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("published_at", UtcDateTime()),
    Column("updated_at", UtcDateTime(), nullable=False),
    Index("ix_interpretation_interpretation_policy", "policy_record_id"),
    Index("ix_interpretation_interpretation_department", "department"),
)
