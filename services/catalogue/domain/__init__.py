"""The catalogue's aggregates.

Domain modules import only the standard library, ``eventsourcing.domain`` and the
framework-free error vocabulary of ``shared.errors``.
"""

from services.catalogue.domain.consultations import Consultation
from services.catalogue.domain.items import CatalogueItem
from services.catalogue.domain.proposals import Proposal
from services.catalogue.domain.records import INTERPRETED_BY_DEFAULT, WITHHELD_REASONS, Record

__all__ = ["INTERPRETED_BY_DEFAULT", "WITHHELD_REASONS", "CatalogueItem", "Consultation", "Proposal", "Record"]
