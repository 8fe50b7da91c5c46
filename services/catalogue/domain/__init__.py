"""The catalogue's aggregates.

Domain modules import only the standard library, ``eventsourcing.domain``, the
framework-free error vocabulary of ``shared.errors`` and the pure legal rules of ``shared.rules``.
"""

from services.catalogue.domain.annual_report import AnnualReport
from services.catalogue.domain.consultations import Consultation
from services.catalogue.domain.figures import AnnualFigures
from services.catalogue.domain.items import CatalogueItem
from services.catalogue.domain.proposals import Proposal
from services.catalogue.domain.records import INTERPRETED_BY_DEFAULT, Record
from services.catalogue.domain.requests import InformationRequest

__all__ = [
    "INTERPRETED_BY_DEFAULT",
    "AnnualFigures",
    "AnnualReport",
    "CatalogueItem",
    "Consultation",
    "InformationRequest",
    "Proposal",
    "Record",
]
