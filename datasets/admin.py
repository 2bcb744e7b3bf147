"""The curators' tool: one admin per record type, on a shared base.

``CuratedAdmin`` holds what every record's admin shares (review state first in the filters, read-only
timestamps, workflow actions, no bulk delete, a link to the public API); each concrete admin adds its
columns, search, autocomplete relations and fieldsets grouped the way a curator works: identity, facts,
dates, provenance, curation.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import OperationalError, models, transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

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
from datasets.resources import resource_of

admin.site.site_header = "AI Access Registry: curation"
admin.site.site_title = "AI Access Registry"
admin.site.index_title = "Records"

CURATION_FIELDSET = (
    "Curation",
    {
        "fields": (
            "review_status",
            "revision_link",
            "curator_notes",
            "last_edited_by",
            "public_api_link",
            "created_at",
            "updated_at",
            "loaded_version",
        ),
        "description": "Only published records are public. Curator notes never leave the admin.",
    },
)


class PlainTextForm(forms.ModelForm):
    """A form whose texts are stored as curators typed them, with ``\n`` line ends: a browser sends a text
    area's line ends as ``\r\n``, which would otherwise show as a change of every multi-line field."""

    def clean(self):
        cleaned = super().clean()
        for name, value in cleaned.items():
            if isinstance(value, str):
                cleaned[name] = value.replace("\r\n", "\n").replace("\r", "\n")
        return cleaned


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
        return obj is None or obj.review_status not in (services.Status.PUBLISHED, services.Status.WITHDRAWN)

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


BUSY_MESSAGE = (
    "The database stayed busy with other curators' saves, so nothing was saved: "
    "apply your change again on this page and save."
)


def is_busy(error: OperationalError) -> bool:
    """Whether a database error is SQLite's "database is locked": another writer held it past the timeout."""
    return "database is locked" in str(error) or "database table is locked" in str(error)


def change_page(record) -> str:
    """The admin change page of a record."""
    return reverse(f"admin:{record._meta.app_label}_{record._meta.model_name}_change", args=[record.pk])


