"""The floor of any HTTP write here: a bare FastAPI route appending one event with the raw
library (no auth, validation, chain, projection or idempotency), on the catalogue's store.

Served by ``bench.write_path`` with uvicorn beside the real service, so both are measured in
the same run on the same store and with the same concurrent clients.
"""

from __future__ import annotations

import os
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from fastapi import FastAPI

from services.catalogue.domain import Record
from shared.application import DateAsISO


class RawApplication(Application[UUID]):
    """The library alone: same aggregate, same events, same database, its own table."""

    name = "benchraw"

    def register_transcodings(self, transcoder: Any) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())


def store_url(env: dict[str, str], pg_url: str) -> str:
    if "OPENNESS_DATABASE_URL" in env:
        schema = env["OPENNESS_DATABASE_SCHEMA_PREFIX"] + "catalogue"
        return f"{pg_url}?options=-csearch_path%3D{schema}"
    return f"sqlite:///{Path(env['OPENNESS_DATA_DIR']).resolve() / 'catalogue.sqlite3'}"


FIELDS: dict[str, Any] = {
    "department": "FIN",
    "category": "budget",
    "area": "fiscal_budget",
    "item_code": None,
    "doc_number": None,
    "formed_on": date(2026, 6, 1),
    "attachments": [],
    "disclosure": "proactive",
    "withheld_reason": None,
    "needs_interpretation": False,
    "drafted_by": "bench",
}


def raw_application(url: str) -> RawApplication:
    return RawApplication(env={"PERSISTENCE_MODULE": "eventsourcing_sqlalchemy", "SQLALCHEMY_URL": url})


def create_app() -> FastAPI:
    holder: dict[str, RawApplication] = {}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> Any:
        holder["app"] = raw_application(os.environ["FLOOR_STORE_URL"])
        yield
        holder["app"].factory.close()

    app = FastAPI(lifespan=lifespan)

    @app.post("/floor/records", status_code=201)
    def append(body: dict[str, Any]) -> dict[str, str]:
        record = Record(title=body["title"], body=body["body"], index_number=body["index_number"], **FIELDS)
        holder["app"].save(record)
        return {"id": str(record.id)}

    return app
