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
    with store.engine.begin() as connection:
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
