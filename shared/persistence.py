"""One place that gives a service its storage.

* SQLite (default): one file per service, ``<OPENNESS_DATA_DIR>/<service>.sqlite3``.
* PostgreSQL (``OPENNESS_DATABASE_URL``): one schema per service, created by its migration;
  every connection's ``search_path`` is that schema.

Events are stored by the ``eventsourcing`` library through ``eventsourcing-sqlalchemy``;
read models, chain links and follower positions share its SQLAlchemy session, so they commit
in the same transaction as the events they belong to.
"""

from __future__ import annotations

import fcntl
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from threading import Semaphore
from typing import Any

from eventsourcing.persistence import ApplicationRecorder, InfrastructureFactory, StoredEvent
from eventsourcing.utils import Environment
from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory
from eventsourcing_sqlalchemy.recorders import SQLAlchemyApplicationRecorder
from sqlalchemy import Engine, Table, and_, create_engine, event, func, insert, or_, select, text
from sqlalchemy.orm import Session, sessionmaker

from shared import merkle
from shared.chain import CHAIN_FORMAT, GENESIS_HASH, Hasher, leaf_of
from shared.jsondata import loads
from shared.settings import Settings
from shared.timeutil import format_recorded_at, utcnow

# The feed item of a stored event at a position, recorded at an instant (without its hashes).
Envelope = Callable[[StoredEvent, int, str], dict[str, Any]]

