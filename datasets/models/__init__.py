"""The registry's data model, one module per concern, re-exported here."""

from datasets.models.base import PRIVATE_FIELDS, CuratedRecord, ReviewedRecord
from datasets.models.changes import ChangeEvent, ChangeTypeChoices
from datasets.models.citations import (
    CITATION_MODELS,
    AccessGrantCitation,
    ChipCitation,
    Citation,
    ExportControlCitation,
    ModelReleaseCitation,
    OrganizationCitation,
)
from datasets.models.controls import ExportControl
from datasets.models.imports import ImportedVersion
from datasets.models.links import LinkCheck
from datasets.models.reference import Chip, Country, Organization, Source
from datasets.models.releases import AccessGrant, ModelRelease

__all__ = [
    "CITATION_MODELS",
    "PRIVATE_FIELDS",
    "AccessGrant",
    "AccessGrantCitation",
    "ChangeEvent",
    "ChangeTypeChoices",
    "Chip",
    "ChipCitation",
    "Citation",
    "Country",
    "CuratedRecord",
    "ExportControl",
    "ExportControlCitation",
    "ImportedVersion",
    "LinkCheck",
    "ModelRelease",
    "ModelReleaseCitation",
    "Organization",
    "OrganizationCitation",
    "ReviewedRecord",
    "Source",
]
