"""Model releases and the access grants (or refusals) around them."""

from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from datasets.choices import (
    AccessTypeChoices,
    ArchitectureChoices,
    ClaimStatusChoices,
    DatePrecisionChoices,
    OutcomeChoices,
    WeightsChoices,
)
from datasets.models.base import (
    CuratedRecord,
    NullsLastIndex,
    field_check,
    public_filter_indexes,
    public_order_index,
)
from datasets.models.reference import Chip, Organization
from datasets.querysets import AccessGrantQuerySet, ModelReleaseQuerySet, SlugManager


class ModelRelease(CuratedRecord):
    """A release (or announcement) of a frontier AI model: who made it, when, how big, how available."""

    name = models.CharField(max_length=200, help_text='Name of the model or release, e.g. "DeepSeek-V3".')
    developer = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="model_releases",
        help_text="The organization that developed and released the model.",
    )
    family = models.CharField(
        max_length=100, blank=True, db_index=True, help_text='Model family, e.g. "DeepSeek-V3" or "Llama 4".'
    )
    announced_on = models.DateField(
        null=True, blank=True, db_index=True, help_text="When the model was first announced, if before release."
    )
    released_on = models.DateField(
        null=True,
        blank=True,
        db_index=True,
        help_text="When the model became available (weights or API); empty while only announced.",
    )
    date_precision = models.CharField(
        max_length=8,
        choices=DatePrecisionChoices.choices,
        default=DatePrecisionChoices.DAY,
        help_text="Precision of the dates: a month-precision date is stored as the first of the month.",
    )
    parameters_total = models.PositiveBigIntegerField(
        null=True, blank=True, db_index=True, help_text="Total parameter count (of the largest variant)."
    )
    parameters_active = models.PositiveBigIntegerField(
        null=True,
        blank=True,
        help_text="Parameters active per token, for mixture-of-experts models.",
    )
    parameters_note = models.CharField(
        max_length=300, blank=True, help_text="Sizes of other variants, and how the counts were stated."
    )
    architecture = models.CharField(
        max_length=8, choices=ArchitectureChoices.choices, db_index=True, help_text="Broad architecture."
    )
    architecture_note = models.CharField(
        max_length=500, blank=True, help_text="Architecture details (attention, routing, precision)."
    )
    context_length = models.PositiveIntegerField(
        null=True, blank=True, help_text="Maximum context length, in tokens (of the largest variant)."
    )
    weights = models.CharField(
        max_length=16, choices=WeightsChoices.choices, db_index=True, help_text="How the weights can be obtained."
    )
    license = models.CharField(max_length=300, blank=True, help_text="Licence of the weights (and code).")
    training_chips = models.ManyToManyField(
        Chip,
        blank=True,
        related_name="trained_models",
        help_text="Chips the model was trained on, where the developer or a reliable source states it.",
    )
    training_compute_note = models.TextField(
        blank=True, help_text="What is known of the training compute: chip counts, GPU hours, disputes."
    )
    training_data_note = models.CharField(max_length=500, blank=True, help_text="Training data size, as stated.")
    huggingface_repo = models.CharField(
        max_length=200, blank=True, help_text='Hugging Face repository id, e.g. "deepseek-ai/DeepSeek-V3".'
    )
    arxiv_id = models.CharField(max_length=20, blank=True, help_text='arXiv identifier, e.g. "2412.19437".')
    notes = models.TextField(blank=True, help_text="Caveats and context for the record.")

    objects = SlugManager.from_queryset(ModelReleaseQuerySet)()
    history = HistoricalRecords(m2m_fields=[training_chips])

    class Meta:
        ordering = ["slug"]
        indexes = [
            public_order_index("modelrelease"),
            # The order of "latest releases first" (?ordering=-released_on).
            NullsLastIndex(fields=["review_status", "-released_on", "slug"], name="datasets_release_latest_idx"),
            *public_filter_indexes("release", "weights", "developer"),
        ]
        permissions = [("review_modelrelease", "Can publish and withdraw model releases")]
        constraints = [
            field_check(
                "parameters_active",
                "More parameters active than in total: the active count is at most the total.",
                condition=Q(parameters_active__isnull=True)
                | Q(parameters_total__isnull=True)
                | Q(parameters_active__lte=F("parameters_total")),
                name="%(app_label)s_%(class)s_active_params_within_total",
            ),
            field_check(
                "released_on",
                "Released before it was announced: the release date is on or after the announcement's.",
                condition=Q(released_on__isnull=True)
                | Q(announced_on__isnull=True)
                | Q(released_on__gte=F("announced_on")),
                name="%(app_label)s_%(class)s_released_after_announced",
            ),
        ]

    def __str__(self):
        return self.name


