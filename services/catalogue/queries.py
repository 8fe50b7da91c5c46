"""Read side of disclosure records: plain rows in, response dictionaries out."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, or_, select, text, tuple_
from sqlalchemy.orm import Session

from services.catalogue import search
from services.catalogue.read_models import record, record_version
from shared.auth import Principal
from shared.errors import ValidationFailed
from shared.jsondata import canonical_bytes
from shared.pagination import decode_cursor, encode_cursor
from shared.rules.disclosure import disclosure_due, disclosure_limit, disclosure_status
from shared.rules.law import Law
from shared.rules.time import Calendar, TimeLimit, on_time
from shared.timeutil import SHANGHAI, to_shanghai

PUBLIC_STATUSES = ("published", "corrected")
VISIBLE_STATUSES = ("published", "corrected", "revoked")


@dataclass(frozen=True)
class RecordContext:
    calendar: Calendar
    law: Law
    hash_algorithm: str
    as_of: datetime  # the application's clock when the request came: what on_time is judged at


def published_content(row: Mapping[str, Any]) -> dict[str, Any]:
    """The canonical content a published copy carries (what ``content_hash`` covers)."""
    formed_on = row["formed_on"]
    return {
        "index_number": row["index_number"],
        "department": row["department"],
        "doc_number": row["doc_number"],
        "formed_on": formed_on if isinstance(formed_on, str) else formed_on.isoformat(),
        "title": row["title"],
        "body": row["body"],
        "attachments": row["attachments"],
    }


def content_hash(algorithm: str, content: dict[str, Any]) -> str:
    return hashlib.new(algorithm, canonical_bytes(content)).hexdigest()


def present(row: Any, ctx: RecordContext) -> dict[str, Any]:
    limit = disclosure_limit(row.category, TimeLimit.of(row.time_limit), ctx.law)
    due = disclosure_due(row.formed_on, limit, ctx.calendar)
    view = {k: v for k, v in row._mapping.items() if k not in ("rank", "time_limit")}
    for key in ("created_at", "published_at", "updated_at"):
        if view[key] is not None:
            view[key] = to_shanghai(view[key])
    view["due_on"] = due.due_on
    view["on_time"] = on_time(disclosure_status(due, row.published_at, ctx.as_of))
    view["deadline"] = due.as_dict()
    view["content_hash"] = (
        None if row.status == "draft" else content_hash(ctx.hash_algorithm, published_content(row._mapping))
    )
    return view


def get_record(session: Session, record_id: str) -> Any | None:
    return session.execute(select(record).where(record.c.id == record_id)).first()


def history(session: Session, record_id: str) -> list[Any]:
    query = select(record_version).where(record_version.c.record_id == record_id).order_by(record_version.c.version)
    return list(session.execute(query).all())


@dataclass(frozen=True)
class RecordFilter:
    department: str | None = None
    area: str | None = None
    category: str | None = None
    published_from: date | None = None
    published_to: date | None = None


def search_records(
    session: Session,
    *,
    q: str,
    viewer: Principal | None,
    filters: RecordFilter,
    limit: int,
    cursor: str | None,
    cursor_key: bytes,
    tranche: int = 2000,
) -> tuple[list[Any], str | None]:
    """The matches newest first in tranches of ``tranche`` (by when each document was made), and
    inside a tranche relevance first (BM25 on SQLite, ts_rank on PostgreSQL), then the newest.

    Ranking reads every match it ranks: a word in most records (公开, 通知) would cost a read of
    most of the index at every query, growing with the history. A tranche bounds it. A query
    with fewer matches than a tranche is ranked over all of them."""
    words = search.query_tokens(q)
    if not words:
        return [], None
    offset = 0
    if cursor is not None:
        position = decode_cursor(cursor_key, cursor)
        if position.get("q") != q or not isinstance(position.get("o"), int) or position["o"] < 0:
            raise ValidationFailed("the cursor belongs to another search", code="invalid_cursor")
        offset = position["o"]
    rows = _search(session, words, viewer, filters, offset + limit + 1, tranche)[offset:]
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(cursor_key, {"q": q, "o": offset + limit})
    return rows, next_cursor


SEARCH_FIRST_WINDOW = 200
IN_LIST_LIMIT = 5000


def _ranked(session: Session, words: list[str], tranche: int, size: int, first: int) -> list[str]:
    """The ``first`` best-ranked record ids of tranche number ``tranche`` of the matches (``size``
    of them, newest document first); among equal ranks the newest document first. Lower
    ``rank`` is better on both stores.

    Only the narrow search table or index is read (not the record rows, bodies and all), and
    only the tranche's matches are ranked. SQLite: the tranche is the matches between two
    bounds, each a walk of the full-text index newest first (its rowid is when the document was
    made) that ranks nothing; then FTS5 ranks the matches between them. PostgreSQL: the
    matches' ``seq`` (when the document was made) sorted, the tranche's ``size`` of them kept,
    and ``ts_rank`` over those only (its planner misjudges how many rows a word matches, and
    the SQLite form made it recheck tens of thousands of rows for a word in a tenth of them)."""
    if session.get_bind().dialect.name == "postgresql":
        statement = text(
            "SELECT record_id FROM (SELECT record_id, seq, tsv FROM catalogue_record_search "
            "WHERE tsv @@ plainto_tsquery('simple', :q) ORDER BY seq DESC LIMIT :n OFFSET :o) AS tranche "
            "ORDER BY -ts_rank(tsv, plainto_tsquery('simple', :q)), seq DESC LIMIT :k"
        )
        parameters: dict[str, Any] = {"q": " ".join(words), "n": size, "o": tranche * size}
        # Planned for these words each time (a prepared statement's generic plan cannot see how
        # many rows they match: walking seq newest first suits a word in most records, sorting
        # a bitmap of the matches a rarer one).
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    else:
        bound = (
            "(SELECT rowid FROM catalogue_record_fts WHERE catalogue_record_fts MATCH :m "
            "ORDER BY rowid DESC LIMIT 1 OFFSET {})"
        )
        statement = text(
            "SELECT record_id FROM catalogue_record_fts WHERE catalogue_record_fts MATCH :m "
            f"AND rowid <= coalesce({bound.format(':newest')}, -1) AND rowid >= coalesce({bound.format(':oldest')}, 0) "
            "ORDER BY rank, rowid DESC LIMIT :k"
        )
        parameters = {"m": search.fts5_query(words), "newest": tranche * size, "oldest": (tranche + 1) * size - 1}
    return list(session.execute(statement, {**parameters, "k": first}).scalars())


def _search(
    session: Session, words: list[str], viewer: Principal | None, filters: RecordFilter, wanted: int, size: int
) -> list[Any]:
    """The first ``wanted`` rows the viewer may see and the filters keep, in search order.

    The record rows of a tranche's best-ranked matches are read a window at a time, the window
    widening only when visibility and filters leave too few."""
    found: list[Any] = []
    tranche = 0
    while len(found) < wanted:
        done, first = 0, min(size, max(SEARCH_FIRST_WINDOW, 4 * (wanted - len(found))))
        while True:
            ranked = _ranked(session, words, tranche, size, first)
            order = {record_id: n for n, record_id in enumerate(ranked[done:])}
            if order:
                found += sorted(_visible_rows(session, list(order), viewer, filters), key=lambda r: order[r.id])
            if len(found) >= wanted or len(ranked) < first or first == size:
                break
            done, first = len(ranked), min(size, first * 4)
        if len(found) >= wanted or len(ranked) < size:
            break
        tranche += 1
    return found[:wanted]


def _visible_rows(session: Session, ids: list[str], viewer: Principal | None, filters: RecordFilter) -> list[Any]:
    rows = list[Any]()
    for start in range(0, len(ids), IN_LIST_LIMIT):  # bounded statements (PostgreSQL takes 65,535 parameters)
        chunk = record.c.id.in_(ids[start : start + IN_LIST_LIMIT])
        rows.extend(session.execute(_filtered(_visible(select(record).where(chunk), viewer), filters)).all())
    return rows


def published_for_export(session: Session, filters: RecordFilter, max_rows: int) -> Iterator[Any]:
    """The rows one batch at a time (a server-side cursor on PostgreSQL), never all in memory."""
    query = _filtered(select(record).where(record.c.status.in_(PUBLIC_STATUSES)), filters)
    query = query.order_by(record.c.published_at.desc(), record.c.id).limit(max_rows)
    yield from session.execute(query.execution_options(yield_per=500))


def list_records(
    session: Session,
    *,
    viewer: Principal | None,
    filters: RecordFilter,
    limit: int,
    cursor: str | None,
    cursor_key: bytes,
) -> tuple[list[Any], str | None]:
    query = _visible(select(record), viewer)
    query = _filtered(query, filters)
    if cursor is not None:
        position = decode_cursor(cursor_key, cursor)
        created, last_id = datetime.fromisoformat(str(position.get("c"))), str(position.get("i"))
        # one range of the (created_at, id) index, however deep the page
        query = query.where(tuple_(record.c.created_at, record.c.id) < (created, last_id))
    rows = list(session.execute(query.order_by(record.c.created_at.desc(), record.c.id.desc()).limit(limit + 1)).all())
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(cursor_key, {"c": rows[-1].created_at.isoformat(), "i": rows[-1].id})
    return rows, next_cursor


def _visible(query: Select[Any], viewer: Principal | None) -> Select[Any]:
    public = record.c.status.in_(PUBLIC_STATUSES)
    if viewer is None:
        return query.where(public)
    if viewer.has("office", "auditor"):
        return query
    if viewer.has("editor", "head") and viewer.dept:
        return query.where(or_(public, record.c.department == viewer.dept))
    return query.where(public)


def _filtered(query: Select[Any], f: RecordFilter) -> Select[Any]:
    if f.department:
        query = query.where(record.c.department == f.department)
    if f.area:
        query = query.where(record.c.area == f.area)
    if f.category:
        query = query.where(record.c.category == f.category)
    if f.published_from:
        query = query.where(record.c.published_at >= _day_start(f.published_from))
    if f.published_to:
        query = query.where(record.c.published_at < _day_start(f.published_to, plus_days=1))
    return query


def _day_start(day: date, plus_days: int = 0) -> datetime:
    """Midnight in Shanghai, as UTC (how the tables store instants)."""
    return datetime.combine(day + timedelta(days=plus_days), datetime.min.time(), SHANGHAI).astimezone(UTC)
