"""Query parameters of the public API: one FilterSet per resource, on shared bases.

Conventions, the same on every resource:

- a slug parameter (``developer``, ``source``, ``covers_chip``) takes the slug of a published record; a
  malformed slug, or one that names no published record, is a 400;
- an enum parameter (``weights``, ``confidence``) takes one of the enum's values;
- repeating a parameter means OR (``?developer=deepseek&developer=alibaba-qwen``), different parameters AND;
- date ranges are ``<field>_after`` / ``<field>_before`` and include their bounds; number ranges are
  ``<field>_min`` / ``<field>_max``, also inclusive;
- anything that does not parse is refused with a 400 that names the parameter, never ignored, and so is a
  single-value parameter given more than once;
- a parameter that is not declared here, nor the list's paging (``limit``, ``offset``) or ``format``, is refused
  too, with a 400 that names it and lists the ones the endpoint takes (``api.conditional``): a typo
  (``?develper=``) would otherwise list every record;
- a parameter given empty (``?released_on_after=``, ``?developer=``) counts as not given, as in the browsable
  API's filter form, which sends every field.

The filter classes they are built from, and the base FilterSet, are in ``api.filters``.
"""

from django.db.models import Exists, OuterRef

from api.facets import Facet
from api.filters import (
    BooleanFilter,
    DateFilter,
    DateTimeFilter,
    EnumFilter,
    ExactTextFilter,
    FilterSet,
    SearchFilter,
    SearchText,
    SlugFilter,
    date_range,
    expand_filter,
    facet_filter,
    fields_filter,
    isnull,
    number_range,
    ordering_filter,
    value_blind,
)
from api.serializers import (
    AccessGrantSerializer,
    ChipSerializer,
    ExportControlSerializer,
    ModelReleaseSerializer,
    OrganizationSerializer,
    SourceSerializer,
)
from datasets.choices import (
    AccessTypeChoices,
    ArchitectureChoices,
    ChipKindChoices,
    ClaimStatusChoices,
    ConfidenceChoices,
    CountryChoices,
    EndReasonChoices,
    InstrumentChoices,
    OrganizationKindChoices,
    OutcomeChoices,
    ResourceChoices,
    SourceKindChoices,
    WeightsChoices,
)
from datasets.models import (
    AccessGrant,
    ChangeEvent,
    ChangeTypeChoices,
    Chip,
    ExportControl,
    ModelRelease,
    Organization,
    Source,
)

__all__ = [
    "AccessGrantFilterSet",
    "ChangeFilterSet",
    "ChipFilterSet",
    "ExportControlFilterSet",
    "ModelReleaseFilterSet",
    "OrganizationFilterSet",
    "SearchFilterSet",
    "SourceFilterSet",
]


# Shared bases: the parameters of every resource, and of every curated one.


def related_in_country(relation: str, countries) -> Exists:
    """The record's ``relation`` is a published organization of one of ``countries``: a lookup by primary key
    for each record considered. A page then walks its order's index and stops once it is full, at the same cost
    at 2M records as at 10k; ``relation__in=<those organizations>`` first lists them all (tens of thousands at
    2M records) and then sorts every match (tests/test_query_plans.py)."""
    organizations = Organization.objects.published().filter(pk=OuterRef(relation), country__in=countries)
    return Exists(organizations)


class RecordFilterSet(FilterSet):
    """Parameters shared by every resource: free-text search, change tracking and ordering.

    Subclasses redeclare ``q`` with the columns they search and ``ordering`` with the fields they sort by.
    """

    q = SearchFilter()
    updated_since = DateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        method="filter_updated_since",
        help_text="Records changed at or after this ISO 8601 date-time (e.g. 2025-01-31T00:00:00Z; a date "
        "means its midnight UTC), in the order they changed (then by slug) unless `ordering` says otherwise; the "
        "response's `withdrawn` lists the records withdrawn since then. Use it to sync a mirror.",
    )
    ordering = ordering_filter()

    def filter_updated_since(self, queryset, name, value):
        # An explicit `ordering` (applied after this filter) still wins.
        return queryset.filter(updated_at__gte=value).order_by("updated_at", "slug")


