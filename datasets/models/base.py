"""The abstract bases that every registry record shares."""

from django.conf import settings
from django.db import models

from datasets.choices import ConfidenceChoices, ReviewStatusChoices
from datasets.querysets import SlugManager

# Fields that exist for the curators' workflow only: never in the API, a release or a public history.
PRIVATE_FIELDS = ("curator_notes", "review_status", "version", "last_edited_by", "revision_of")


class ReviewedRecord(models.Model):
    """A record with a public identifier that the public sees only once a reviewer has published it."""

    slug = models.SlugField(
        max_length=100,
        unique=True,
        help_text="Stable public identifier of the record, used in URLs and filters (lowercase, hyphens).",
    )
    review_status = models.CharField(
        max_length=16,
        choices=ReviewStatusChoices.choices,
        default=ReviewStatusChoices.DRAFT,
        db_index=True,
        help_text="Review state; only published records are served by the public API.",
    )
    curator_notes = models.TextField(
        blank=True,
        help_text="Internal notes for curators (what to check, open questions). Never public.",
    )
    created_at = models.DateTimeField(auto_now_add=True, help_text="When the record was first created.")
    updated_at = models.DateTimeField(auto_now=True, db_index=True, help_text="When the record last changed.")
    version = models.PositiveIntegerField(
        default=1,
        help_text="Edit counter: a save based on an older version is refused, so that no edit is lost.",
    )
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who last changed the record's content; a reviewer cannot publish their own change.",
    )
    revision_of = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="revisions",
        help_text="The published record this draft proposes to change; publishing the draft applies it there.",
    )

    objects = SlugManager()

    class Meta:
        abstract = True

    def __str__(self):
        return self.slug

    def natural_key(self):
        return (self.slug,)


class CuratedRecord(ReviewedRecord):
    """A record of fact: it carries a confidence level and cites sources (see the Citation models)."""

    confidence = models.CharField(
        max_length=8,
        choices=ConfidenceChoices.choices,
        default=ConfidenceChoices.MEDIUM,
        db_index=True,
        help_text="How well the record's facts are supported by its sources.",
    )

    class Meta:
        abstract = True
