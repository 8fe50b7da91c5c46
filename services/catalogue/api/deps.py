"""Dependencies the catalogue's routes share."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.catalogue import queries
from services.catalogue.application import CatalogueApplication
from shared.auth import Principal, require
from shared.web import SettingsDep


def _application(request: Request) -> CatalogueApplication:
    application: CatalogueApplication = request.app.state.application
    return application


App = Annotated[CatalogueApplication, Depends(_application)]


def _context(app: App, settings: SettingsDep) -> queries.RecordContext:
    return queries.RecordContext(app.calendar, app.law, settings.hash_algorithm, app.clock())


Context = Annotated[queries.RecordContext, Depends(_context)]
Editor = Annotated[Principal, Depends(require("editor", "head"))]
Reviser = Annotated[Principal, Depends(require("editor", "head", "office"))]
Office = Annotated[Principal, Depends(require("office"))]
Publisher = Annotated[Principal, Depends(require("head", "office"))]
