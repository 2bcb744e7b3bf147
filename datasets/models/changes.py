"""The public change feed: one row per change the public can see, in commit order."""

from django.db import models

from datasets.choices import ResourceChoices


class ChangeTypeChoices(models.TextChoices):
    """What happened to a public record."""

    PUBLISHED = "published", "Published (first made public)"
    UPDATED = "updated", "Updated (a reviewed change was published)"
    WITHDRAWN = "withdrawn", "Withdrawn from the public"


class ChangeEvent(models.Model):
    """A change to the public registry: a record published, updated or withdrawn.

    ``seq`` grows strictly in commit order (``datasets.services.record_change`` holds a lock until the
    transaction commits), so a mirror that remembers the last ``seq`` it saw can never miss a change.
    """

    seq = models.BigAutoField(primary_key=True, help_text="Position in the feed; strictly increasing, no gaps.")
    resource = models.CharField(
        max_length=32,
        choices=ResourceChoices.choices,
        db_index=True,
        help_text='The API resource of the record, e.g. "model-releases".',
    )
    slug = models.SlugField(max_length=100, help_text="Slug of the record that changed.")
    change = models.CharField(max_length=16, choices=ChangeTypeChoices.choices, help_text="What happened.")
    changed_at = models.DateTimeField(db_index=True, help_text="When the change was published.")

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["resource", "slug"], name="datasets_change_record_idx")]

    def __str__(self):
        return f"#{self.seq} {self.change} {self.resource}/{self.slug}"
