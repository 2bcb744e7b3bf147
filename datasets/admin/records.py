"""One admin per record type, on the shared bases: each adds its columns, search, autocomplete relations and
fieldsets grouped the way a curator works (identity, facts, dates, provenance, curation), and the citations
(and, on a model release, its access grants) edited inline."""

from django import forms
from django.contrib import admin
from django.db import models

from datasets import services
from datasets.admin.base import CURATION_FIELDSET, CuratedAdmin, PlainTextForm, ReviewedAdmin, UsedChoicesFilter
from datasets.counts import format_count
from datasets.models import (
    AccessGrant,
    AccessGrantCitation,
    Chip,
    ChipCitation,
    Country,
    ExportControl,
    ExportControlCitation,
    ModelRelease,
    ModelReleaseCitation,
    Organization,
    OrganizationCitation,
    Source,
)


class CitationInline(admin.TabularInline):
    """Sources cited by the record, edited on the record's own page."""

    form = PlainTextForm
    extra = 0
    autocomplete_fields = ["source"]
    formfield_overrides = {
        models.URLField: {"assume_scheme": "https"},
        # A quote is short: a small box keeps the citations table within the page.
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})},
    }
    fields = ["source", "locator", "quote"]
    verbose_name = "citation"
    verbose_name_plural = "citations (sources supporting this record)"

    def _editable(self, obj) -> bool:
        # A locked record's citations change with it, through a revision.
        return obj is None or not obj.is_locked

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


class OrganizationCitationInline(CitationInline):
    model = OrganizationCitation


class ChipCitationInline(CitationInline):
    model = ChipCitation


class ModelReleaseCitationInline(CitationInline):
    model = ModelReleaseCitation


class AccessGrantCitationInline(CitationInline):
    model = AccessGrantCitation


class ExportControlCitationInline(CitationInline):
    model = ExportControlCitation


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    """The ISO country list: reference data, filled by a migration, searchable for autocomplete."""

    list_display = ["code", "name"]
    search_fields = ["code", "name"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Organization)
class OrganizationAdmin(CuratedAdmin):
    list_display = ["name", "slug", "kind", "country", "review_status", "confidence", "updated_at"]
    list_filter = ["kind", ("country", UsedChoicesFilter)]
    search_fields = ["name", "slug", "aliases"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OrganizationCitationInline]
    fieldsets = [
        ("Identity", {"fields": ["name", "slug", "aliases"]}),
        ("Facts", {"fields": ["kind", "country", "website", "description"]}),
        ("Provenance", {"fields": ["confidence", "status_checked_on"]}),
        CURATION_FIELDSET,
    ]


@admin.register(Source)
class SourceAdmin(ReviewedAdmin):
    list_display = ["title", "publisher", "kind", "published_on", "url_checked", "review_status", "updated_at"]
    list_filter = ["review_status", "kind", "url_checked"]
    search_fields = ["title", "slug", "publisher", "url"]
    date_hierarchy = "published_on"
    prepopulated_fields = {"slug": ["title"]}
    fieldsets = [
        ("Identity", {"fields": ["title", "slug", "publisher", "kind"]}),
        ("Location", {"fields": ["url", "url_checked", "archived_url"]}),
        ("Dates", {"fields": ["published_on", "date_precision"]}),
        ("Provenance", {"fields": ["notes"]}),
        CURATION_FIELDSET,
    ]


