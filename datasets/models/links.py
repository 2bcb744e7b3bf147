"""What ``manage.py check_sources`` found at each source's addresses: curators' information, kept apart from the
source itself (a check never changes a record, published or not) and never public."""

from django.db import models


class LinkCheck(models.Model):
    """The last check of one address of a source (its URL, or its archived copy's)."""

    WHICH = (("url", "URL"), ("archived_url", "Archived URL"))

    source = models.ForeignKey("datasets.Source", on_delete=models.CASCADE, related_name="link_checks")
    which = models.CharField(max_length=12, choices=WHICH, help_text="Which of the source's addresses.")
    url = models.URLField(max_length=1000, help_text="The address checked.")
    checked_at = models.DateTimeField(help_text="When it was checked.")
    status = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="HTTP status of the last answer (after redirects); empty when none came."
    )
    final_url = models.URLField(max_length=1000, blank=True, help_text="Where the redirects led, if anywhere.")
    error = models.CharField(max_length=300, blank=True, help_text="Why no answer came (a timeout, a refusal).")

    class Meta:
        ordering = ["source", "which"]
        constraints = [models.UniqueConstraint(fields=["source", "which"], name="datasets_linkcheck_one_per_address")]

    def __str__(self):
        return f"{self.source.slug} {self.which}: {self.outcome}"

    @property
    def alive(self) -> bool:
        """Whether the address answered with a page (2xx, after redirects)."""
        return self.status is not None and 200 <= self.status < 300

    @property
    def outcome(self) -> str:
        if self.status is None:
            return self.error or "no answer"
        moved = f" at {self.final_url}" if self.final_url and self.final_url != self.url else ""
        return f"HTTP {self.status}{moved}"