_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def normalise_database_url(url: str) -> str:
    """Accept ``postgres://`` and ``postgresql://`` and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Store:
    """The database of one service: engine, library datastore, schema."""

    def __init__(self, service: str, settings: Settings) -> None:
        self.service = service
        self.settings = settings
        if settings.database_url:
            self.schema: str | None = f"{settings.database_schema_prefix}{service}"
            if not _SCHEMA_NAME.match(self.schema):
                raise ValueError(f"invalid schema name {self.schema!r}")
            self.url = normalise_database_url(settings.database_url)
            self.engine = create_engine(
                self.url,
                pool_pre_ping=True,
                hide_parameters=True,  # a store error's text never carries the values (personal data) bound
                pool_size=10,
                max_overflow=20,
                connect_args={"application_name": self.application_name},
                json_deserializer=loads,  # orjson (JSON columns are read far more than written)
            )
            self._set_search_path(self.engine, self.schema)
            self.sqlite_path: Path | None = None
        else:
            self.schema = None
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            path = (settings.data_dir / f"{service}.sqlite3").resolve()
            self.sqlite_path = path
            self.url = f"sqlite:///{path}"
            # A generous busy timeout: writers from several processes queue instead of failing.
            self.engine = create_engine(
                self.url,
                connect_args={"timeout": 30, "check_same_thread": False},
                hide_parameters=True,
                json_deserializer=loads,  # orjson (JSON columns are read far more than written)
            )
            self._use_wal()
        self.datastore = self._datastore()

    @property
    def application_name(self) -> str:
        """How this store's connections show in pg_stat_activity (operators can find and kill them)."""
        return f"openness:{self.schema or self.service}"[:63]

    @property
    def notify_channel(self) -> str | None:
        """The PostgreSQL channel every commit of this service notifies (``shared.wakeup`` listens)."""
        return f"openness_{self.schema}"[:63] if self.schema else None

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @staticmethod
    def _set_search_path(engine: Engine, schema: str) -> None:
        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            autocommit = dbapi_connection.autocommit
            dbapi_connection.autocommit = True
            with dbapi_connection.cursor() as cursor:
                cursor.execute(f'SET search_path TO "{schema}"')
            dbapi_connection.autocommit = autocommit

    def _use_wal(self) -> None:
        """Switch the file to WAL once, up front: readers never block the writer. The mode is kept
        in the file, so a file already in WAL is left alone; the switch itself (which needs the
        file to itself, and may fail at once instead of waiting) is made under the file lock that
        processes starting together on one directory take in turn."""
        with self.engine.connect() as connection:
            if str(connection.exec_driver_sql("PRAGMA journal_mode").scalar()).lower() == "wal":
                return
        with self.file_lock(), self.engine.connect() as connection:
            mode = connection.exec_driver_sql("PRAGMA journal_mode=WAL").scalar()
        if str(mode).lower() != "wal":
            raise RuntimeError(f"{self.url}: SQLite refused WAL mode ({mode})")

    @contextmanager
    def file_lock(self) -> Iterator[None]:
        """An exclusive lock beside a SQLite file, held while one process sets the file up (WAL,
        migrations); other processes wait for it. Nothing to lock on PostgreSQL (advisory locks)."""
        if self.sqlite_path is None:
            yield
            return
        with open(self.sqlite_path.with_suffix(".migrate.lock"), "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _datastore(self) -> SQLAlchemyDatastore:
        datastore = SQLAlchemyDatastore(session_maker=sessionmaker(bind=self.engine))
        if not self.is_postgres:
            # What the library sets up itself for a SQLite file URL: one writer per process
            # (the file lock serialises processes) and WAL so readers never block writers.
            datastore.write_lock = Semaphore()
            datastore.is_sqlite_filedb = True
            datastore.is_sqlite_wal_mode = True  # set by _use_wal
            datastore._tried_init_sqlite_wal_mode = True
        return datastore

    def serialise_writes(self, session: Session) -> None:
        """Take this service's append lock for the rest of the transaction (re-entrant).

        Every write transaction starts with it, so everything read inside one (the chain
        head, an index-number count, a follower position) cannot change under it, and
        positions become visible to readers in commit order. PostgreSQL: the lock the
        library itself takes before inserting events. SQLite: ``BEGIN IMMEDIATE``, the
        database write lock, instead of a deferred transaction that could fail to upgrade.
        """
        if self.is_postgres:
            session.execute(text(f'LOCK TABLE "{self.service}_events" IN EXCLUSIVE MODE'))
            return
        driver_connection: Any = session.connection().connection.driver_connection
        if not driver_connection.in_transaction:
            driver_connection.execute("BEGIN IMMEDIATE")

    def ping(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()


class ChainedApplicationRecorder(SQLAlchemyApplicationRecorder):
    """Inserts events and, in the same transaction, their links in the hash chain and the nodes
    they complete in the Merkle tree (so a checkpoint or a proof never recomputes the tree).

    The chain needs appends serialised: every write transaction takes the service's append
    lock first (``Store.serialise_writes``), so the head read below cannot race another
    writer, and positions become visible to readers in order.
    """

    def __init__(
        self, datastore: SQLAlchemyDatastore, *, events_table_name: str, chain: Table, merkle: Table, hasher: Hasher
    ):
        super().__init__(datastore, events_table_name=events_table_name)
        self.chain = chain
        self.merkle = merkle
        self.hasher = hasher
        self.envelope: Envelope | None = None
        self.clock: Callable[[], datetime] = utcnow  # the application's clock, for recorded_at

    def _insert_stored_events(
        self, session: Session, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int]:
        positions: Sequence[int]
        if not stored_events:
            return []  # saving an aggregate with nothing new records nothing (and links nothing)
        if self.datastore.engine is not None and self.datastore.engine.dialect.name == "postgresql":
            positions = self._insert_gap_free(session, stored_events)
        else:  # SQLite's rowid is max + 1 and a rollback returns it: no gap to avoid
            positions = super()._insert_stored_events(session, stored_events, **kwargs)
        assert self.envelope is not None, "the application sets envelope() after constructing its mapper"
        head = session.execute(
            select(self.chain.c.hash, self.chain.c.leaf_index, self.chain.c.recorded_at)
            .order_by(self.chain.c.position.desc())
            .limit(1)
        ).first()
        prev_hash, size = (head.hash, head.leaf_index + 1) if head else (GENESIS_HASH, 0)
        # recorded_at never decreases along the log, even when replicas' clocks differ a little
        # (readers find "recorded by an instant" as a prefix of positions: services.assessment.worlds)
        recorded_at = max(format_recorded_at(self.clock()), head.recorded_at if head else "")
        links = []
        for offset, (position, stored) in enumerate(zip(positions, stored_events, strict=True)):
            link_hash = self.hasher.link(prev_hash, self.envelope(stored, position, recorded_at), CHAIN_FORMAT)
            links.append(
                {
                    "position": position,
                    "prev_hash": prev_hash,
                    "hash": link_hash,
                    "recorded_at": recorded_at,
                    "chain_format": CHAIN_FORMAT,
                    "leaf_index": size + offset,
                }
            )
            prev_hash = link_hash
        session.execute(insert(self.chain), links)
        nodes = merkle.append(size, [leaf_of(str(link["hash"])) for link in links], self._frontier(session, size))
        session.execute(
            insert(self.merkle), [{"level": level, "idx": idx, "hash": h} for (level, idx), h in nodes.items()]
        )
        return positions

    def _insert_gap_free(self, session: Session, stored_events: Sequence[StoredEvent]) -> list[int]:
        """Positions numbered under the append lock from the last committed one, not taken from
        the column's sequence: a rolled-back write gives its sequence values back to nobody, so a
        sequence leaves gaps; ``max + 1`` under the lock cannot (the lock also keeps commit order)."""
        self._lock_table(session)  # held already (serialise_writes); re-entrant, kept for any other caller
        table = self.events_record_cls.__table__
        last = session.execute(select(func.max(table.c.id))).scalar() or 0
        rows: list[dict[str, Any]] = [
            {
                "id": last + offset,
                "originator_id": e.originator_id,
                "originator_version": e.originator_version,
                "topic": e.topic,
                "state": e.state,
            }
            for offset, e in enumerate(stored_events, start=1)
        ]
        session.execute(insert(table), rows)
        self._notify_channel(session)  # replicas' long polls wake on it (shared.wakeup)
        return [int(row["id"]) for row in rows]

    def _frontier(self, session: Session, size: int) -> dict[merkle.Node, bytes]:
        wanted = merkle.frontier(size)
        if not wanted:
            return {}
        rows = session.execute(frontier_query(self.merkle, wanted)).all()
        return {(r.level, r.idx): bytes(r.hash) for r in rows}


def frontier_query(table: Table, nodes: list[merkle.Node]) -> Any:
    """The stored hashes of ``nodes``: one equality pair per node, so each is a key lookup
    (SQLite scans the whole table for a row-value IN over (level, idx), and every append would
    then cost time in the size of the log; tests/kernel/test_chain.py checks the plan)."""
    return select(table.c.level, table.c.idx, table.c.hash).where(
        or_(*(and_(table.c.level == level, table.c.idx == idx) for level, idx in nodes))
    )


class OpennessFactory(SQLAlchemyFactory):
    """The library's SQLAlchemy factory over the service's own engine and chained recorder."""

    def __init__(self, env: Environment, store: Store, chain: Table, merkle: Table, hasher: Hasher) -> None:
        InfrastructureFactory.__init__(self, env)
        self._schema_name = None  # the search_path selects the schema
        self.datastore = store.datastore
        self._store = store
        self._chain = chain
        self._merkle = merkle
        self._hasher = hasher

    def application_recorder(self) -> ApplicationRecorder:
        recorder = ChainedApplicationRecorder(
            self.datastore,
            events_table_name=f"{self.env.name.lower()}_events",
            chain=self._chain,
            merkle=self._merkle,
            hasher=self._hasher,
        )
        if self._store.notify_channel:
            recorder.channel_name = self._store.notify_channel  # per schema: one deployment's replicas only
        if self.env_create_table():
            recorder.create_table()
        return recorder
