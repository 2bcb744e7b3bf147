"""The curators' tool: one admin per record type, on a shared base.

``CuratedAdmin`` holds what every record's admin shares (review state first in the filters, read-only
timestamps, workflow actions, no bulk delete, a link to the public API); each concrete admin adds its
columns, search, autocomplete relations and fieldsets grouped the way a curator works: identity, facts,
dates, provenance, curation.
"""

from django.contrib import admin, messages
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from datasets import services
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

admin.site.site_header = "AI Access Registry: curation"
admin.site.site_title = "AI Access Registry"
admin.site.index_title = "Records"

CURATION_FIELDSET = (
    "Curation",
    {
        "fields": ("review_status", "curator_notes", "public_api_link", "created_at", "updated_at"),
        "description": "Only published records are public. Curator notes never leave the admin.",
    },
)


class CitationInline(admin.TabularInline):
    """Sources cited by the record, edited on the record's own page."""

    extra = 0
    autocomplete_fields = ["source"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fields = ["source", "locator", "quote"]
    verbose_name = "citation"
    verbose_name_plural = "citations (sources supporting this record)"


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


class ReviewedAdmin(admin.ModelAdmin):
    """Shared admin of every reviewed record: workflow actions, read-only review state and timestamps."""

    readonly_fields = ["review_status", "public_api_link", "created_at", "updated_at"]
    actions = ["submit_for_review", "publish", "withdraw", "return_to_draft"]
    list_per_page = 50
    show_full_result_count = True
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    save_on_top = True

    def get_actions(self, request):
        # Records are withdrawn, never deleted in bulk: drop Django's "delete selected" action.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request, obj=None):
        # A record the public has seen is withdrawn, not deleted (mirrors must learn it went away).
        if obj is not None and obj.review_status != services.Status.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description="Public API")
    def public_api_link(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        try:
            url = reverse(f"api:{self.api_basename}-detail", kwargs={"slug": obj.slug})
        except NoReverseMatch:
            return "-"
        if obj.review_status != services.Status.PUBLISHED:
            return format_html("{} (answers 404 until the record is published)", url)
        return format_html('<a href="{}">{}</a>', url, url)

    @property
    def api_basename(self) -> str:
        # The API router names its routes after the model's verbose name: "model-release-detail".
        return str(self.model._meta.verbose_name).replace(" ", "-")

    def _apply(self, request, queryset, transition, verb, **kwargs):
        done = 0
        for record in queryset:
            try:
                transition(record, **kwargs)
            except services.TransitionError as error:
                self.message_user(request, str(error), messages.WARNING)
            else:
                done += 1
        if done:
            self.message_user(request, f"{done} record(s) {verb}.", messages.SUCCESS)

    @admin.action(description="Submit selected records for review")
    def submit_for_review(self, request, queryset):
        self._apply(request, queryset, services.submit_for_review, "submitted for review")

    @admin.action(description="Publish selected records (reviewed)")
    def publish(self, request, queryset):
        self._apply(request, queryset, services.publish, "published")

    @admin.action(description="Withdraw selected records from the public")
    def withdraw(self, request, queryset):
        reason = f"withdrawn from the admin list by {request.user.get_username()}"
        self._apply(request, queryset, services.withdraw, "withdrawn", reason=reason)

    @admin.action(description="Return selected records to draft")
    def return_to_draft(self, request, queryset):
        self._apply(request, queryset, services.return_to_draft, "returned to draft")


class CuratedAdmin(ReviewedAdmin):
    """Shared admin of records of fact: adds confidence to the filters."""

    def get_list_filter(self, request):
        return ["review_status", "confidence", *super().get_list_filter(request)]


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
    list_filter = ["kind", "country"]
    search_fields = ["name", "slug", "aliases"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OrganizationCitationInline]
    fieldsets = [
        ("Identity", {"fields": ["name", "slug", "aliases"]}),
        ("Facts", {"fields": ["kind", "country", "website", "description"]}),
        ("Provenance", {"fields": ["confidence"]}),
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
        ("Dates", {"fields": ["published_on"]}),
        ("Provenance", {"fields": ["notes"]}),
        CURATION_FIELDSET,
    ]


@admin.register(Chip)
class ChipAdmin(CuratedAdmin):
    list_display = ["name", "slug", "vendor", "kind", "tpp", "china_variant_of", "review_status", "updated_at"]
    list_filter = ["kind", "vendor"]
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
        ("Provenance", {"fields": ["confidence"]}),
        CURATION_FIELDSET,
    ]


class AccessGrantInline(admin.StackedInline):
    """Access grants of a model release, edited on the release's page."""

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
        ("claim_status", "confidence"),
        "purpose",
        "curator_notes",
    ]


@admin.register(ModelRelease)
class ModelReleaseAdmin(CuratedAdmin):
    list_display = [
        "name",
        "slug",
        "developer",
        "released_on",
        "weights",
        "architecture",
        "parameters_total",
        "review_status",
        "updated_at",
    ]
    list_filter = ["weights", "architecture", "developer__country", "developer"]
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
        ("Provenance", {"fields": ["confidence"]}),
        CURATION_FIELDSET,
    ]

    def save_formset(self, request, form, formset, change):
        # A grant added on a release's page is given by the release's developer unless the curator says
        # otherwise (the same default as everywhere else, from services).
        for grant in formset.save(commit=False):
            if isinstance(grant, AccessGrant) and grant.grantor_id is None:
                grant.grantor = services.default_grantor(form.instance)
            grant.save()
        for obj in formset.deleted_objects:
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
    list_filter = ["access_type", "outcome", "claim_status", "grantee__country"]
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
        ("Provenance", {"fields": ["confidence"]}),
        CURATION_FIELDSET,
    ]

    @admin.display(description="Grantee", ordering="grantee__name")
    def grantee_display(self, obj):
        return obj.grantee or obj.grantee_description

    def save_model(self, request, obj, form, change):
        if obj.grantor_id is None:
            obj.grantor = services.default_grantor(obj.model)
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
    list_filter = ["jurisdiction", "instrument", "end_reason", "authority"]
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
        ("Provenance", {"fields": ["confidence"]}),
        CURATION_FIELDSET,
    ]