class CuratedForm(PlainTextForm):
    """The change form of every record: it carries the version it was loaded at, and refuses to save over
    a change someone else saved meanwhile (no lost update)."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["loaded_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        loaded = cleaned.get("loaded_version")
        if self.instance.pk is not None and loaded is not None:
            stored = type(self.instance).objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()
            if stored != loaded:
                raise forms.ValidationError(services.describe_conflict(self.instance, loaded))
        return cleaned


# Buttons on a record's change page: (name, label, review states it applies to, needs the reviewer role).
TRANSITION_BUTTONS = (
    ("submit_for_review", "Submit for review", {services.Status.DRAFT}, False),
    ("publish", "Publish", {services.Status.IN_REVIEW}, True),
    ("return_to_draft", "Return to draft", {services.Status.IN_REVIEW, services.Status.WITHDRAWN}, False),
    ("start_revision", "Propose a change", {services.Status.PUBLISHED}, False),
    ("withdraw", "Withdraw", {services.Status.PUBLISHED}, True),
)


class ReviewedAdmin(SimpleHistoryAdmin):
    """Shared admin of every reviewed record: workflow buttons and actions, history, conflict-safe saves.

    Drafts and records in review are edited in place. Published and withdrawn records are read-only here:
    "Propose a change" makes a draft revision, which goes through review and, once published, replaces the
    public version (the public sees the old version until then).
    """

    form = CuratedForm
    change_form_template = "admin/datasets/change_form.html"
    readonly_fields = [
        "review_status",
        "revision_link",
        "last_edited_by",
        "public_api_link",
        "created_at",
        "updated_at",
    ]
    actions = ["submit_for_review", "publish", "return_to_draft"]
    list_per_page = 50
    show_full_result_count = True
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    save_on_top = True
    history_list_display = ["review_status"]

    def get_actions(self, request):
        # Records are withdrawn, never deleted in bulk: drop Django's "delete selected" action.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("last_edited_by", "revision_of")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        # A read-only page has no form to carry the loaded version.
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "loaded_version"]})
            for name, options in fieldsets
        ]

    def has_change_permission(self, request, obj=None):
        # What the public sees (or saw) changes only through a reviewed revision.
        if obj is not None and obj.review_status in (services.Status.PUBLISHED, services.Status.WITHDRAWN):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # A record that was reviewed or public is withdrawn, never deleted (mirrors must learn it went away);
        # only a draft the public never saw may go (services.delete_draft, which every delete path calls).
        if obj is not None and not services.can_delete(obj):
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        services.delete_draft(obj, request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.delete_draft(obj, request.user)

    def save_model(self, request, obj, form, change):
        # Saved in save_related, with its relations and inlines, as one edit: a save that changes nothing
        # records nothing.
        pass

    def save_related(self, request, form, formsets, change):
        record = form.instance
        services.save_edit(
            record,
            request.user,
            form.cleaned_data.get("loaded_version") or record.version,
            related=lambda: super(ReviewedAdmin, self).save_related(request, form, formsets, change),
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.EditConflict as conflict:
            # Two saves raced past the form check: the second one lands here, its transaction undone.
            self.message_user(request, str(conflict), messages.ERROR)
            return redirect(request.path)
        except services.TransitionError as error:
            self.message_user(request, str(error), messages.ERROR)
            return redirect(request.path)
        except OperationalError as error:
            if not is_busy(error):
                raise
            self.message_user(request, BUSY_MESSAGE, messages.ERROR)
            return redirect(request.path)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["transition_buttons"] = self.transition_buttons(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def transition_buttons(self, request, obj) -> list[dict]:
        if obj is None or obj.pk is None:
            return []
        buttons = []
        for name, label, states, reviewers_only in TRANSITION_BUTTONS:
            if obj.review_status in states and (not reviewers_only or services.can_review(request.user, obj)):
                url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_transition", args=[obj.pk, name])
                buttons.append({"name": name, "label": label, "url": url})
        return buttons

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            path(
                "<path:object_id>/transition/<str:name>/",
                self.admin_site.admin_view(self.transition_view),
                name="{}_{}_transition".format(*info),
            ),
            *super().get_urls(),
        ]

    def transition_view(self, request, object_id, name):
        """POST: apply a workflow step to one record (withdrawing first asks for the reason)."""
        record = get_object_or_404(self.model, pk=object_id)
        if not self.has_view_permission(request, record) or name not in {b[0] for b in TRANSITION_BUTTONS}:
            raise PermissionDenied
        change_url = change_page(record)
        label = {button[0]: button[1] for button in TRANSITION_BUTTONS}[name]
        if request.method != "POST" or (name == "withdraw" and "reason" not in request.POST):
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "record": record,
                "name": name,
                "label": label,
                "change_url": change_url,
                "title": f"{label}: {record}",
            }
            return TemplateResponse(request, "admin/datasets/transition.html", context)
        try:
            with transaction.atomic():
                result = self.run_transition(request, record, name)
        except services.TransitionError as error:
            self.message_user(request, str(error), messages.ERROR)
            return redirect(change_url)
        self.message_user(request, f"{label}: {result.slug} is now {result.review_status}.", messages.SUCCESS)
        return redirect(change_page(result))

    def run_transition(self, request, record, name):
        user = request.user
        if name == "submit_for_review":
            return services.submit_for_review(record, user)
        if name == "publish":
            return services.publish(record, user)
        if name == "return_to_draft":
            return services.return_to_draft(record, user)
        if name == "start_revision":
            return services.start_revision(record, user)
        return services.withdraw(record, user, request.POST.get("reason", ""))

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # Reverting never bypasses review: a published record gets a draft revision with the old values,
        # a draft gets them as an ordinary (conflict-checked) edit.
        if request.method == "POST":
            record = get_object_or_404(self.model, pk=unquote(object_id))
            if not self.has_view_permission(request, record):
                raise PermissionDenied
            version = get_object_or_404(record.history.model, pk=version_id, id=record.pk)
            try:
                result = services.revert_to(record, version, request.user)
            except services.TransitionError as error:
                self.message_user(request, str(error), messages.ERROR)
                return redirect(request.path)
            message = f"Reverted: {result.slug} holds the earlier values, as a {result.review_status} to review."
            self.message_user(request, message, messages.SUCCESS)
            return redirect(change_page(result))
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request, obj=None):
        return False

    @admin.display(description="Revision of")
    def revision_link(self, obj):
        if obj is None or obj.revision_of_id is None:
            return "-"
        original = obj.revision_of
        url = change_page(original)
        return format_html(
            '<a href="{}">{}</a> (published; this draft replaces it once a reviewer publishes it)', url, original.slug
        )

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
        # The API's route names, from the resource table: "model-release-detail".
        return resource_of(self.model).basename

    def _apply(self, request, queryset, transition, verb, **kwargs):
        done = 0
        for record in queryset:
            try:
                transition(record, request.user, **kwargs)
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
        ("claim_status", "confidence"),
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
        editable = obj is None or obj.review_status not in (services.Status.PUBLISHED, services.Status.WITHDRAWN)
        return editable and super().has_add_permission(request, obj)


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
            if isinstance(grant, AccessGrant):
                if grant.grantor_id is None:
                    grant.grantor = services.default_grantor(form.instance)
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