class CuratedFilterSet(RecordFilterSet):
    """Parameters shared by the curated resources, which cite sources and carry a confidence level."""

    source = SlugFilter(
        field_name="citations__source",
        queryset=Source.objects.published(),
        method="filter_source",
        help_text="Slug of a published source: records that cite it. Repeat for any of several sources.",
    )
    confidence = EnumFilter(
        choices=ConfidenceChoices.choices,
        help_text="How well the record is supported by its sources. Repeat for any of several levels.",
    )

    def filter_source(self, queryset, name, value):
        citations = queryset.model.citations.rel.related_model.objects
        return queryset.filter(pk__in=citations.filter(source__in=value).values("record_id"))


# One FilterSet per resource.


class OrganizationFilterSet(CuratedFilterSet):
    """Parameters of /api/v1/organizations/."""

    q = SearchFilter(Organization)
    country = EnumFilter(
        choices=CountryChoices.choices,
        help_text="ISO 3166-1 alpha-2 code of the country of headquarters. Repeat for any of several.",
    )
    kind = EnumFilter(
        choices=OrganizationKindChoices.choices, help_text="Kind of organization. Repeat for any of several."
    )
    ordering = ordering_filter("name", "country", "kind")

    fields = fields_filter(OrganizationSerializer)
    expand = expand_filter(Organization)

    facet = facet_filter({"country": Facet("country"), "kind": Facet("kind"), "confidence": Facet("confidence")})

    class Meta:
        model = Organization
        fields: list[str] = []


class SourceFilterSet(RecordFilterSet):
    """Parameters of /api/v1/sources/."""

    q = SearchFilter(Source)
    publisher = ExactTextFilter(
        help_text="Publisher of the document, exact name, ignoring case (e.g. Reuters). Repeat for any of several.",
    )
    kind = EnumFilter(choices=SourceKindChoices.choices, help_text="Kind of document. Repeat for any of several.")
    published_on_after, published_on_before = date_range("published_on", "Documents published")
    published_on__isnull = isnull("published_on", "publication date")
    ordering = ordering_filter("title", "publisher", "published_on")

    fields = fields_filter(SourceSerializer)

    facet = facet_filter(
        {"kind": Facet("kind"), "publisher": Facet("publisher"), "published_on_year": Facet("published_on", year=True)}
    )

    class Meta:
        model = Source
        fields: list[str] = []


class ChipFilterSet(CuratedFilterSet):
    """Parameters of /api/v1/chips/."""

    q = SearchFilter(Chip)
    vendor = SlugFilter(
        queryset=Organization.objects.published(),
        help_text="Slug of the organization that sells the chip (e.g. nvidia). Repeat for any of several.",
    )
    kind = EnumFilter(choices=ChipKindChoices.choices, help_text="Kind of item. Repeat for any of several.")
    china_variant_of = SlugFilter(
        queryset=Chip.objects.published(),
        help_text="Slug of a chip: its China-market variants (e.g. nvidia-h100 gives the H800 and H20).",
    )
    tpp_min, tpp_max = number_range("tpp", "Total Processing Performance (TPP)")
    tpp__isnull = isnull("tpp", "TPP")
    ordering = ordering_filter("name", "announced_on", "tpp", "memory_gb", "dense_bf16_tflops")

    fields = fields_filter(ChipSerializer)
    expand = expand_filter(Chip)

    facet = facet_filter(
        {
            "vendor": Facet("vendor"),
            "kind": Facet("kind"),
            "confidence": Facet("confidence"),
            "announced_on_year": Facet("announced_on", year=True),
        }
    )

    class Meta:
        model = Chip
        fields: list[str] = []