class AccessGrant(CuratedRecord):
    """Who got (or was refused) access to a model, from whom, when, and how we know."""

    model = models.ForeignKey(
        ModelRelease,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="access_grants",
        help_text="The model release the access concerns; empty when the claim names no single release.",
    )
    model_description = models.CharField(
        max_length=200,
        blank=True,
        help_text='How the sources name the model, e.g. "DeepSeek-V4 (pre-release)" or "Claude models".',
    )
    grantee = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grants_received",
        help_text="The organization that got (or was refused) access; empty for an unnamed group.",
    )
    grantee_description = models.CharField(
        max_length=500,
        blank=True,
        help_text='The grantee as the sources describe it, e.g. "Chinese chipmakers (unnamed)".',
    )
    grantor = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grants_given",
        help_text="The organization that gave (or refused) access; by default the model's developer.",
    )
    access_type = models.CharField(
        max_length=32, choices=AccessTypeChoices.choices, db_index=True, help_text="What kind of access."
    )
    outcome = models.CharField(
        max_length=16,
        choices=OutcomeChoices.choices,
        default=OutcomeChoices.GRANTED,
        db_index=True,
        help_text="Whether access was granted, explicitly withheld, revoked, or obtained without consent.",
    )
    starts_on = models.DateField(null=True, blank=True, db_index=True, help_text="When the access began.")
    ends_on = models.DateField(null=True, blank=True, db_index=True, help_text="When the access ended.")
    date_precision = models.CharField(
        max_length=8,
        choices=DatePrecisionChoices.choices,
        default=DatePrecisionChoices.DAY,
        help_text="Precision of the dates: a month-precision date is stored as the first of the month.",
    )
    dates_note = models.CharField(max_length=500, blank=True, help_text="What is known of the dates, as stated.")
    reported_on = models.DateField(
        null=True, blank=True, db_index=True, help_text="When the grant (or refusal) was first reported."
    )
    claim_status = models.CharField(
        max_length=16, choices=ClaimStatusChoices.choices, db_index=True, help_text="Who says it happened."
    )
    claim_note = models.CharField(
        max_length=500, blank=True, help_text="Who confirmed, denied or declined to comment, per the sources."
    )
    purpose = models.CharField(max_length=500, blank=True, help_text="What the access was for.")
    notes = models.TextField(blank=True, help_text="Caveats and context for the record.")

    objects = SlugManager.from_queryset(AccessGrantQuerySet)()
    history = HistoricalRecords()

    class Meta:
        ordering = ["slug"]
        indexes = [
            public_order_index("accessgrant"),
            *public_filter_indexes("grant", "model", "grantee", "grantor", "access_type", "outcome"),
        ]
        permissions = [("review_accessgrant", "Can publish and withdraw access grants")]
        constraints = [
            field_check(
                "ends_on",
                "Ends before it starts: the end date is on or after the start date.",
                condition=Q(ends_on__isnull=True) | Q(starts_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="%(app_label)s_%(class)s_ends_after_starts",
            ),
            field_check(
                "grantee",
                "Say who got (or was refused) access: pick the grantee, or describe an unnamed one in the grantee "
                "description.",
                condition=Q(grantee__isnull=False) | ~Q(grantee_description=""),
                name="%(app_label)s_%(class)s_has_grantee",
            ),
            field_check(
                "model",
                "Say which model the access concerns: pick the model release, or describe it in the model description.",
                condition=Q(model__isnull=False) | ~Q(model_description=""),
                name="%(app_label)s_%(class)s_has_model",
            ),
        ]

    def __str__(self):
        return self.slug
