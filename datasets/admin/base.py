"""What every record's admin shares: the conflict-safe forms, the review workflow (buttons on a record's page,
list actions and the views behind them, all made from ``services.TRANSITIONS``) and a busy database told as
a message, not a server error."""

from urllib.parse import parse_qs

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.validators import validate_slug
from django.db import OperationalError, models, transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from simple_history.admin import SimpleHistoryAdmin

from datasets import services
from datasets.counts import COUNT_FIELD, format_count, parse_count
from datasets.resources import resource_of
from datasets.services import batches
from datasets.services.diffs import revision_changes
from datasets.slugs import check_slug

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


class CountField(forms.IntegerField):
    """A large count as curators write it and read it: ``671B``, ``1.6T``, ``355,000,000,000`` (``datasets.counts``),
    stored as the exact whole number."""

    widget = forms.TextInput

    def __init__(self, *, help_text="", **kwargs):
        hint = "As 671B, 1.6T (thousand K, million M, billion B, trillion T) or in digits."
        super().__init__(help_text=f"{help_text} {hint}".strip(), **kwargs)

    def prepare_value(self, value):
        return format_count(value) if isinstance(value, int) and not isinstance(value, bool) else value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_count(str(value))
        except ValueError as error:
            raise forms.ValidationError(str(error), code="invalid") from None


# The suffix of the display that shows a count on a read-only page (``ReviewedAdmin``), and what it shows for
# none (as Django's read-only fields do).
SHOWN = "_shown"
EMPTY = "-"


def shown_count(field):
    """An admin display of a count field's value as curators write it (671B); "-" for none."""

    @admin.display(description=capfirst(field.verbose_name))
    def display(obj):
        value = getattr(obj, field.attname)
        return EMPTY if value is None else format_count(value)

    return display


class UsedChoicesFilter(admin.ChoicesFieldListFilter):
    """A choice field's filter listing only the values that records have: a country field has 250 choices, a
    7,600-pixel column of links, of which the registry's records use a dozen."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.used = {str(value) for value in model._default_manager.values_list(field_path, flat=True).distinct()}

    def choices(self, changelist):
        for choice in super().choices(changelist):
            value = parse_qs(choice["query_string"].lstrip("?")).get(self.lookup_kwarg, [None])[0]
            if value is None or value in self.used:  # "All", "None", or a value in use
                yield choice


class PlainTextForm(forms.ModelForm):
    """A form whose texts are stored as curators typed them, with ``\n`` line ends: a browser sends a text
    area's line ends as ``\r\n``, which would otherwise show as a change of every multi-line field."""

    def clean(self):
        cleaned = super().clean()
        for name, value in cleaned.items():
            if isinstance(value, str):
                cleaned[name] = value.replace("\r\n", "\n").replace("\r", "\n")
        return cleaned


