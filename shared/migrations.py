"""Alembic, per service: ``services/<service>/migrations`` holds dated revisions.

On PostgreSQL the first revision runs inside the service's schema, which is created here
(under an advisory lock, so processes starting together do not race).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any, Literal

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, text

from shared.persistence import Store
from shared.tables import UtcDateTime

FILE_TEMPLATE = "%%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d-%%(slug)s"


def script_location(service: str) -> Path:
    package = importlib.import_module(f"services.{service}")
    return Path(package.__file__ or "").parent / "migrations"


def alembic_config(service: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location(service)))
    config.set_main_option("file_template", FILE_TEMPLATE)
    return config


def upgrade(store: Store, revision: str = "head") -> None:
    config = alembic_config(store.service)
    # Processes starting together on one SQLite directory migrate one after another; PostgreSQL
    # uses an advisory lock inside the transaction instead.
    with store.file_lock(), store.engine.begin() as connection:
        if store.is_postgres:
            connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"migrate:{store.schema}"})
            connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{store.schema}"'))
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def revision(store: Store, message: str) -> None:
    """Autogenerate a new revision from the difference between the models and the database."""
    config = alembic_config(store.service)
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)


def _include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    # What we do not model (the library's event tables, Alembic's own, SQLite's FTS5 shadow
    # tables) is not ours to drop.
    return not (reflected and compare_to is None)


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    # Revisions are frozen in time: write plain SQLAlchemy types, never our decorators.
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations(metadata: MetaData) -> None:
    """Body of every service's ``migrations/env.py``."""
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations with `openness migrate` (it supplies the connection)")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_object=_include_object,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


# --- kernel tables, as every service's first revision creates them ------------------------------
# Frozen: a later change to the kernel tables gets a new function (v2) and new revisions.


