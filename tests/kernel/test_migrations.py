"""Each service's migrations create exactly the tables its models describe, and can be undone."""

from __future__ import annotations

import importlib

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from shared import migrations
from shared.migrations import _include_object
from shared.persistence import Store
from shared.settings import SERVICES, Settings


@pytest.mark.parametrize("service", SERVICES)
def test_migrations_match_the_models_and_downgrade(settings: Settings, service: str) -> None:
    store = Store(service, settings)
    try:
        migrations.upgrade(store)
        metadata = importlib.import_module(f"services.{service}.read_models").metadata
        with store.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"include_object": _include_object, "compare_type": True}
            )
            assert compare_metadata(context, metadata) == []
        _downgrade(store)
        with store.engine.connect() as connection:
            remaining = set(store.engine.dialect.get_table_names(connection, schema=store.schema))
        assert not {t.name for t in metadata.sorted_tables} & remaining
        migrations.upgrade(store)  # and back up again
    finally:
        store.dispose()


def _downgrade(store: Store) -> None:
    config = migrations.alembic_config(store.service)
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
