"""Chinese full-text search over disclosure records (可检索).

Text is segmented with jieba (search mode, so 财政预算 is indexed as 财政, 预算 and
财政预算) and stored space-separated. A query is segmented the same way; only tokens with a
letter, digit or CJK character survive, and each is passed as a quoted phrase (SQLite FTS5)
or a plain lexeme (PostgreSQL ``plainto_tsquery``), so no query syntax a user types can reach
the search engine: ``' OR 1=1 --``, ``NEAR(``, ``*``, ``:*`` and ``&|!`` are just text.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import unicodedata
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, cast

import jieba
from sqlalchemy import CursorResult, select, text
from sqlalchemy.orm import Session

from services.catalogue.read_models import record, record_search
from shared.application import Projection

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


# What a document is made with: a new jieba, or a change to ``tokens``, makes every record's
# document again at the next rebuild (``refresh``); bump the mark when ``tokens`` changes.
TOKENISER = f"jieba {jieba.__version__}, search mode, letters and digits, lower case: 1"


def source(*parts: str | None) -> str:
    """The SHA-256 of what a document is made from: the record's texts and the tokeniser."""
    return hashlib.sha256(json.dumps([TOKENISER, *parts], ensure_ascii=False).encode("utf-8")).hexdigest()


def index(session: Session, record_id: str, *parts: str | None, new: bool = False) -> None:
    """(Re)index a record; ``new``: it has never been indexed (a draft), nothing to replace.

    While a rebuild replays the events, nothing: ``refresh`` then indexes each record once, from
    its final texts, and only where they (or the tokeniser) changed."""
    if Projection.replaying(session):
        return
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
    inserted = cast(
        CursorResult[Any],
        session.execute(_INSERT_SEARCH, {"record_id": record_id, "document": doc, "source": source(*parts)}),
    )
    if sqlite:
        session.execute(
            text("INSERT INTO catalogue_record_fts (rowid, record_id, document) VALUES (:r, :id, :doc)"),
            {"r": inserted.lastrowid, "id": record_id, "doc": doc},
        )


_INSERT_SEARCH = record_search.insert()
_REFRESH_PAGE = 1000


def refresh(transaction: Callable[[], AbstractContextManager[Session]]) -> None:
    """After a rebuild replayed the events: index each record whose texts (or the tokeniser)
    changed since its document was made, and drop the documents of records that are gone. A
    page of records per transaction, in id order; an unchanged record costs a digest, not jieba."""
    after = ""
    while True:
        with transaction() as session:
            page = session.execute(
                select(
                    record.c.id,
                    record.c.title,
                    record.c.doc_number,
                    record.c.body,
                    record_search.c.record_id.is_not(None),
                    record_search.c.source,
                )
                .outerjoin(record_search, record_search.c.record_id == record.c.id)
                .where(record.c.id > after)
                .order_by(record.c.id)
                .limit(_REFRESH_PAGE)
            ).all()
            for record_id, title, doc_number, body, indexed, made_from in page:
                if not indexed or made_from != source(title, doc_number, body):
                    index(session, record_id, title, doc_number, body, new=not indexed)
        if len(page) < _REFRESH_PAGE:
            break
        after = page[-1].id
    with transaction() as session:
        if session.get_bind().dialect.name == "sqlite":
            session.execute(
                text(
                    "DELETE FROM catalogue_record_fts WHERE rowid IN (SELECT rowid FROM catalogue_record_search "
                    "WHERE record_id NOT IN (SELECT id FROM catalogue_record))"
                )
            )
        session.execute(record_search.delete().where(record_search.c.record_id.not_in(select(record.c.id))))


def fts5_query(words: list[str]) -> str:
    return " ".join('"' + w.replace('"', '""') + '"' for w in words)