def create_kernel_tables_v1(service: str) -> None:
    import sqlalchemy as sa
    from alembic import op

    position = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        f"{service}_chain",
        sa.Column("position", position, autoincrement=False, nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("position", name=f"pk_{service}_chain"),
    )
    op.create_table(
        f"{service}_follow_position",
        sa.Column("upstream", sa.String(length=32), nullable=False),
        sa.Column("position", position, nullable=False),
        sa.Column("upstream_head", position, nullable=True),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("upstream", name=f"pk_{service}_follow_position"),
    )
    op.create_table(
        f"{service}_idempotency",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("principal", sa.String(length=200), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("resource_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("key", "principal", name=f"pk_{service}_idempotency"),
    )


def drop_kernel_tables_v1(service: str) -> None:
    from alembic import op

    for table in ("idempotency", "follow_position", "chain"):
        op.drop_table(f"{service}_{table}")


# --- kernel tables v2: versioned chain links, the Merkle tree, verified following ------------------


def upgrade_kernel_tables_v2(service: str) -> None:
    """Links record their ``chain_format`` (existing ones: 1) and their Merkle ``leaf_index``
    (existing ones: their rank in position order); the Merkle tree of the existing links is
    built here once; followers remember the hash of the last upstream event they applied."""
    import sqlalchemy as sa
    from alembic import op

    from shared import merkle
    from shared.chain import leaf_of

    position = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    chain_name, merkle_name = f"{service}_chain", f"{service}_merkle"
    op.add_column(chain_name, sa.Column("chain_format", sa.SmallInteger(), nullable=True))
    op.add_column(chain_name, sa.Column("leaf_index", position, nullable=True))
    op.create_table(
        merkle_name,
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("idx", position, nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("level", "idx", name=f"pk_{merkle_name}"),
    )
    op.add_column(f"{service}_follow_position", sa.Column("hash", sa.String(length=64), nullable=True))
    op.create_table(
        f"{service}_checkpoint",
        sa.Column("tree_size", position, autoincrement=False, nullable=False),
        sa.Column("root", sa.LargeBinary(length=32), nullable=False),
        sa.Column("note", sa.String(length=2000), nullable=False),
        sa.Column("signed_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("tree_size", name=f"pk_{service}_checkpoint"),
    )

    chain = sa.table(
        chain_name,
        sa.column("position", position),
        sa.column("hash", sa.String()),
        sa.column("chain_format", sa.SmallInteger()),
        sa.column("leaf_index", position),
    )
    nodes_table = sa.table(
        merkle_name,
        sa.column("level", sa.SmallInteger()),
        sa.column("idx", position),
        sa.column("hash", sa.LargeBinary()),
    )
    connection = op.get_bind()
    size, after = 0, -1
    known: dict[merkle.Node, bytes] = {}
    while True:
        rows = connection.execute(
            sa.select(chain.c.position, chain.c.hash)
            .where(chain.c.position > after)
            .order_by(chain.c.position)
            .limit(5000)
        ).all()
        if not rows:
            break
        connection.execute(
            chain.update()
            .where(chain.c.position == sa.bindparam("p"))
            .values(chain_format=1, leaf_index=sa.bindparam("i")),
            [{"p": r.position, "i": size + n} for n, r in enumerate(rows)],
        )
        created = merkle.append(size, [leaf_of(r.hash) for r in rows], known)
        connection.execute(
            sa.insert(nodes_table), [{"level": level, "idx": idx, "hash": h} for (level, idx), h in created.items()]
        )
        size += len(rows)
        known = {**known, **created}
        known = {node: known[node] for node in merkle.frontier(size)}
        after = rows[-1].position
    with op.batch_alter_table(chain_name) as batch:
        batch.alter_column("chain_format", existing_type=sa.SmallInteger(), nullable=False)
        batch.alter_column("leaf_index", existing_type=position, nullable=False)
        batch.create_unique_constraint(f"uq_{chain_name}_leaf_index", ["leaf_index"])


def downgrade_kernel_tables_v2(service: str) -> None:
    from alembic import op

    op.drop_table(f"{service}_checkpoint")
    op.drop_table(f"{service}_merkle")
    with op.batch_alter_table(f"{service}_follow_position") as batch:
        batch.drop_column("hash")
    with op.batch_alter_table(f"{service}_chain") as batch:
        batch.drop_constraint(f"uq_{service}_chain_leaf_index", type_="unique")
        batch.drop_column("leaf_index")
        batch.drop_column("chain_format")


# --- kernel tables v3: webhooks ----------------------------------------------------------------


def create_webhook_tables(service: str) -> None:
    """The tables of ``shared.webhooks.tables`` as they were at this revision (written out, so a
    later change of the definitions never changes what this revision creates)."""
    import sqlalchemy as sa
    from alembic import op

    position = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    moment = sa.DateTime(timezone=True)
    webhooks, state = f"{service}_webhooks", f"{service}_webhook_state"
    deliveries, attempts = f"{service}_webhook_deliveries", f"{service}_webhook_attempts"
    op.create_table(
        webhooks,
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("types", sa.JSON(), nullable=False),
        sa.Column("departments", sa.JSON(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("start_position", position, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("disabled_reason", sa.String(length=500), nullable=True),
        sa.Column("created_at", moment, nullable=False),
        sa.Column("updated_at", moment, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{webhooks}"),
    )
    op.create_table(
        state,
        sa.Column("webhook_id", sa.String(length=36), nullable=False),
        sa.Column("secret", sa.String(length=100), nullable=False),
        sa.Column("queued_to", position, nullable=False),
        sa.PrimaryKeyConstraint("webhook_id", name=f"pk_{state}"),
    )
    op.create_table(
        deliveries,
        sa.Column("id", position, autoincrement=True, nullable=False),
        sa.Column("webhook_id", sa.String(length=36), nullable=False),
        sa.Column("event_position", position, nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", moment, nullable=True),
        sa.Column("created_at", moment, nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{deliveries}"),
        sa.UniqueConstraint("webhook_id", "event_position", name=f"uq_{deliveries}_webhook_id"),
    )
    op.create_index(f"ix_{service}_webhook_deliveries_due", deliveries, ["status", "next_attempt_at"])
    op.create_index(f"ix_{service}_webhook_deliveries_lane", deliveries, ["webhook_id", "status", "event_position"])
    op.create_table(
        attempts,
        sa.Column("delivery_id", position, nullable=False),
        sa.Column("attempt", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("at", moment, nullable=False),
        sa.Column("next_attempt_at", moment, nullable=True),
        sa.PrimaryKeyConstraint("delivery_id", "attempt", name=f"pk_{attempts}"),
    )


def drop_webhook_tables(service: str) -> None:
    from alembic import op

    for table in ("webhook_attempts", "webhook_deliveries", "webhook_state", "webhooks"):
        op.drop_table(f"{service}_{table}")
