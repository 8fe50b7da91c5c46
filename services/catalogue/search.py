"""Chinese full-text search over disclosure records (可检索).

Text is segmented with jieba (search mode, so 财政预算 is indexed as 财政, 预算 and
财政预算) and stored space-separated. A query is segmented the same way; only tokens with a
letter, digit or CJK character survive, and each is passed as a quoted phrase (SQLite FTS5)
or a plain lexeme (PostgreSQL ``plainto_tsquery``), so no query syntax a user types can reach
the search engine: ``' OR 1=1 --``, ``NEAR(``, ``*``, ``:*`` and ``&|!`` are just text.
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from typing import Any, cast

import jieba
from sqlalchemy import CursorResult, text
from sqlalchemy.orm import Session

from services.catalogue.read_models import record_search

MAX_QUERY_TOKENS = 16
_init_lock = threading.Lock()
_initialised = False


def warm_up() -> None:
    """Load jieba's dictionary once, at start-up rather than on the first request."""
    global _initialised
    with _init_lock:
        if not _initialised:
            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
            _initialised = True


def _meaningful(token: str) -> bool:
    return any(unicodedata.category(c)[0] in "LN" for c in token)


def tokens(value: str) -> list[str]:
    warm_up()
    return [t.lower() for t in jieba.cut_for_search(value) if _meaningful(t)]


def document(*parts: str | None) -> str:
    return " ".join(t for part in parts if part for t in tokens(part))


def query_tokens(q: str) -> list[str]:
    unique = list(dict.fromkeys(tokens(q)))
    return unique[:MAX_QUERY_TOKENS]


def index(session: Session, record_id: str, *parts: str | None, new: bool = False) -> None:
    """(Re)index a record; ``new``: it has never been indexed (a draft), nothing to replace."""
    doc = document(*parts)
    sqlite = session.get_bind().dialect.name == "sqlite"
    if not new:
        if sqlite:
            # The FTS row shares the rowid of its catalogue_record_search row, so replacing it is a
            # key lookup, never a scan of the whole full-text table.
            old = session.execute(
                text("SELECT rowid FROM catalogue_record_search WHERE record_id = :id"), {"id": record_id}
            ).scalar()
            if old is not None:
                session.execute(text("DELETE FROM catalogue_record_fts WHERE rowid = :r"), {"r": old})
        session.execute(record_search.delete().where(record_search.c.record_id == record_id))
    inserted = cast(CursorResult[Any], session.execute(_INSERT_SEARCH, {"record_id": record_id, "document": doc}))
    if sqlite:
        session.execute(
            text("INSERT INTO catalogue_record_fts (rowid, record_id, document) VALUES (:r, :id, :doc)"),
            {"r": inserted.lastrowid, "id": record_id, "doc": doc},
        )


_INSERT_SEARCH = record_search.insert()


def reset(session: Session) -> None:
    """Empty the SQLite FTS table (the rebuild recreates catalogue_record_search itself)."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("DELETE FROM catalogue_record_fts"))


def fts5_query(words: list[str]) -> str:
    return " ".join('"' + w.replace('"', '""') + '"' for w in words)