class CuratedForm(PlainTextForm):
    """The change form of every record: it carries the version it was loaded at, and refuses to save over
    a change someone else saved meanwhile (no lost update)."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["loaded_version"].initial = self.instance.version
        if "slug" in self.fields:  # the convention's check (clean_slug) says more than Django's slug check
            field = self.fields["slug"]
            field.validators = [validator for validator in field.validators if validator is not validate_slug]

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if "slug" in self.changed_data:  # typed now; a revision's slug, made by the workflow, is kept as it is
            check_slug(slug)
        return slug

    def clean(self):
        cleaned = super().clean()
        loaded = cleaned.get("loaded_version")
        if self.instance.pk is not None and loaded is not None:
            stored = type(self.instance).objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()
            if stored != loaded:
                raise forms.ValidationError(services.describe_conflict(self.instance, loaded))
        return cleaned


def workflow_action(transition: services.Transition):
    """The list action that takes ``transition`` on each selected record, named after the step."""

    def action(model_admin, request, queryset):
        model_admin.run_on_selected(request, queryset, transition)

    action.__name__ = action.__qualname__ = transition.name
    return admin.action(description=transition.action)(action)


class ReviewedAdmin(SimpleHistoryAdmin):
    """Shared admin of every reviewed record: workflow buttons and actions, history, conflict-safe saves.

    Drafts and records in review are edited in place. Published and withdrawn records are read-only here
    (``is_locked``): "Propose a change" makes a draft revision, which goes through review and, once published,
    replaces the public version (the public sees the old version until then).
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
    # One list action per workflow step that has one (steps that ask for a reason or make a new record are
    # buttons on the record's page only).
    actions = [workflow_action(transition) for transition in services.TRANSITIONS.values() if transition.action]
    list_per_page = 50
    show_full_result_count = True
    formfield_overrides = {
        models.URLField: {"assume_scheme": "https"},
        COUNT_FIELD: {"form_class": CountField},
    }
    save_on_top = True
    history_list_display = ["review_status"]

    class Media:
        # The slug convention for slugs filled from a name as it is typed: after Django's URLify, which it wraps.
        js = ("admin/js/urlify.js", "datasets/slug.js")

    def get_actions(self, request):
        # Records are withdrawn, never deleted in bulk: drop Django's "delete selected" action.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("last_edited_by", "revision_of")

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        # A read-only page shows a count as the form does (671B), through a display named after its field.
        self.count_fields = [field.name for field in model._meta.concrete_fields if isinstance(field, COUNT_FIELD)]
        for name in self.count_fields:
            setattr(self, name + SHOWN, shown_count(model._meta.get_field(name)))

    def read_only(self, request, obj) -> bool:
        return obj is not None and not self.has_change_permission(request, obj)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self.read_only(request, obj):
            return fieldsets

        def shown(fields):
            # A read-only page has no form to carry the loaded version; its counts are shown as 671B.
            if isinstance(fields, list | tuple):
                return type(fields)(shown(name) for name in fields if name != "loaded_version")
            return fields + SHOWN if fields in self.count_fields else fields

        return [(name, {**options, "fields": shown(options["fields"])}) for name, options in fieldsets]

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if self.read_only(request, obj):
            readonly = [*readonly, *(name + SHOWN for name in self.count_fields)]
        return readonly

    def has_change_permission(self, request, obj=None):
        # What the public sees (or saw) changes only through a reviewed revision.
        if obj is not None and obj.is_locked:
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
        context["revision_changes"] = revision_changes(obj) if obj is not None and obj.revision_of_id else None
        return super().render_change_form(request, context, add, change, form_url, obj)

    def transition_buttons(self, request, obj) -> list[dict]:
        """The workflow steps offered on ``obj``'s page to this user, in the table's order."""
        if obj is None or obj.pk is None:
            return []
        info = obj._meta.app_label, obj._meta.model_name
        return [
            {
                "name": transition.name,
                "label": transition.label,
                "url": reverse("admin:{}_{}_transition".format(*info), args=[obj.pk, transition.name]),
            }
            for transition in services.TRANSITIONS.values()
            if transition.offered_for(obj, request.user)
        ]

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            path("import/", self.admin_site.admin_view(self.batch_view), name="{}_{}_import".format(*info)),
            path(
                "import/template.csv",
                self.admin_site.admin_view(self.batch_template_view),
                name="{}_{}_import_template".format(*info),
            ),
            path(
                "<path:object_id>/transition/<str:name>/",
                self.admin_site.admin_view(self.transition_view),
                name="{}_{}_transition".format(*info),
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        if self.has_add_permission(request):
            info = self.model._meta.app_label, self.model._meta.model_name
            extra_context = {**(extra_context or {}), "batch_url": reverse("admin:{}_{}_import".format(*info))}
        return super().changelist_view(request, extra_context)

    def batch_form(self, request):
        """The form a batch's rows are checked with: this admin's add form (``services.batches``)."""
        cited = services.citation_model(self.model)
        may_cite = cited is None or request.user.has_perm(f"{cited._meta.app_label}.add_{cited._meta.model_name}")
        if not self.has_add_permission(request) or not may_cite:
            raise PermissionDenied
        return self.get_form(request, None)

    def batch_template_view(self, request):
        """GET: the header row of a batch file of this kind of record, to fill in a spreadsheet."""
        response = HttpResponse(batches.template_csv(self.batch_form(request)), content_type="text/csv; charset=utf-8")
        name = resource_of(self.model).name
        response["Content-Disposition"] = f'attachment; filename="{name}-template.csv"'
        return response

    def batch_view(self, request):
        """Import a CSV file of records as drafts, all or nothing, and report what was done or every problem."""
        form_class = self.batch_form(request)
        report, refused = None, None
        if request.method == "POST":
            upload = request.FILES.get("file")
            if upload is None:
                refused = "Choose a CSV file to import."
            else:
                try:
                    # Read no further than the limit: a larger file is refused for its size.
                    content = upload.read(batches.MAX_BYTES + 1)
                    report = batches.import_drafts(form_class, content, request.user, upload.name)
                except batches.BatchRefused as error:
                    refused = str(error)
                except OperationalError as error:
                    if not is_busy(error):
                        raise
                    refused = BUSY_MESSAGE
        opts = self.model._meta
        info = opts.app_label, opts.model_name
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "title": f"Import {opts.verbose_name_plural} as drafts",
            "columns": batches.columns(form_class),
            "template_url": reverse("admin:{}_{}_import_template".format(*info)),
            "changelist_url": reverse("admin:{}_{}_changelist".format(*info)),
            "report": report,
            "refused": refused,
            "max_rows": batches.MAX_ROWS,
            "cites": services.citation_model(self.model) is not None,
            "created": [(number, record, change_page(record)) for number, record in report.created] if report else [],
        }
        status = 400 if refused or (report and report.problems) else 200
        return TemplateResponse(request, "admin/datasets/batch.html", context, status=status)

    def transition_view(self, request, object_id, name):
        """POST: take a workflow step on one record (a step that needs a reason first asks for it)."""
        record = get_object_or_404(self.model, pk=object_id)
        transition = services.TRANSITIONS.get(name)
        if transition is None or not self.has_view_permission(request, record):
            raise PermissionDenied
        change_url = change_page(record)
        # Publishing a revision is confirmed on a page that shows what it changes; the reviewer publishes the
        # version they saw there.
        by_diff = name == "publish" and record.revision_of_id is not None
        asks = (transition.needs_reason and "reason" not in request.POST) or (
            by_diff and "seen_version" not in request.POST
        )
        if request.method != "POST" or asks:
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "record": record,
                "name": name,
                "label": transition.label,
                "needs_reason": transition.needs_reason,
                "changes": revision_changes(record) if by_diff else None,
                "change_url": change_url,
                "title": f"{transition.label}: {record}",
            }
            return TemplateResponse(request, "admin/datasets/transition.html", context)
        if by_diff and request.POST["seen_version"] != str(record.version):
            self.message_user(
                request,
                f"{record.slug} was changed after you opened its changes: read them again before publishing.",
                messages.ERROR,
            )
            return redirect(change_url)
        try:
            with transaction.atomic():
                result = transition.run(record, request.user, request.POST.get("reason", ""))
        except services.TransitionError as error:
            self.message_user(request, str(error), messages.ERROR)
            return redirect(change_url)
        message = f"{transition.label}: {result.slug} is now {result.review_status}."
        self.message_user(request, message, messages.SUCCESS)
        return redirect(change_page(result))

    def run_on_selected(self, request, queryset, transition: services.Transition) -> None:
        """A list action: take ``transition`` on each selected record, telling which ones it refused."""
        done = 0
        for record in queryset:
            if transition.name == "publish" and record.revision_of_id is not None:
                self.message_user(
                    request,
                    f"{record.slug} is a revision: publish it from its page, which shows what it changes.",
                    messages.WARNING,
                )
                continue
            try:
                transition.run(record, request.user)
            except services.TransitionError as error:
                self.message_user(request, str(error), messages.WARNING)
            else:
                done += 1
        if done:
            self.message_user(request, f"{done} record(s) {transition.done}.", messages.SUCCESS)

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


class CuratedAdmin(ReviewedAdmin):
    """Shared admin of records of fact: adds confidence to the filters."""

    def get_list_filter(self, request):
        return ["review_status", "confidence", *super().get_list_filter(request)]
