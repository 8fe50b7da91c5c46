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
    Column("time_limit", JSON),  # {days, kind} stated on the record or its item; null: the rules' default
    Column("status", String(16), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("published_at", UtcDateTime()),
    Column("revoked_at", UtcDateTime()),
    Column("updated_at", UtcDateTime(), nullable=False),
    Index("ix_catalogue_record_department_status", "department", "status"),
    Index("ix_catalogue_record_published_at", "published_at"),
    # the list of records, newest first, a page at a time (queries.list_records)
    Index("ix_catalogue_record_created_at_id", "created_at", "id"),
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

# Jieba-segmented text of each record (title, doc number, body), space separated. On PostgreSQL
# the migrations add a generated column tsv = to_tsvector('simple', document) with a GIN index and
# seq, the order the documents were made in (an identity); on SQLite they create the FTS5 table
# catalogue_record_fts beside it, whose rowids are those of the documents (see search.py, queries.py).
record_search = Table(
    "catalogue_record_search",
    metadata,
    Column("record_id", String(36), primary_key=True),
    Column("document", Text, nullable=False),
    # What the document was made from (search.source: the texts and the tokeniser), so a rebuild
    # makes again only the documents whose record changed. Null for documents made before it was kept.
    Column("source", String(64)),
)

item = Table(
    "catalogue_item",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("code", String(64), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("area", String(32), nullable=False),
    Column("content", Text, nullable=False),
    Column("basis", Text, nullable=False),
    Column("department", String(32), nullable=False),
    Column("time_limit_working_days", Integer, nullable=False),
    Column("time_limit_kind", String(16), nullable=False),
    Column("standard", Text),
    Column("procedure", Text),
    Column("channels", JSON, nullable=False),
    Column("audience", String(32), nullable=False),
    Column("method", String(16), nullable=False),
    Column("level", String(16), nullable=False),
    Column("retired", Boolean, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Index("ix_catalogue_item_department_area", "department", "area"),
)

proposal = Table(
    "catalogue_proposal",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("number", String(64), nullable=False),
    Column("title", Text, nullable=False),
    Column("handler_department", String(32), nullable=False),
    Column("replied_on", Date, nullable=False),
    Column("reply_text", Text, nullable=False),
    Column("published_text", Text),
    Column("published_at", UtcDateTime()),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Index("ix_catalogue_proposal_handler_department", "handler_department"),
)

consultation = Table(
    "catalogue_consultation",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("department", String(32), nullable=False),
    Column("title", Text, nullable=False),
    Column("draft", Text, nullable=False),
    Column("opens_on", Date, nullable=False),
    Column("closes_on", Date, nullable=False),
    Column("shortened_reason", Text),
    Column("comment_count", Integer, nullable=False),
    Column("adoption_summary", Text),
    Column("decision_record_id", String(36)),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

consultation_comment = Table(
    "catalogue_consultation_comment",
    metadata,
    Column("consultation_id", String(36), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("text", Text, nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
)

# Information requests. applicant_name and applicant_contact are personal data: only the
# handling department, the office and auditors read them (queries.requests enforces it).
request = Table(
    "catalogue_request",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("department", String(32), nullable=False),
    Column("applicant_type", String(32), nullable=False),
    Column("applicant_name", Text, nullable=False),
    Column("applicant_contact", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("channel", String(16), nullable=False),
    Column("received_on", Date, nullable=False),
    Column("query_code", String(16), nullable=False, unique=True),
    Column("status", String(32), nullable=False),
    Column("clarification_requested_on", Date),
    Column("clarification_note", Text),
    Column("clarification_reply_by", Date),
    Column("clarified_on", Date),
    Column("consultations", JSON, nullable=False),
    Column("extension_working_days", Integer, nullable=False),
    Column("extension_approved_by", Text),
    Column("extension_reason", Text),
    Column("replied_on", Date),
    Column("outcome", String(32)),
    Column("outcome_reason", String(64)),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Index("ix_catalogue_request_department_status", "department", "status"),
)

request_appeal = Table(
    "catalogue_request_appeal",
    metadata,
    Column("request_id", String(36), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("department", String(32), nullable=False),
    Column("kind", String(48), nullable=False),
    Column("result", String(16), nullable=False),
    Column("on", Date, nullable=False),
)

# Later decisions on an appeal (api.md "appeals"); table 4 takes the latest as of the year's end.
request_appeal_result = Table(
    "catalogue_request_appeal_result",
    metadata,
    Column("request_id", String(36), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("appeal_version", Integer, nullable=False),
    Column("result", String(16), nullable=False),
    Column("on", Date, nullable=False),
)

# Publication of the annual report of a department, or of the city (department null).
annual_report = Table(
    "catalogue_annual_report",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("department", String(32)),
    Column("year", Integer, nullable=False),
    Column("published_at", UtcDateTime()),
    Column("published_by", String(200)),
    Column("updated_at", UtcDateTime(), nullable=False),
    Index("ix_catalogue_annual_report_year", "year", "department"),
)

annual_figures = Table(
    "catalogue_annual_figures",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("department", String(32), nullable=False),
    Column("year", Integer, nullable=False),
    Column("figures", JSON, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)