class ModelReleaseFilterSet(CuratedFilterSet):
    """Parameters of /api/v1/model-releases/."""

    q = SearchFilter(ModelRelease)
    developer = SlugFilter(
        queryset=Organization.objects.published(),
        help_text="Slug of the developer (e.g. deepseek). Repeat for any of several developers.",
    )
    developer_country = EnumFilter(
        field_name="developer__country",
        choices=CountryChoices.choices,
        method="filter_developer_country",
        help_text="ISO 3166-1 alpha-2 code of the developer's country (e.g. CN). Repeat for any of several.",
    )
    weights = EnumFilter(
        choices=WeightsChoices.choices, help_text="How the weights can be obtained. Repeat for any of several."
    )
    architecture = EnumFilter(
        choices=ArchitectureChoices.choices, help_text="Broad architecture. Repeat for any of several."
    )
    family = ExactTextFilter(
        help_text='Model family, exact name, ignoring case (e.g. "DeepSeek-V3"). Repeat for any of several.',
    )
    released_on_after, released_on_before = date_range("released_on", "Models released")
    announced_on_after, announced_on_before = date_range("announced_on", "Models announced")
    parameters_total_min, parameters_total_max = number_range("parameters_total", "Total parameter count")
    parameters_total__isnull = isnull("parameters_total", "total parameter count")
    trained_on = SlugFilter(
        field_name="training_chips",
        queryset=Chip.objects.published(),
        help_text="Slug of a chip the model was trained on (e.g. nvidia-h800). Repeat for any of several.",
    )
    trained_on__isnull = isnull("training_chips", "training chip")
    has_released = BooleanFilter(
        method="filter_has_released",
        help_text="true: models that have been released (weights or API); false: models only announced so far.",
    )
    ordering = ordering_filter("name", "released_on", "announced_on", "parameters_total", "context_length")

    fields = fields_filter(ModelReleaseSerializer)
    expand = expand_filter(ModelRelease)

    facet = facet_filter(
        {
            "developer": Facet("developer"),
            "weights": Facet("weights"),
            "architecture": Facet("architecture"),
            "family": Facet("family"),
            "trained_on": Facet("training_chips"),
            "confidence": Facet("confidence"),
            "released_on_year": Facet("released_on", year=True),
        }
    )

    class Meta:
        model = ModelRelease
        fields: list[str] = []

    @value_blind
    def filter_developer_country(self, queryset, name, value):
        return queryset.filter(related_in_country("developer", value))

    def filter_has_released(self, queryset, name, value):
        return queryset.released() if value else queryset.unreleased()


class AccessGrantFilterSet(CuratedFilterSet):
    """Parameters of /api/v1/access-grants/."""

    q = SearchFilter(AccessGrant)
    model = SlugFilter(
        queryset=ModelRelease.objects.published(),
        help_text="Slug of the model release the access concerns (e.g. deepseek-v4). Repeat for any of several.",
    )
    model_developer = SlugFilter(
        field_name="model__developer",
        queryset=Organization.objects.published(),
        method="filter_model_developer",
        help_text="Slug of the developer of the model (e.g. deepseek). Repeat for any of several.",
    )
    grantee = SlugFilter(
        queryset=Organization.objects.published(),
        help_text="Slug of the organization that got (or was refused) access (e.g. huawei). Repeat for any of several.",
    )
    grantee_country = EnumFilter(
        field_name="grantee__country",
        choices=CountryChoices.choices,
        method="filter_grantee_country",
        help_text="ISO 3166-1 alpha-2 code of the grantee's country. Repeat for any of several.",
    )
    grantor = SlugFilter(
        queryset=Organization.objects.published(),
        help_text="Slug of the organization that gave (or refused) access. Repeat for any of several.",
    )
    access_type = EnumFilter(
        choices=AccessTypeChoices.choices, help_text="What kind of access. Repeat for any of several."
    )
    outcome = EnumFilter(
        choices=OutcomeChoices.choices,
        help_text="Granted, explicitly withheld, revoked or obtained without consent. Repeat for any of several.",
    )
    claim_status = EnumFilter(
        choices=ClaimStatusChoices.choices,
        help_text="How well established the grant is (who says it happened). Repeat for any of several.",
    )
    active_on = DateFilter(
        method="filter_active_on",
        help_text="Grants in effect on this date (YYYY-MM-DD): started on or before it, or with no start date "
        "recorded, and not ended by it (a grant that ends on this date is no longer active).",
    )
    starts_on_after, starts_on_before = date_range("starts_on", "Grants starting")
    model__isnull = isnull("model", "model release (the access concerns a described model)")
    grantee__isnull = isnull("grantee", "grantee organization")
    grantor__isnull = isnull("grantor", "grantor organization")
    ends_on__isnull = isnull("ends_on", "end date")
    ordering = ordering_filter("starts_on", "ends_on", "reported_on")

    fields = fields_filter(AccessGrantSerializer)

    facet = facet_filter(
        {
            "model": Facet("model"),
            "grantee": Facet("grantee"),
            "grantor": Facet("grantor"),
            "access_type": Facet("access_type"),
            "outcome": Facet("outcome"),
            "claim_status": Facet("claim_status"),
            "confidence": Facet("confidence"),
            "starts_on_year": Facet("starts_on", year=True),
        }
    )

    class Meta:
        model = AccessGrant
        fields: list[str] = []

    def filter_model_developer(self, queryset, name, value):
        return queryset.filter(model__in=ModelRelease.objects.published().filter(developer__in=value))

    @value_blind
    def filter_grantee_country(self, queryset, name, value):
        return queryset.filter(related_in_country("grantee", value))

    def filter_active_on(self, queryset, name, value):
        return queryset.active_on(value)


