"""The catalogue's aggregates.

Domain modules import only the standard library, ``eventsourcing.domain`` and the
framework-free error vocabulary of ``shared.errors``.
"""

from services.catalogue.domain.consultations import Consultation
from services.catalogue.domain.figures import AnnualFigures
from services.catalogue.domain.items import CatalogueItem
from services.catalogue.domain.proposals import Proposal
from services.catalogue.domain.records import INTERPRETED_BY_DEFAULT, WITHHELD_REASONS, Record
from services.catalogue.domain.requests import OUTCOME_REASONS, ClockRules, InformationRequest, RequestClock

__all__ = [
    "INTERPRETED_BY_DEFAULT",
    "OUTCOME_REASONS",
    "WITHHELD_REASONS",
    "AnnualFigures",
    "CatalogueItem",
    "ClockRules",
    "Consultation",
    "InformationRequest",
    "Proposal",
    "Record",
    "RequestClock",
]
