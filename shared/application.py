"""Base class of the four services' ``eventsourcing`` applications.

Each service subclasses ``ServiceApplication`` with its aggregates, its projection (event ->
read-model rows) and its own use-case methods. ``save`` writes events, chain links and the
projected rows in one transaction, so a 2xx write is visible to the next read.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, ClassVar, TypeVar
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import DomainEventProtocol, MutableOrImmutableAggregate
from eventsourcing.persistence import JSONTranscoder, Recording, StoredEvent, Transcoding
from eventsourcing.utils import Environment
from sqlalchemy import MetaData, Table, and_, bindparam, delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.expression import ClauseElement

from shared import merkle, signednote
from shared.calendar import WorkingCalendar
from shared.chain import GENESIS_HASH, ChainLink, Hasher, VerifyResult, merge_by_position, verify_links
from shared.errors import NotFound, PreconditionFailed, ValidationFailed
from shared.jsondata import ENVELOPE_ATTRIBUTES, plain_decoder
from shared.persistence import OpennessFactory, Store
from shared.rules.contacts import without_contact_details
from shared.rules.time import refuse_future
from shared.settings import Settings
from shared.signednote import Checkpoint, Signer, generate_key_file, load_private_key
from shared.tables import KernelTables
from shared.timeutil import format_recorded_at, local_date, utcnow
from shared.webhooks import registry as webhooks
from shared.webhooks.domain import webhook_aggregate

Handler = Callable[[Session, Any], None]
T = TypeVar("T")


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


def _scrubbed(value: Any, names: tuple[str, ...]) -> Any:
    if isinstance(value, str):
        return without_contact_details(value, names)
    if isinstance(value, list):
        return [_scrubbed(v, names) for v in value]
    if isinstance(value, dict):
        return {k: _scrubbed(v, names) for k, v in value.items()}
    return value


def type_name(topic: str) -> str:
    """Public feed type of a stable topic: ``catalogue.Record.Published`` -> ``catalogue.RecordPublished``."""
    service, _, rest = topic.partition(".")
    aggregate, _, event_name = rest.partition(".")
    if not event_name or ":" in topic:
        return topic
    return f"{service}.{aggregate}{event_name}"


class Projection:
    """Event class -> handler that writes read-model rows through the given session.

    ``kept``: tables derived from other read-model rows rather than from the events themselves
    (the catalogue's search index, made from each record's texts). A rebuild leaves them as they
    are, their handlers skip them while the events replay (``replaying``), and each of
    ``refresh_hooks`` brings them up to date once afterwards, redoing only what changed.
    """

    def __init__(self, *tables: Table, kept: tuple[Table, ...] = ()) -> None:
        self.tables = list(tables)
        self.kept = list(kept)
        self._handlers: dict[type, Handler] = {}
        self.refresh_hooks: list[Callable[[Callable[[], AbstractContextManager[Session]]], None]] = []

    @staticmethod
    def replaying(session: Session) -> bool:
        """True in the transactions of a rebuild that replay events into emptied read models."""
        return bool(session.info.get(_REPLAYING))

    def on(self, *event_classes: type) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            for event_class in event_classes:
                self._handlers[event_class] = handler
            return handler

        return register

    @staticmethod
    def update(session: Session, table: Table, domain_event: Any, **values: Any) -> None:
        """The row of the event's aggregate (``id``) moves to the event's version."""
        values.update(version=domain_event.originator_version, updated_at=domain_event.timestamp)
        if any(isinstance(value, ClauseElement) for value in values.values()):  # e.g. a count + 1
            session.execute(table.update().where(table.c.id == str(domain_event.originator_id)).values(**values))
            return
        parameters = {f"v_{name}": value for name, value in values.items()}
        session.execute(
            _update_by_id(table, tuple(sorted(values))), {"row_id": str(domain_event.originator_id), **parameters}
        )

    def apply(self, session: Session, domain_event: object) -> None:
        handler = self._handlers.get(type(domain_event))
        if handler is not None:
            handler(session, domain_event)


_REPLAYING = "openness.replaying"


@functools.cache
def _update_by_id(table: Table, columns: tuple[str, ...]) -> Any:
    """``UPDATE table SET columns WHERE id``, built once per table and set of columns (the values
    are parameters, so SQLAlchemy compiles it once instead of once per event)."""
    return (
        table.update()
        .where(table.c.id == bindparam("row_id"))
        .values({name: bindparam(f"v_{name}") for name in columns})
    )


@dataclass(frozen=True)
class FeedItem:
    position: int
    event_id: str
    stream_id: str
    stream_version: int
    type: str
    schema_version: int
    occurred_at: str
    recorded_at: str
    data: dict[str, Any]
    hash: str
    prev_hash: str
    chain_format: int
    undecodable: bool = False  # the stored bytes no longer decode: ``data`` holds them, base64


class ServiceApplication(Application[UUID]):
    """One per process, built in the FastAPI lifespan (never at import time)."""

    service: ClassVar[str]
    metadata: ClassVar[MetaData]
    kernel: ClassVar[KernelTables]
    projection: ClassVar[Projection]
    aggregate_classes: ClassVar[tuple[type, ...]] = ()
    # Personal data in event payloads, by feed type: auditors see it, platform readers get "***".
    personal_fields: ClassVar[dict[str, tuple[str, ...]]] = {}
    # Free text that may carry personal data (a citizen's words, notes about them), by feed type:
    # platform readers and webhooks get it scrubbed (shared.rules.contacts), auditors see it whole.
    free_text_fields: ClassVar[dict[str, tuple[str, ...]]] = {}
    # Text the government writes for the public or for the record (a record's body, a reason for a
    # correction, an interpreter's name and post): shown whole to every reader. Every text field of
    # every event is in exactly one of these three maps (tests/kernel/test_privacy.py checks).
    official_text_fields: ClassVar[dict[str, tuple[str, ...]]] = {}
    # Tables filled by followers of other services' feeds (dropped and re-followed on rebuild).
    follower_tables: ClassVar[tuple[Table, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "service" in cls.__dict__:
            cls.name = cls.service
            # The kernel's own events (webhook subscriptions) are classified by the kernel.
            cls.personal_fields = {**cls.personal_fields, **webhooks.personal_fields(cls.service)}
            cls.official_text_fields = {**cls.official_text_fields, **webhooks.official_text_fields(cls.service)}

    def __init__(self, *, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.hasher = Hasher(settings.hash_algorithm)
        self.sessions = sessionmaker(bind=store.engine)
        # Called after each outermost commit, from the committing thread (the feed's async waiter).
        self.commit_listeners: list[Callable[[], None]] = []
        # Called after each outermost commit with the feed types of the events it appended (metrics).
        self.append_listeners: list[Callable[[list[str]], None]] = []
        self._nesting = threading.local()
        self.followers: list[Any] = []  # set by the web shell: shared.follower.Follower objects
        # The server's clock for recorded instants (published_at, received_at...); tests set it.
        self.clock: Callable[[], datetime] = utcnow
        self.calendar = WorkingCalendar(settings.calendar_file)
        self.law = settings.law
        self.log_key = _log_key(settings)  # signs checkpoints, and webhook deliveries (v1a)
        self.log_signer = Signer(f"{settings.log_origin}/{self.name}", self.log_key)
        super().__init__(env={"CREATE_TABLE": "y"})
        self.recorder.envelope = self.envelope  # type: ignore[attr-defined]
        self.recorder.clock = lambda: self.clock()  # type: ignore[attr-defined]
        self.type_topics = self._collect_type_topics()

    def today(self) -> date:
        """The server's day in Shanghai, by the application's clock."""
        return local_date(self.clock())

    def refuse_future(self, **facts: date | datetime | None) -> None:
        """No fact may be dated after the server's today/now (api.md "dates in the future")."""
        refuse_future(self.clock(), self.today(), self.law.future_skew_seconds, **facts)

    # --- wiring -----------------------------------------------------------------------

    def construct_env(self, name: str, env: Any = None) -> Environment:
        # Only what we pass: stray process environment must not reconfigure the store.
        return Environment(name, dict(env or {}))

    def construct_factory(self, env: Environment) -> OpennessFactory:  # type: ignore[override]
        return OpennessFactory(env, self.store, self.kernel.chain, self.kernel.merkle, self.hasher)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def _collect_type_topics(self) -> dict[str, str]:
        topics: dict[str, str] = {}
        for aggregate_class in (*self.aggregate_classes, webhook_aggregate(self.service)):
            for value in vars(aggregate_class).values():
                topic = getattr(value, "TOPIC", None)
                if isinstance(value, type) and isinstance(topic, str) and value.__name__ != "Event":
                    topics[type_name(topic)] = topic
        return topics

    # --- writing ------------------------------------------------------------------------

    def save(
        self, *objs: MutableOrImmutableAggregate[Any] | DomainEventProtocol[Any] | None, **kwargs: Any
    ) -> list[Recording[Any]]:
        with self.transaction() as session:
            recordings = super().save(*objs, **kwargs)
            for recording in recordings:
                self.projection.apply(session, recording.domain_event)
                webhooks.project(session, self, recording.domain_event)
            self._nesting.appended.extend(type_name(r.notification.topic) for r in recordings)
        return recordings

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A write transaction holding the append lock; ``save`` calls inside it join it.

        Feed readers waiting for new events (``commit_listeners``) are woken once the outermost
        transaction has committed (not when a nested save finishes, which would wake them too early).
        """
        depth = getattr(self._nesting, "depth", 0)
        self._nesting.depth = depth + 1
        if depth == 0:
            self._nesting.appended = []
        try:
            with self.recorder.transaction(commit=True) as session:  # type: ignore[attr-defined]
                self.store.serialise_writes(session)
                yield session
        finally:
            self._nesting.depth = depth
        if depth == 0:
            for listener in self.commit_listeners:
                listener()
            if self._nesting.appended:
                for append_listener in self.append_listeners:
                    append_listener(self._nesting.appended)

    def violations_now(self, departments: list[str]) -> dict[str, int]:
        """What the assessment's judge counts against ``departments`` now, by kind (its metrics);
        other services judge nothing (one home per rule) and answer nothing."""
        return {}

    def once(
        self, *, key: str | None, principal: str, request_hash: str, create: Callable[[], str]
    ) -> tuple[str, bool]:
        """Run ``create`` once per (Idempotency-Key, caller); return (resource id, replayed).

        The key is recorded in the transaction that records the events, under the append
        lock, so a retry (even a concurrent one) finds it and gets the first resource back.
        The same key with another body is 422. ``create`` runs under that lock: it must not
        wait on anything outside this store (another service, the network).
        """
        if key is None:
            return create(), False
        table = self.kernel.idempotency
        with self.transaction() as session:
            row = session.execute(select(table).where(table.c.key == key, table.c.principal == principal)).first()
            if row is not None:
                if row.request_hash != request_hash:
                    raise ValidationFailed(
                        "this Idempotency-Key was used with a different request body", code="idempotency_key_reused"
                    )
                return str(row.resource_id), True
            resource_id = create()
            session.execute(
                table.insert().values(
                    key=key,
                    principal=principal,
                    request_hash=request_hash,
                    resource_id=resource_id,
                    created_at=format_recorded_at(self.clock()),
                )
            )
        return resource_id, False

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self.sessions() as session:
            yield session

    def load(self, aggregate_id: Any, kind: type[T], *, expected_version: int | None = None) -> T:
        """The aggregate, or 404; with ``expected_version`` (If-Match), 412 when it moved on."""
        try:
            aggregate: Any = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFound(f"no {kind.__name__.lower()} {aggregate_id}") from None
        if not isinstance(aggregate, kind):
            raise NotFound(f"no {kind.__name__.lower()} {aggregate_id}")
        expect_version(aggregate, expected_version)
        return aggregate

    # --- describing events for the feed and the chain ---------------------------------------

    def recorded_state(self, stored: StoredEvent) -> dict[str, Any]:
        """The event's state exactly as it was recorded, as plain JSON values: decoded, but
        never upcast.

        The hash chain and the feed carry this, with the recorded ``schema_version``, so that
        what was hashed then can be recomputed from the feed forever, whatever upcasters
        later versions of the code add. (No cipher or compressor is configured.) Decoded in one
        pass by the transcodings the store's transcoder has (``jsondata.plain_decoder``).
        """
        state: dict[str, Any] = self._plain_state(stored.state)
        return state

    @functools.cached_property
    def _plain_state(self) -> Callable[[bytes], Any]:
        transcoder = self.mapper.transcoder
        assert isinstance(transcoder, JSONTranscoder), "events are stored as the library's JSON"
        return plain_decoder(transcoder.names)

    def envelope(self, stored: StoredEvent, position: int, recorded_at: str) -> dict[str, Any]:
        """The feed item of a stored event, without its hashes: what the chain link covers
        (``shared.chain``) and what every reader of the feed is shown."""
        state = self.recorded_state(stored)
        return {
            "position": position,
            "event_id": event_id(stored.originator_id, stored.originator_version),
            "stream_id": str(stored.originator_id),
            "stream_version": stored.originator_version,
            "type": type_name(stored.topic),
            "schema_version": int(state.get("class_version", 1)),
            "occurred_at": state["timestamp"],
            "recorded_at": recorded_at,
            "data": {k: v for k, v in state.items() if k not in ENVELOPE_ATTRIBUTES},
        }

    def redact(self, type_: str, data: dict[str, Any]) -> dict[str, Any]:
        """What a ``platform`` reader (and a webhook) sees of an event's data: ``personal_fields``
        become "***"; ``free_text_fields`` lose contact details, home addresses, ID numbers and
        the personal names the same event carries. The same object back when nothing changed."""
        personal = self.personal_fields.get(type_, ())
        free_text = self.free_text_fields.get(type_, ())
        if not personal and not free_text:
            return data
        names = tuple(v for k, v in data.items() if k in personal and isinstance(v, str))
        redacted = {
            k: ("***" if k in personal else _scrubbed(v, names) if k in free_text else v) for k, v in data.items()
        }
        return data if redacted == data else redacted

    # --- reading the log -----------------------------------------------------------------------

    @property
    def events_table(self) -> Table:
        table: Table = self.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
        return table

    def head_position(self) -> int:
        return self.chain_head()[0]

    def chain_head(self) -> tuple[int, str]:
        chain = self.kernel.chain
        with self.reading() as session:
            row = session.execute(
                select(chain.c.position, chain.c.hash).order_by(chain.c.position.desc()).limit(1)
            ).first()
        return (int(row.position), str(row.hash)) if row else (0, GENESIS_HASH)

    def scan_feed(self, *, after: int, limit: int, types: list[str] | None = None) -> tuple[list[FeedItem], int]:
        """A page of the feed and the position it was scanned up to.

        With a ``types`` filter the page may hold none of the events scanned; the position
        tells a reader where to continue (and a long poll what to wait beyond), so nothing is
        scanned twice. It is the head read before the page, so nothing committed later is skipped.
        """
        head = self.head_position()
        items = self.read_feed(after=after, limit=limit, types=types, up_to=head)
        scanned_to = head if len(items) < limit else items[-1].position
        return items, max(scanned_to, after)

    def read_feed(
        self, *, after: int, limit: int, types: list[str] | None = None, up_to: int | None = None
    ) -> list[FeedItem]:
        events, chain = self.events_table, self.kernel.chain
        # The page of events first, then its links: under one LIMIT, PostgreSQL merge-joined the
        # chain from its first row up to ``after`` (4.5 ms at 30k events, growing with the log;
        # now 0.13 ms, an index lookup per item).
        wanted = select(events).where(events.c.id > after).order_by(events.c.id).limit(limit)
        if types is not None:
            wanted = wanted.where(events.c.topic.in_([self.type_topics.get(t, t) for t in types]))
        if up_to is not None:
            wanted = wanted.where(events.c.id <= up_to)
        page = wanted.subquery("page")
        query = (
            select(page, chain.c.prev_hash, chain.c.hash, chain.c.recorded_at, chain.c.chain_format)
            .join(chain, chain.c.position == page.c.id)
            .order_by(page.c.id)
        )
        with self.reading() as session:
            rows = session.execute(query).all()
        return [self._feed_item(row) for row in rows]

    def _feed_item(self, row: Any) -> FeedItem:
        links = {"hash": row.hash, "prev_hash": row.prev_hash, "chain_format": row.chain_format}
        stored = _stored_event(row)
        try:
            return FeedItem(**self.envelope(stored, row.id, row.recorded_at), **links)
        except Exception:  # a stored event that no longer decodes is shown as it is, never a 500
            raw = base64.b64encode(stored.state).decode("ascii")
            return FeedItem(
                position=row.id,
                event_id=event_id(stored.originator_id, stored.originator_version),
                stream_id=str(stored.originator_id),
                stream_version=stored.originator_version,
                type=type_name(stored.topic),
                schema_version=0,
                occurred_at="",
                recorded_at=row.recorded_at,
                data={"raw_base64": raw},
                undecodable=True,
                **links,
            )

    # --- audit ----------------------------------------------------------------------------------

    def verify_chain(self, batch: int = 1000) -> VerifyResult:
        """Recompute every link from the stored events and the Merkle root from the links, and
        compare the root with the one the stored tree (and so every checkpoint) gives."""
        signed = [(c.size, c.root) for c in self.issued_checkpoints()]
        result = verify_links(self.hasher, merge_by_position(self._links(batch), self._items(batch)), signed)
        if result.ok and result.merkle_root != self.tree_root(result.checked).hex():
            return replace(result, ok=False, reason="the stored Merkle tree does not match the chain")
        return result

    def _links(self, batch: int) -> Iterator[ChainLink]:
        chain, nodes = self.kernel.chain, self.kernel.merkle
        leaf = nodes.alias("leaf")
        after = -1
        while True:
            with self.reading() as session:
                rows = session.execute(
                    select(chain, leaf.c.hash.label("leaf"))
                    .outerjoin(leaf, and_(leaf.c.level == 0, leaf.c.idx == chain.c.leaf_index))
                    .where(chain.c.position > after)
                    .order_by(chain.c.position)
                    .limit(batch)
                ).all()
            for r in rows:
                stored_leaf = None if r.leaf is None else bytes(r.leaf)
                yield ChainLink(r.position, r.prev_hash, r.hash, r.chain_format, stored_leaf)
            if len(rows) < batch:
                return
            after = rows[-1].position

    def _items(self, batch: int) -> Iterator[tuple[int, dict[str, Any] | None]]:
        events, chain = self.events_table, self.kernel.chain
        after = -1
        while True:
            with self.reading() as session:
                rows = session.execute(
                    select(events, chain.c.recorded_at)
                    .outerjoin(chain, chain.c.position == events.c.id)
                    .where(events.c.id > after)
                    .order_by(events.c.id)
                    .limit(batch)
                ).all()
            for row in rows:
                yield row.id, self._item_or_none(row)
            if len(rows) < batch:
                return
            after = rows[-1].id

    def _item_or_none(self, row: Any) -> dict[str, Any] | None:
        try:
            return self.envelope(_stored_event(row), row.id, row.recorded_at or "")
        except Exception:  # an altered row may not even decode: that is a break, not a crash
            return None

    # --- the Merkle tree ----------------------------------------------------------------------------

    def tree_size(self) -> int:
        """How many leaves the Merkle tree has (one per event, in position order)."""
        chain = self.kernel.chain
        with self.reading() as session:
            last = session.execute(select(func.max(chain.c.leaf_index))).scalar()
        return 0 if last is None else int(last) + 1

    @property
    def tree(self) -> merkle.Tree:
        return merkle.Tree(self._fetch_nodes)

    def tree_root(self, size: int) -> bytes:
        return self.tree.root(size)

    def _fetch_nodes(self, keys: list[merkle.Node]) -> dict[merkle.Node, bytes]:
        table = self.kernel.merkle
        found: dict[merkle.Node, bytes] = {}
        with self.reading() as session:
            for start in range(0, len(keys), 100):  # bounded statements, whatever the proof needs
                chunk = keys[start : start + 100]
                rows = session.execute(
                    select(table.c.level, table.c.idx, table.c.hash).where(
                        or_(*(and_(table.c.level == level, table.c.idx == idx) for level, idx in chunk))
                    )
                ).all()
                found.update({(r.level, r.idx): bytes(r.hash) for r in rows})
        return found

    @property
    def log_origin(self) -> str:
        return self.log_signer.name

    def checkpoint(self, size: int | None = None) -> tuple[Checkpoint, str]:
        """The checkpoint of the tree at ``size`` (default: now) and its signed note.

        The first note signed for each size is kept (``issued_checkpoints``) and handed out
        again: what the log once committed to, ``verify_chain`` holds it to."""
        size = self.tree_size() if size is None else size
        table = self.kernel.checkpoints
        with self.reading() as session:
            kept = session.execute(select(table.c.root, table.c.note).where(table.c.tree_size == size)).first()
        if kept is not None:
            return Checkpoint(self.log_origin, size, bytes(kept.root)), str(kept.note)
        checkpoint = Checkpoint(self.log_origin, size, self.tree_root(size))
        note = signednote.sign(checkpoint.text(), [self.log_signer])
        with suppress(IntegrityError), self.store.engine.begin() as connection:  # another request kept one first
            connection.execute(
                table.insert().values(
                    tree_size=size, root=checkpoint.root, note=note, signed_at=format_recorded_at(self.clock())
                )
            )
        return checkpoint, note

    def issued_checkpoints(self) -> list[Checkpoint]:
        table = self.kernel.checkpoints
        with self.reading() as session:
            rows = session.execute(select(table.c.note).order_by(table.c.tree_size)).scalars().all()
        verifier = self.log_signer.verifier
        issued = []
        for note in rows:
            try:
                issued.append(signednote.verify_checkpoint(note, [verifier]))
            except signednote.NoteError:
                continue  # a note this key did not sign proves nothing either way
        return issued

    def first_leaf_after(self, position: int, size: int) -> int:
        """The leaf index of the first event after ``position`` (``size`` when there is none)."""
        chain = self.kernel.chain
        with self.reading() as session:
            value = session.execute(select(func.min(chain.c.leaf_index)).where(chain.c.position > position)).scalar()
        return size if value is None else min(int(value), size)

    def leaf_index_of(self, position: int) -> int | None:
        chain = self.kernel.chain
        with self.reading() as session:
            value = session.execute(select(chain.c.leaf_index).where(chain.c.position == position)).scalar()
        return None if value is None else int(value)

    def followed(self, upstream: str, *, applied: int, behind: bool) -> None:
        """Called in a follower's thread after each poll of ``upstream``: ``applied`` events were
        committed, and the upstream has more (``behind``) or not. For state derived from many
        batches; a failure here is logged, never un-applies."""

    # --- rebuilding read models -------------------------------------------------------------------

    def rebuild(self, progress: Callable[[int, int], None] | None = None, batch: int = 2000) -> int:
        """Empty the read models, replay every event into them; return how many were replayed.

        Rows are deleted rather than tables dropped, so what the migrations made (indexes,
        generated columns, full-text tables) stays exactly as migrated. The projection's ``kept``
        tables are not emptied: its refresh hooks bring them up to date once the events replayed.
        """
        tables = [*self.projection.tables, *self.follower_tables, self.kernel.webhooks.webhooks]
        with self.transaction() as session:
            for table in reversed(self.metadata.sorted_tables):
                if table in tables and table not in self.projection.kept:
                    session.execute(delete(table))
            session.execute(delete(self.kernel.follow_positions))
        total, done, after = self.head_position(), 0, 0
        events = self.events_table
        while True:
            with self.transaction() as session:
                # a page of events read as plain rows (the library's reader builds an ORM object per event)
                page = session.execute(select(events).where(events.c.id > after).order_by(events.c.id).limit(batch))
                rows = page.all()
                session.info[_REPLAYING] = True
                try:
                    for row in rows:
                        domain_event = self.mapper.to_domain_event(_stored_event(row))
                        self.projection.apply(session, domain_event)
                        webhooks.project(session, self, domain_event)
                finally:
                    del session.info[_REPLAYING]
            if not rows:
                break
            done += len(rows)
            after = rows[-1].id
            if progress is not None:
                progress(done, total)
        for refresh in self.projection.refresh_hooks:
            refresh(self.transaction)
        return done


def _log_key(settings: Settings) -> Ed25519PrivateKey:
    """The configured log key; in development, one made on first start beside the data."""
    path = settings.log_key_file
    if path is None:
        path = settings.data_dir / "log-key.pem"
        with suppress(FileExistsError):  # another service made it first
            generate_key_file(path)
    return load_private_key(path)


def expect_version(aggregate: Any, expected_version: int | None) -> None:
    if expected_version is not None and aggregate.version != expected_version:
        raise PreconditionFailed(
            f"the resource is at version {aggregate.version}, not {expected_version}; reload it and retry",
            code="version_mismatch",
        )


def _stored_event(row: Any) -> StoredEvent:
    state = row.state
    return StoredEvent(
        originator_id=row.originator_id,
        originator_version=row.originator_version,
        topic=row.topic,
        state=bytes(state) if isinstance(state, memoryview) else state,
    )


_EVENT_ID_NAMESPACE = uuid.NAMESPACE_URL.bytes


def event_id(stream_id: Any, version: int) -> str:
    """A stable event id: the same stream and version always give the same id, the UUID 5 of
    ``openness:{stream}:{version}`` in the URL namespace (``uuid.uuid5``, written out here
    without its two UUID objects: every feed item has one; a test holds it to ``uuid.uuid5``)."""
    name = _EVENT_ID_NAMESPACE + f"openness:{stream_id}:{version}".encode()
    digest = bytearray(hashlib.sha1(name, usedforsecurity=False).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
