"""Read models of the catalogue service (SQLAlchemy Core tables, prefixed ``catalogue_``)."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Date, Index, Integer, String, Table, Text

from shared.tables import UtcDateTime, kernel_tables, new_metadata

SERVICE = "catalogue"
metadata = new_metadata()
kernel = kernel_tables(metadata, SERVICE)

record = Table(
    "catalogue_record",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("department", String(32), nullable=False),
    Column("index_number", String(64), nullable=False, unique=True),
    Column("title", Text, nullable=False),
    Column("category", String(32), nullable=False),
    Column("area", String(32), nullable=False),
    Column("item_code", String(64)),
    Column("doc_number", String(200)),
    Column("formed_on", Date, nullable=False),
    Column("body", Text, nullable=False),
    Column("attachments", JSON, nullable=False),
    Column("disclosure", String(16), nullable=False),
    Column("withheld_reason", String(64)),
    Column("needs_interpretation", Boolean, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("published_at", UtcDateTime()),
    Column("updated_at", UtcDateTime(), nullable=False),
    Index("ix_catalogue_record_department_status", "department", "status"),
    Index("ix_catalogue_record_published_at", "published_at"),
)

record_version = Table(
    "catalogue_record_version",
    metadata,
    Column("record_id", String(36), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("change", String(16), nullable=False),
    Column("changed_fields", JSON, nullable=False),
    Column("reason", Text),
    Column("actor", String(200), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("attachments", JSON, nullable=False),
)