@admin.register(Chip)
class ChipAdmin(CuratedAdmin):
    list_display = ["name", "slug", "vendor", "kind", "tpp", "china_variant_of", "review_status", "updated_at"]
    list_filter = ["kind", ("vendor", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["vendor", "china_variant_of"]
    search_fields = ["name", "slug", "vendor__name"]
    autocomplete_fields = ["vendor", "china_variant_of"]
    date_hierarchy = "announced_on"
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ChipCitationInline]
    fieldsets = [
        ("Identity", {"fields": ["name", "slug", "vendor", "kind", "china_variant_of"]}),
        (
            "Facts",
            {
                "fields": [
                    "memory_gb",
                    "memory_type",
                    "memory_bandwidth_tbps",
                    "dense_bf16_tflops",
                    "dense_fp8_tflops",
                    "interconnect_bandwidth_gbps",
                    "tpp",
                    "tpp_basis",
                    "notes",
                ]
            },
        ),
        ("Dates", {"fields": ["announced_on", "date_precision"]}),
        ("Provenance", {"fields": ["confidence", "status_checked_on"]}),
        CURATION_FIELDSET,
    ]


class AccessGrantInline(admin.StackedInline):
    """Access grants of a model release: new ones are added here (as drafts); existing ones, which have
    their own review, are shown read-only with a link to their own page."""

    model = AccessGrant
    fk_name = "model"
    extra = 0
    show_change_link = True
    autocomplete_fields = ["grantee", "grantor"]
    fields = [
        ("slug", "access_type", "outcome"),
        ("grantee", "grantee_description"),
        "grantor",
        ("starts_on", "ends_on", "date_precision"),
        ("claim_status", "confidence", "status_checked_on"),
        "purpose",
        "curator_notes",
    ]

    form = PlainTextForm

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # A grant is deleted (a draft never public) or withdrawn on its own page, never from its release's.
        return False

    def has_add_permission(self, request, obj=None):
        return (obj is None or not obj.is_locked) and super().has_add_permission(request, obj)


@admin.register(ModelRelease)
class ModelReleaseAdmin(CuratedAdmin):
    list_display = [
        "name",
        "slug",
        "developer",
        "released_on",
        "weights",
        "architecture",
        "parameters",
        "review_status",
        "updated_at",
    ]
    list_filter = [
        "weights",
        "architecture",
        ("developer__country", UsedChoicesFilter),
        ("developer", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["developer"]
    search_fields = ["name", "slug", "family", "developer__name", "huggingface_repo", "arxiv_id"]
    autocomplete_fields = ["developer", "training_chips"]
    date_hierarchy = "released_on"
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ModelReleaseCitationInline, AccessGrantInline]
    fieldsets = [
        ("Identity", {"fields": ["name", "slug", "developer", "family"]}),
        (
            "Facts",
            {
                "fields": [
                    ("parameters_total", "parameters_active"),
                    "parameters_note",
                    ("architecture", "context_length"),
                    "architecture_note",
                    ("weights", "license"),
                    "training_chips",
                    "training_compute_note",
                    "training_data_note",
                    ("huggingface_repo", "arxiv_id"),
                    "notes",
                ]
            },
        ),
        ("Dates", {"fields": ["announced_on", "released_on", "date_precision"]}),
        ("Provenance", {"fields": ["confidence", "status_checked_on"]}),
        CURATION_FIELDSET,
    ]

    @admin.display(description="Parameters", ordering="parameters_total", empty_value="-")
    def parameters(self, release):
        return None if release.parameters_total is None else format_count(release.parameters_total)

    def save_formset(self, request, form, formset, change):
        # A grant added on a release's page is given by the release's developer unless the curator says
        # otherwise (the same default as everywhere else, from services).
        for grant in formset.save(commit=False):
            if isinstance(grant, AccessGrant):
                services.fill_default_grantor(grant)
                services.save_edit(grant, request.user, grant.version)
            else:
                grant.save()
        for obj in formset.deleted_objects:
            if isinstance(obj, AccessGrant):
                services.delete_draft(obj, request.user)
            else:
                obj.delete()
        formset.save_m2m()


@admin.register(AccessGrant)
class AccessGrantAdmin(CuratedAdmin):
    list_display = [
        "slug",
        "model",
        "grantee_display",
        "grantor",
        "access_type",
        "outcome",
        "claim_status",
        "starts_on",
        "review_status",
    ]
    list_filter = ["access_type", "outcome", "claim_status", ("grantee__country", UsedChoicesFilter)]
    list_select_related = ["model", "grantee", "grantor"]
    search_fields = [
        "slug",
        "model__name",
        "model__slug",
        "model_description",
        "grantee__name",
        "grantee__aliases",
        "grantee_description",
        "grantor__name",
        "purpose",
    ]
    autocomplete_fields = ["model", "grantee", "grantor"]
    date_hierarchy = "starts_on"
    inlines = [AccessGrantCitationInline]
    fieldsets = [
        ("Identity", {"fields": ["slug", "model", "model_description"]}),
        (
            "Facts",
            {
                "fields": [
                    ("grantee", "grantee_description"),
                    "grantor",
                    ("access_type", "outcome"),
                    "purpose",
                    ("claim_status", "claim_note"),
                    "notes",
                ],
                "description": "Leave the grantor empty to use the model's developer.",
            },
        ),
        ("Dates", {"fields": [("starts_on", "ends_on", "date_precision"), "dates_note", "reported_on"]}),
        ("Provenance", {"fields": ["confidence", "status_checked_on"]}),
        CURATION_FIELDSET,
    ]

    @admin.display(description="Grantee", ordering="grantee__name")
    def grantee_display(self, obj):
        return obj.grantee or obj.grantee_description

    def save_model(self, request, obj, form, change):
        services.fill_default_grantor(obj)
        super().save_model(request, obj, form, change)


@admin.register(ExportControl)
class ExportControlAdmin(CuratedAdmin):
    list_display = [
        "title",
        "slug",
        "jurisdiction",
        "instrument",
        "reference",
        "effective_on",
        "ends_on",
        "review_status",
    ]
    list_filter = ["jurisdiction", "instrument", "end_reason", ("authority", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["authority"]
    search_fields = ["title", "slug", "reference", "reference_details", "summary", "authority__name"]
    autocomplete_fields = [
        "authority",
        "supersedes",
        "amends",
        "suspends",
        "covered_chips",
        "target_countries",
        "targeted_organizations",
    ]
    date_hierarchy = "effective_on"
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ExportControlCitationInline]
    fieldsets = [
        (
            "Identity",
            {"fields": ["title", "slug", ("jurisdiction", "authority"), ("instrument", "instrument_note")]},
        ),
        ("Reference", {"fields": ["reference", "reference_details"]}),
        (
            "Facts",
            {
                "fields": [
                    "summary",
                    "covered_items",
                    "covered_chips",
                    "target_countries",
                    "targets_description",
                    "targeted_organizations",
                    "status_note",
                    "notes",
                ]
            },
        ),
        (
            "Dates",
            {
                "fields": [
                    ("announced_on", "published_on"),
                    ("effective_on", "ends_on", "end_reason"),
                    "dates_note",
                ]
            },
        ),
        ("Related measures", {"fields": ["supersedes", "amends", "suspends"]}),
        ("Provenance", {"fields": ["confidence", "status_checked_on"]}),
        CURATION_FIELDSET,
    ]
