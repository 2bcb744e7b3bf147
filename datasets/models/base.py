"""The abstract bases that every registry record shares."""

import copy

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from datasets.choices import ConfidenceChoices, ReviewStatusChoices
from datasets.querysets import SlugManager

# Fields that exist for the curators' workflow only: never in the API, a release or a public history.
PRIVATE_FIELDS = ("curator_notes", "review_status", "version", "last_edited_by", "revision_of")
# Review states in which a record is never edited in place: what the public sees (published) or saw (withdrawn).
LOCKED_STATES = (ReviewStatusChoices.PUBLISHED, ReviewStatusChoices.WITHDRAWN)


# A check constraint's violation is reported on the field its ``violation_error_code`` names after this prefix.
ON_FIELD = "on-field:"


def field_check(field: str, message: str, *, condition, name: str) -> models.CheckConstraint:
    """A check constraint that a form reports on ``field``, in curators' words (``message``), rather than as
    Django's "Constraint ... is violated." above the form (``ReviewedRecord.validate_constraints``)."""
    return models.CheckConstraint(
        condition=condition, name=name, violation_error_code=f"{ON_FIELD}{field}", violation_error_message=message
    )


class NullsLastIndex(models.Index):
    """A field index whose descending columns keep nulls last, the order the API sorts in ("records without
    a value come last"), so that ``?ordering=-released_on`` can walk it. SQLite puts nulls last in a
    descending column already and refuses the words in an index; PostgreSQL puts them first unless told."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        index = self
        if schema_editor.connection.vendor == "postgresql":
            index = copy.copy(self)
            index.fields_orders = [
                (name, "DESC NULLS LAST" if order == "DESC" else order) for name, order in self.fields_orders
            ]
        return super(NullsLastIndex, index).create_sql(model, schema_editor, using=using, **kwargs)


def public_order_index(model_name: str) -> models.Index:
    """The index a public list walks in its default order: published records by slug. With it, a page of 50
    reads about 50 index entries, not every published record sorted, whatever the table's size."""
    return models.Index(fields=["review_status", "slug"], name=f"datasets_{model_name}_pub_idx")


def public_filter_indexes(short_name: str, *fields: str) -> list[models.Index]:
    """Indexes on (review_status, field) for the fields a public list filters on. A page walks the order's
    index and stops, but its ``count`` must visit every match: with these it reads index entries only (on
    SQLite a covering index, on PostgreSQL an index-only scan), never the rows, so counting 70k matches
    takes milliseconds, not a quarter of a second."""
    return [
        models.Index(fields=["review_status", field], name=f"datasets_{short_name}_{field}_idx") for field in fields
    ]


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
    updated_at = models.DateTimeField(
        auto_now=True,
        db_index=True,
        help_text="When the record's public content last changed: the instant the change feed records for it.",
    )
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

    def validate_constraints(self, exclude=None):
        """Django's check, with each violation of a ``field_check`` constraint reported on its field."""
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as error:
            errors = {}
            for field, messages in error.error_dict.items():
                for message in messages:
                    code = message.code or ""
                    target = code.removeprefix(ON_FIELD) if code.startswith(ON_FIELD) else field
                    errors.setdefault(target, []).append(message)
            raise ValidationError(errors) from None

    @property
    def is_locked(self) -> bool:
        """Whether the record is closed to edits in place: what the public sees (published) or saw (withdrawn)
        changes only through a reviewed revision (``services.start_revision``), or after a return to draft."""
        return self.review_status in LOCKED_STATES


class CuratedRecord(ReviewedRecord):
    """A record of fact: it carries a confidence level and cites sources (see the Citation models)."""

    confidence = models.CharField(
        max_length=8,
        choices=ConfidenceChoices.choices,
        default=ConfidenceChoices.MEDIUM,
        db_index=True,
        help_text="How well the record's facts are supported by its sources.",
    )
    status_checked_on = models.DateField(
        null=True,
        blank=True,
        help_text="The date up to which the record's facts and status were last checked against sources "
        "(empty: not yet). An answer about a later date is not verified by this record.",
    )

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        # A check dated ahead would make answers about the days up to it look verified.
        if self.status_checked_on is not None and self.status_checked_on > timezone.localdate():
            raise ValidationError({"status_checked_on": "A check cannot be dated in the future."})
