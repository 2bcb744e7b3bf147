"""Reference records: countries, organizations, sources and chips."""

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.encoding import iri_to_uri
from simple_history.models import HistoricalRecords

from datasets.choices import (
    ChipKindChoices,
    CountryChoices,
    DatePrecisionChoices,
    OrganizationKindChoices,
    SourceKindChoices,
)
from datasets.models.base import (
    CuratedRecord,
    ReviewedRecord,
    field_check,
    public_filter_indexes,
    public_order_index,
)


class Country(models.Model):
    """An ISO 3166-1 alpha-2 country (or "EU"), the target of export controls. Filled by a migration."""

    code = models.CharField(
        max_length=2, primary_key=True, choices=CountryChoices.choices, help_text="ISO 3166-1 alpha-2 code."
    )
    name = models.CharField(max_length=100, help_text="English short name.")

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "countries"

    def __str__(self):
        return f"{self.code} ({self.name})"


class Organization(CuratedRecord):
    """A company, lab, chipmaker, government agency or other body that the registry's records refer to."""

    name = models.CharField(max_length=200, help_text="Full name, as the organization itself uses it.")
    country = models.CharField(
        max_length=2,
        blank=True,
        choices=CountryChoices.choices,
        db_index=True,
        help_text="ISO 3166-1 alpha-2 code of the country of headquarters; empty for international bodies.",
    )
    kind = models.CharField(
        max_length=24, choices=OrganizationKindChoices.choices, db_index=True, help_text="What kind of body it is."
    )
    website = models.URLField(max_length=500, blank=True, help_text="Official website.")
    aliases = models.TextField(
        blank=True,
        help_text="Other names the organization is known by (short names, former names), one per line.",
    )
    description = models.TextField(blank=True, help_text="What the organization is, and caveats about it.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["slug"]
        permissions = [("review_organization", "Can publish and withdraw organizations")]
        indexes = [
            models.Index(fields=["name"], name="datasets_org_name_idx"),
            public_order_index("organization"),
            # grantee_country, developer_country: the published organizations of a country, from the index alone.
            *public_filter_indexes("org", "country"),
        ]

    def __str__(self):
        return self.name

    @property
    def alias_list(self) -> list[str]:
        """The aliases as a list, one per non-blank line."""
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]


class Source(ReviewedRecord):
    """A document that supports records: a legal text, an announcement, a model card, a news report..."""

    title = models.CharField(max_length=500, help_text="Title of the document.")
    publisher = models.CharField(
        max_length=200, db_index=True, help_text="Who published the document (outlet, agency, company)."
    )
    url = models.URLField(max_length=1000, help_text="Where the document can be read.")
    published_on = models.DateField(
        null=True, blank=True, db_index=True, help_text="Publication date of the document, if known."
    )
    date_precision = models.CharField(
        max_length=8,
        choices=DatePrecisionChoices.choices,
        default=DatePrecisionChoices.DAY,
        help_text="How precise published_on is: a month-precision date is stored as the first of that month.",
    )
    kind = models.CharField(
        max_length=24,
        choices=SourceKindChoices.choices,
        db_index=True,
        help_text="Kind of document; legal texts, official statements, announcements, model cards and papers "
        "are primary sources, news reports and analyses secondary.",
    )
    url_checked = models.BooleanField(
        default=False, help_text="Whether a curator opened the URL and found the cited content there."
    )
    archived_url = models.URLField(
        max_length=1000, blank=True, help_text="An archived or republished copy of the same document."
    )
    notes = models.TextField(blank=True, help_text="Caveats about the document (mirrors, translations, dates).")

    history = HistoricalRecords()

    class Meta:
        ordering = ["slug"]
        indexes = [public_order_index("source")]
        permissions = [("review_source", "Can publish and withdraw sources")]

    def clean(self):
        super().clean()
        # A pasted address with non-ASCII characters (an IRI) is stored as the URI it stands for: the API
        # promises URIs, and every client can follow one.
        self.url = iri_to_uri(self.url)
        self.archived_url = iri_to_uri(self.archived_url)

    def __str__(self):
        return f"{self.publisher}: {self.title}"


