"""Read models of the opinion service (prefixed ``opinion_``)."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Index, Integer, String, Table, Text

from shared.tables import UtcDateTime, kernel_tables, new_metadata

SERVICE = "opinion"
metadata = new_metadata()
kernel = kernel_tables(metadata, SERVICE)

incident = Table(
    "opinion_incident",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("summary", Text, nullable=False),
    Column("source", String(32), nullable=False),
    Column("external_id", String(200)),
    Column("detected_at", UtcDateTime(), nullable=False),
    Column("topic", String(32), nullable=False),
    Column("severity", String(32), nullable=False),
    Column("emergency", Boolean, nullable=False),
    # Every severity judgement with the instant it took effect (api.md "re-assessment").
    Column("judgements", JSON, nullable=False),
    Column("lead_department", String(32)),
    Column("cooperating_departments", JSON, nullable=False),
    Column("reporter_department", String(32)),
    Column("status", String(16), nullable=False),
    Column("warning_level", String(16)),
    Column("rating", String(16)),
    Column("findings", JSON),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Index("ix_opinion_incident_lead_department", "lead_department"),
    Index("ix_opinion_incident_detected_at", "detected_at"),
)

response = Table(
    "opinion_response",
    metadata,
    Column("incident_id", String(36), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("channel", String(200), nullable=False),
    Column("summary", Text, nullable=False),
    Column("explains", JSON, nullable=False),
    Column("incomplete_explanation", Boolean, nullable=False),
    Column("department", String(32), nullable=False),
    Column("responded_by", String(200), nullable=False),
)

involvement = Table(
    "opinion_involvement",
    metadata,
    Column("incident_id", String(36), primary_key=True),
    Column("department", String(32), primary_key=True),
    Column("role", String(16), nullable=False),
    Index("ix_opinion_involvement_department", "department"),
)