class ExportControlFilterSet(CuratedFilterSet):
    """Parameters of /api/v1/export-controls/."""

    q = SearchFilter(ExportControl)
    jurisdiction = EnumFilter(
        choices=CountryChoices.choices,
        help_text='ISO 3166-1 alpha-2 code of the issuing state, or "EU" (e.g. US, CN). Repeat for any of several.',
    )
    authority = SlugFilter(
        queryset=Organization.objects.published(),
        help_text="Slug of the body that issued the measure (e.g. us-bis). Repeat for any of several.",
    )
    instrument = EnumFilter(
        choices=InstrumentChoices.choices, help_text="Legal or policy form. Repeat for any of several."
    )
    target_country = EnumFilter(
        field_name="target_countries",
        choices=CountryChoices.choices,
        help_text="ISO 3166-1 alpha-2 code of a destination the measure targets (e.g. CN). Repeat for any of several.",
    )
    targets_organization = SlugFilter(
        field_name="targeted_organizations",
        queryset=Organization.objects.published(),
        help_text="Slug of an organization the measure names (e.g. huawei). Repeat for any of several.",
    )
    covers_chip = SlugFilter(
        field_name="covered_chips",
        queryset=Chip.objects.published(),
        help_text="Slug of a chip the measure covers (e.g. nvidia-h20). Repeat for any of several.",
    )
    in_force_on = DateFilter(
        method="filter_in_force_on",
        help_text="Measures in force on this date (YYYY-MM-DD): effective on or before it, not ended by it, "
        "and not suspended by another published measure in force on that date.",
    )
    effective_on_after, effective_on_before = date_range("effective_on", "Measures taking effect")
    effective_on__isnull = isnull("effective_on", "date of effect")
    ends_on__isnull = isnull("ends_on", "end date (true: measures not ended)")
    authority__isnull = isnull("authority", "issuing body")
    end_reason = EnumFilter(
        choices=EndReasonChoices.choices,
        help_text="Why the measure stopped being in force. Repeat for any of several.",
    )
    supersedes = SlugFilter(
        queryset=ExportControl.objects.published(),
        help_text="Slug of an export control: the measures that supersede it. Repeat for any of several.",
    )
    ordering = ordering_filter("title", "announced_on", "effective_on", "ends_on")

    fields = fields_filter(ExportControlSerializer)

    facet = facet_filter(
        {
            "jurisdiction": Facet("jurisdiction"),
            "authority": Facet("authority"),
            "instrument": Facet("instrument"),
            "end_reason": Facet("end_reason"),
            "target_country": Facet("target_countries"),
            "targets_organization": Facet("targeted_organizations"),
            "covers_chip": Facet("covered_chips"),
            "confidence": Facet("confidence"),
            "effective_on_year": Facet("effective_on", year=True),
        }
    )

    class Meta:
        model = ExportControl
        fields: list[str] = []

    def filter_in_force_on(self, queryset, name, value):
        return queryset.in_force_on(value)


class SearchFilterSet(FilterSet):
    """Parameters of /api/v1/search/: the text, and which resources to search (``api.views.SearchView`` reads
    them; it has no queryset of its own to filter)."""

    q = SearchText(
        required=True,
        help_text="The text to find, ignoring case, in the searched fields of every resource (names, titles, "
        "aliases, summaries, slugs: each list's `q` documents its own).",
    )
    resource = EnumFilter(
        choices=ResourceChoices.choices,
        method="keep",
        help_text="Only records of these resources; repeat for several. Default: every resource.",
    )

    def keep(self, queryset, name, value):
        return queryset


class ChangeFilterSet(FilterSet):
    """Parameters of the change feed (its cursor, ``after``, and ``limit`` belong to its pagination)."""

    resource = EnumFilter(
        choices=ResourceChoices.choices,
        help_text="Only changes to records of these resources; repeat for several.",
    )
    change = EnumFilter(
        choices=ChangeTypeChoices.choices, help_text="Only these kinds of change (published, updated, withdrawn)."
    )

    class Meta:
        model = ChangeEvent
        fields = ["resource", "change"]
