"""Export controls: legal and policy measures on chips, tools and materials."""

from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from datasets.choices import CountryChoices, EndReasonChoices, InstrumentChoices
from datasets.models.base import CuratedRecord, field_check, public_order_index
from datasets.models.reference import Chip, Country, Organization
from datasets.querysets import ExportControlQuerySet, SlugManager


class ExportControl(CuratedRecord):
    """One legal or policy measure: a rule, an Entity List addition, a licence policy, a suspension...

    A measure is in force from ``effective_on`` until ``ends_on`` (exclusive), unless a published
    suspension measure (``instrument = suspension``) that lists it in ``suspends`` is in force. A measure
    suspended until a date has ``ends_on`` on the suspension's first day and ``end_reason = suspended``;
    it is in force again once every published suspension listing it has ended (``in_force_on``).
    """

    title = models.CharField(max_length=500, help_text="Title of the measure, as issued or as commonly cited.")
    jurisdiction = models.CharField(
        max_length=2,
        choices=CountryChoices.choices,
        db_index=True,
        help_text='ISO 3166-1 alpha-2 code of the issuing state, or "EU".',
    )
    authority = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="export_controls_issued",
        help_text="The body that issued the measure (e.g. BIS, MOFCOM).",
    )
    instrument = models.CharField(
        max_length=24, choices=InstrumentChoices.choices, db_index=True, help_text="Legal or policy form."
    )
    instrument_note = models.CharField(
        max_length=200, blank=True, help_text='Finer description of the form, e.g. "interim final rule".'
    )
    reference = models.CharField(
        max_length=200,
        blank=True,
        db_index=True,
        help_text='Official citation, e.g. "87 FR 62186" or "MOFCOM Announcement No. 23 of 2023".',
    )
    reference_details = models.CharField(
        max_length=500, blank=True, help_text="Other identifiers: document number, docket, RIN."
    )
    announced_on = models.DateField(null=True, blank=True, db_index=True, help_text="When it was announced.")
    published_on = models.DateField(
        null=True, blank=True, help_text="When it was published in the official journal, if it was."
    )
    effective_on = models.DateField(null=True, blank=True, db_index=True, help_text="When it took (or takes) effect.")
    ends_on = models.DateField(
        null=True,
        blank=True,
        db_index=True,
        help_text="First day it was no longer in force; empty while it is. May precede effective_on only "
        "for a measure suspended or rescinded before it took effect.",
    )
    end_reason = models.CharField(
        max_length=16,
        choices=EndReasonChoices.choices,
        blank=True,
        db_index=True,
        help_text="Why it stopped being in force; empty while it is.",
    )
    dates_note = models.TextField(blank=True, help_text="Caveats about the dates (phased compliance, conflicts).")
    supersedes = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="superseded_by",
        help_text="Earlier measures this one replaces.",
    )
    amends = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="amended_by", help_text="Earlier measures this one amends."
    )
    suspends = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="suspended_by",
        help_text="Measures this suspension takes out of force while it is itself in force.",
    )
    summary = models.TextField(blank=True, help_text="What the measure does, in plain words.")
    covered_items = models.TextField(
        blank=True, help_text="What it covers: ECCNs, items, performance thresholds, as stated."
    )
    covered_chips = models.ManyToManyField(
        Chip, blank=True, related_name="export_controls", help_text="Chips the measure names or clearly covers."
    )
    target_countries = models.ManyToManyField(
        Country, blank=True, related_name="export_controls", help_text="Destinations the measure targets."
    )
    targets_description = models.CharField(
        max_length=500, blank=True, help_text='Targets the sources describe in words, e.g. "Country Group D:5".'
    )
    targeted_organizations = models.ManyToManyField(
        Organization,
        blank=True,
        related_name="export_controls_targeting",
        help_text="Organizations the measure names, e.g. Entity List additions.",
    )
    status_note = models.CharField(
        max_length=500, blank=True, help_text="Status as the sources describe it (amended, suspended, ...)."
    )
    notes = models.TextField(blank=True, help_text="Caveats and context for the record.")

    objects = SlugManager.from_queryset(ExportControlQuerySet)()
    history = HistoricalRecords(
        m2m_fields=[supersedes, amends, suspends, covered_chips, target_countries, targeted_organizations]
    )

    class Meta:
        ordering = ["slug"]
        indexes = [
            public_order_index("exportcontrol"),
            # The suspensions in force (``in_force_on``): published ones of one instrument, not every measure.
            models.Index(fields=["review_status", "instrument"], name="datasets_control_pub_instr_idx"),
            # The measures in force on a day (``in_force_on``): a page walks it in the public order and its count
            # reads it alone, the dates and the end reason (a suspended measure returns) being in the index
            # (dates first would make the page sort every match).
            models.Index(
                fields=["review_status", "slug", "effective_on", "ends_on", "end_reason"],
                name="datasets_control_in_force_idx",
            ),
        ]
        permissions = [("review_exportcontrol", "Can publish and withdraw export controls")]
        constraints = [
            field_check(
                "ends_on",
                "Ends before it took effect: the end date is on or after the effective date, unless the measure "
                "was suspended or rescinded before it took effect.",
                condition=Q(ends_on__isnull=True)
                | Q(effective_on__isnull=True)
                | Q(ends_on__gte=F("effective_on"))
                | Q(end_reason__in=[EndReasonChoices.SUSPENDED, EndReasonChoices.RESCINDED]),
                name="%(app_label)s_%(class)s_ends_after_effective",
            ),
            field_check(
                "end_reason",
                "A measure with an end date needs the reason it ended (expired, superseded, suspended...).",
                condition=Q(ends_on__isnull=True) | ~Q(end_reason=""),
                name="%(app_label)s_%(class)s_ended_has_reason",
            ),
        ]

    def __str__(self):
        return self.title
