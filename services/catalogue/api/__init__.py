"""HTTP routes of the catalogue service."""

from services.catalogue.api.consultations import router as consultations
from services.catalogue.api.items import router as items
from services.catalogue.api.proposals import router as proposals
from services.catalogue.api.records import router as records
from services.catalogue.api.requests import router as requests

routers = [records, items, proposals, consultations, requests]