class Chip(CuratedRecord):
    """An AI accelerator or other item that export controls cover, with the figures the rules turn on."""

    name = models.CharField(max_length=200, help_text="Product name, with the form factor where it matters.")
    vendor = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="chips",
        help_text="The company that designs and sells the chip.",
    )
    kind = models.CharField(
        max_length=16, choices=ChipKindChoices.choices, db_index=True, help_text="What kind of item it is."
    )
    announced_on = models.DateField(null=True, blank=True, db_index=True, help_text="When the chip was announced.")
    date_precision = models.CharField(
        max_length=8,
        choices=DatePrecisionChoices.choices,
        default=DatePrecisionChoices.DAY,
        help_text="Precision of announced_on: a month-precision date is stored as the first of the month.",
    )
    memory_gb = models.DecimalField(
        max_digits=8, decimal_places=1, null=True, blank=True, help_text="On-package memory per chip, in GB."
    )
    memory_type = models.CharField(max_length=32, blank=True, help_text='Memory technology, e.g. "HBM3e".')
    memory_bandwidth_tbps = models.DecimalField(
        max_digits=8, decimal_places=3, null=True, blank=True, help_text="Memory bandwidth, in TB/s."
    )
    dense_bf16_tflops = models.DecimalField(
        max_digits=10,
        decimal_places=1,
        null=True,
        blank=True,
        help_text="Peak dense (no sparsity) BF16 throughput, in TFLOPS.",
    )
    dense_fp8_tflops = models.DecimalField(
        max_digits=10,
        decimal_places=1,
        null=True,
        blank=True,
        help_text="Peak dense (no sparsity) FP8 throughput, in TFLOPS; empty when there is no FP8 support or no "
        "published figure.",
    )
    interconnect_bandwidth_gbps = models.DecimalField(
        max_digits=8,
        decimal_places=1,
        null=True,
        blank=True,
        help_text="Aggregate bidirectional chip-to-chip bandwidth as the vendor states it, in GB/s (gigabytes "
        "per second); the October 2022 US rule turned on it.",
    )
    tpp = models.PositiveIntegerField(
        null=True,
        blank=True,
        db_index=True,
        help_text="Total Processing Performance as the US rules define it (2 x MacTOPS x bit length), the "
        "highest over the precisions with a published dense figure (BF16 x 16, FP8 x 8), rounded to a whole "
        "number; stated by hand only where no such figure is published.",
    )
    tpp_basis = models.CharField(max_length=300, blank=True, help_text="How the TPP figure was obtained.")
    china_variant_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="china_variants",
        help_text="The chip this one is a China-market variant of (e.g. the H800 of the H100).",
    )
    notes = models.TextField(blank=True, help_text="Caveats, conflicting figures, and regulatory history.")

    history = HistoricalRecords()

    # The registry's TPP rule: the highest TPP over the precisions whose dense throughput the vendor published,
    # each TFLOPS figure times its bit length, rounded half up. The US rules (ECCN 3A090) count the highest.
    TPP_BIT_LENGTHS = {"dense_bf16_tflops": 16, "dense_fp8_tflops": 8}

    class Meta:
        ordering = ["slug"]
        indexes = [public_order_index("chip")]
        permissions = [("review_chip", "Can publish and withdraw chips")]
        constraints = [
            field_check(
                "china_variant_of",
                "A chip cannot be its own China variant: pick the chip it was cut down from.",
                condition=~models.Q(china_variant_of=models.F("pk")),
                name="%(app_label)s_%(class)s_not_variant_of_itself",
            ),
            field_check(
                "memory_gb",
                "Cannot be negative.",
                condition=models.Q(memory_gb__isnull=True) | models.Q(memory_gb__gte=0),
                name="%(app_label)s_%(class)s_memory_not_negative",
            ),
            field_check(
                "memory_bandwidth_tbps",
                "Cannot be negative.",
                condition=models.Q(memory_bandwidth_tbps__isnull=True) | models.Q(memory_bandwidth_tbps__gte=0),
                name="%(app_label)s_%(class)s_bandwidth_not_negative",
            ),
            field_check(
                "dense_bf16_tflops",
                "Cannot be negative.",
                condition=models.Q(dense_bf16_tflops__isnull=True) | models.Q(dense_bf16_tflops__gte=0),
                name="%(app_label)s_%(class)s_tflops_not_negative",
            ),
            field_check(
                "dense_fp8_tflops",
                "Cannot be negative.",
                condition=models.Q(dense_fp8_tflops__isnull=True) | models.Q(dense_fp8_tflops__gte=0),
                name="%(app_label)s_%(class)s_fp8_tflops_not_negative",
            ),
            field_check(
                "interconnect_bandwidth_gbps",
                "Cannot be negative.",
                condition=models.Q(interconnect_bandwidth_gbps__isnull=True)
                | models.Q(interconnect_bandwidth_gbps__gte=0),
                name="%(app_label)s_%(class)s_interconnect_not_negative",
            ),
        ]

    def __str__(self):
        return self.name

    def computed_tpp(self) -> int | None:
        """TPP by the registry's rule (``TPP_BIT_LENGTHS``), or None when no dense figure is published."""
        products = [
            Decimal(value) * bits
            for name, bits in self.TPP_BIT_LENGTHS.items()
            if (value := getattr(self, name)) is not None
        ]
        if not products:
            return None
        return int(max(products).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    def clean(self):
        super().clean()
        computed = self.computed_tpp()
        if computed is not None and self.tpp != computed:
            raise ValidationError(
                {"tpp": f"By the registry's rule (the highest of BF16 x 16 and FP8 x 8) the TPP is {computed}."}
            )
