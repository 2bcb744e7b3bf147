"""Small builders for test records: each makes a valid, saved record with overridable fields.

Records are published unless a test says otherwise, so that API tests see them by default.
"""

import datetime
import itertools

from datasets.choices import (
    AccessTypeChoices,
    ArchitectureChoices,
    ChipKindChoices,
    ClaimStatusChoices,
    InstrumentChoices,
    OrganizationKindChoices,
    ReviewStatusChoices,
    SourceKindChoices,
    WeightsChoices,
)
from datasets.models import AccessGrant, Chip, ExportControl, ModelRelease, Organization, Source

_counter = itertools.count(1)


def _next(prefix: str) -> str:
    return f"{prefix}-{next(_counter)}"


def make_organization(**fields) -> Organization:
    slug = fields.pop("slug", None) or _next("org")
    defaults = {
        "name": slug.replace("-", " ").title(),
        "country": "US",
        "kind": OrganizationKindChoices.AI_LAB,
        "review_status": ReviewStatusChoices.PUBLISHED,
    }
    return Organization.objects.create(slug=slug, **{**defaults, **fields})


def make_source(**fields) -> Source:
    slug = fields.pop("slug", None) or _next("src")
    defaults = {
        "title": f"Document {slug}",
        "publisher": "Example Publisher",
        "url": f"https://example.org/{slug}",
        "published_on": datetime.date(2025, 1, 1),
        "kind": SourceKindChoices.NEWS_REPORT,
        "review_status": ReviewStatusChoices.PUBLISHED,
    }
    return Source.objects.create(slug=slug, **{**defaults, **fields})


def make_chip(**fields) -> Chip:
    slug = fields.pop("slug", None) or _next("chip")
    if "vendor" not in fields:
        fields["vendor"] = make_organization(kind=OrganizationKindChoices.CHIPMAKER)
    defaults = {
        "name": slug.upper(),
        "kind": ChipKindChoices.GPU,
        "review_status": ReviewStatusChoices.PUBLISHED,
    }
    return Chip.objects.create(slug=slug, **{**defaults, **fields})


def make_model_release(**fields) -> ModelRelease:
    slug = fields.pop("slug", None) or _next("model")
    if "developer" not in fields:
        fields["developer"] = make_organization()
    defaults = {
        "name": slug,
        "released_on": datetime.date(2025, 1, 20),
        "architecture": ArchitectureChoices.MOE,
        "weights": WeightsChoices.OPEN_WEIGHTS,
        "review_status": ReviewStatusChoices.PUBLISHED,
    }
    return ModelRelease.objects.create(slug=slug, **{**defaults, **fields})


def make_access_grant(**fields) -> AccessGrant:
    slug = fields.pop("slug", None) or _next("grant")
    if "model" not in fields:
        fields["model"] = make_model_release()
    if "grantee" not in fields and "grantee_description" not in fields:
        fields["grantee"] = make_organization(kind=OrganizationKindChoices.CHIPMAKER)
    if "grantor" not in fields and fields["model"] is not None:
        fields["grantor"] = fields["model"].developer
    defaults = {
        "access_type": AccessTypeChoices.EARLY_ACCESS,
        "claim_status": ClaimStatusChoices.REPORTED,
        "review_status": ReviewStatusChoices.PUBLISHED,
    }
    return AccessGrant.objects.create(slug=slug, **{**defaults, **fields})


def make_export_control(**fields) -> ExportControl:
    slug = fields.pop("slug", None) or _next("control")
    defaults = {
        "title": f"Measure {slug}",
        "jurisdiction": "US",
        "instrument": InstrumentChoices.RULE,
        "effective_on": datetime.date(2023, 11, 17),
        "review_status": ReviewStatusChoices.PUBLISHED,
    }
    return ExportControl.objects.create(slug=slug, **{**defaults, **fields})


def make_citation(record, source=None, **fields):
    """Cite ``source`` (a new published source by default) in support of ``record``."""
    citation_model = type(record).citations.rel.related_model
    return citation_model.objects.create(record=record, source=source or make_source(), **fields)
