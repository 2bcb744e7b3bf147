"""What the last import of the committed dataset said about each record: the base of the next import's
three-way comparison (``datasets.imports``)."""

from django.db import models


class ImportedVersion(models.Model):
    """A record as the last import read it from a file (fixtures or a release).

    The next import compares three versions of each record: this one, the database's and the file's. A field
    the file did not change since this version keeps the database's value (a curator's reviewed change); a
    field the database did not change takes the file's; a field changed on both sides is a conflict, never
    overwritten. Internal bookkeeping: never public.
    """

    model = models.CharField(max_length=64, help_text='The record\'s model, e.g. "datasets.modelrelease".')
    key = models.CharField(
        max_length=500, help_text="The record's natural key as a JSON list (a slug; record, source and locator)."
    )
    fields = models.JSONField(help_text="The record's fields as the file gave them (natural keys for relations).")
    imported_at = models.DateTimeField(help_text="When this version was imported.")

    class Meta:
        ordering = ["model", "key"]
        constraints = [
            models.UniqueConstraint(fields=["model", "key"], name="%(app_label)s_%(class)s_unique_record"),
        ]

    def __str__(self):
        return f"{self.model} {self.key}"
