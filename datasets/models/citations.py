"""Citations: which sources support which record, with an optional locator and quote.

Each kind of curated record has its own citation table (a real foreign key to the record, so the
database keeps citations and records consistent, and fixtures can name both by slug). The shared
fields and rules live once, in the abstract ``Citation``.
"""

from django.db import models
from simple_history.models import HistoricalRecords

from datasets.models.controls import ExportControl
from datasets.models.reference import Chip, Organization, Source
from datasets.models.releases import AccessGrant, ModelRelease


class CitationManager(models.Manager):
    """Citations are identified by (record slug, source slug, locator) in fixtures and releases."""

    def get_by_natural_key(self, record_slug, source_slug, locator):
        return self.get(record__slug=record_slug, source__slug=source_slug, locator=locator)


class Citation(models.Model):
    """A source cited in support of a record. Concrete subclasses add the ``record`` foreign key."""

    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="+", help_text="The source cited in support of the record."
    )
    locator = models.CharField(
        max_length=200, blank=True, help_text='Where in the source: page, section or paragraph (e.g. "p. 4").'
    )
    quote = models.TextField(blank=True, help_text="A short quotation from the source that supports the record.")

    objects = CitationManager()
    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True
        ordering = ["record__slug", "source__slug", "locator"]
        constraints = [
            models.UniqueConstraint(
                fields=["record", "source", "locator"], name="%(app_label)s_%(class)s_unique_citation"
            ),
        ]

    def __str__(self):
        return f"{self.record} cites {self.source.slug}"

    def natural_key(self):
        return (self.record.slug, self.source.slug, self.locator)


class OrganizationCitation(Citation):
    """A source cited by an organization record."""

    record = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="citations", help_text="The record the source supports."
    )


class ChipCitation(Citation):
    """A source cited by a chip record."""

    record = models.ForeignKey(
        Chip, on_delete=models.CASCADE, related_name="citations", help_text="The record the source supports."
    )


class ModelReleaseCitation(Citation):
    """A source cited by a model release record."""

    record = models.ForeignKey(
        ModelRelease, on_delete=models.CASCADE, related_name="citations", help_text="The record the source supports."
    )


class AccessGrantCitation(Citation):
    """A source cited by an access grant record."""

    record = models.ForeignKey(
        AccessGrant, on_delete=models.CASCADE, related_name="citations", help_text="The record the source supports."
    )


class ExportControlCitation(Citation):
    """A source cited by an export control record."""

    record = models.ForeignKey(
        ExportControl, on_delete=models.CASCADE, related_name="citations", help_text="The record the source supports."
    )


CITATION_MODELS = (OrganizationCitation, ChipCitation, ModelReleaseCitation, AccessGrantCitation, ExportControlCitation)
