"""Views of the public API (the human pages around it are ``api.explorer``'s).

The viewsets are declarative: a queryset of published records with its joins, a serializer and a
FilterSet. Related records and citations are read in the page's own query, keeping only *published*
ones (``api.nesting``), so a draft never shows up nested in a public one, and a list runs the same few
queries whatever its length and whatever the resource.
"""

from __future__ import annotations  # a viewset's ``list`` action shadows the builtin in its class's annotations

import copy
import functools

from django.conf import settings
from django.db import models, router
from django.db.models import CharField, F, Value
from django.http import FileResponse, HttpResponse, JsonResponse, StreamingHttpResponse
from django.views.defaults import page_not_found
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.exceptions import NotFound
from rest_framework.fields import IntegerField
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from api import filtersets, releases, serializers
from api.conditional import PublicReadMixin, kept_per_question
from api.dataset import (
    COVERAGE_HORIZON,
    COVERAGE_STARTS_ON,
    DATA_LICENSE,
    DATA_LICENSE_URL,
    DATASET_DESCRIPTION,
    DATASET_NAME,
    citation_text,
)
from api.filters import IDENTITY_FIELDS, NEGATION_SUFFIX, FilterBackend
from api.history import public_versions
from api.nesting import COUNT, EXPAND_LIMIT, count_help, label_field, with_dossier, with_nested
from api.pagination import FeedPagination, SearchPagination
from api.prepared import PreparedKeys, PreparedQuery
from api.renderers import CSVRenderer, JSONRenderer, NDJSONRenderer, ndjson_lines, write_csv
from api.schema import BAD_PARAMETERS
from config.routers import streamed_from_this_copy
from datasets import search
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
from datasets.release_format import media_type
from datasets.resources import RESOURCES, Resource, last_change, published_counts, resource_named

# The filters that ask about a date in the records' valid time: an answer holds only as far as the records' status
# was checked (``status_checked_on``).
VALID_TIME_FILTERS = ("in_force_on", "active_on")


# The formats in which a list without ``limit`` or ``offset`` is every matching record, and how many records each
# step of such an export reads at once.
EXPORT_FORMATS = ("csv", "ndjson")
EXPORT_BATCH = 500


class RecordViewSet(PublicReadMixin, viewsets.ReadOnlyModelViewSet):
    """Base of the resource viewsets: anonymous, read-only, records looked up by slug. Each serves one
    resource of the table (``datasets.resources``), whose name and basename route it (``api.urls``)."""

    resource: Resource

    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    # ?format=csv (or Accept: text/csv) gives the same records as flat CSV rows, ?format=ndjson as JSON lines.
    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, CSVRenderer, NDJSONRenderer]

    def list(self, request, *args, **kwargs):
        """A page of records; in CSV or NDJSON without ``limit`` or ``offset``, every matching record (``export``)."""
        if request.accepted_renderer.format in EXPORT_FORMATS and not {"limit", "offset"} & set(request.query_params):
            return self.export(request.accepted_renderer)
        page = self.paginate_queryset(self.filtered_keys())
        response = self.get_paginated_response(self.get_serializer(page, many=True).data)
        if request.accepted_renderer.format == NDJSONRenderer.format:
            # A page as lines, in a plain response: DRF's drops the Content-Type of an empty body (no record).
            return HttpResponse(ndjson_lines(response.data["results"]), content_type=NDJSONRenderer.media_type)
        return response

    def export(self, renderer) -> StreamingHttpResponse:
        """Every record the filters select, in their order, streamed in batches of ``EXPORT_BATCH``: the keys are
        read as they are needed, and each batch is read, represented and written before the next, so that memory
        stays flat however many records match. The same records, fields and order as the JSON pages.

        One serializer represents every batch: a serializer made per batch keeps its batch's records and data
        (``.data`` is cached on it) in reference cycles, which only the rare full collection frees, so that the
        process's memory grew with the export."""
        keys = self.filter_queryset(self.get_queryset()).values_list("pk", flat=True)
        serializer = self.get_serializer(many=True)
        columns = list(serializer.child.fields)

        def batches():
            batch = []
            for key in keys.iterator(chunk_size=EXPORT_BATCH):
                batch.append(key)
                if len(batch) == EXPORT_BATCH:
                    yield batch
                    batch = []
            if batch:
                yield batch

        def body():
            if renderer.format == "csv":
                yield write_csv(columns, [], header=True).encode()
            for batch in batches():
                data = serializer.to_representation(self.records(batch))
                yield (
                    write_csv(columns, data, header=False).encode() if renderer.format == "csv" else ndjson_lines(data)
                )

        response = StreamingHttpResponse(
            streamed_from_this_copy(body()),
            content_type=renderer.media_type + ("; charset=utf-8" if renderer.format == "csv" else ""),
        )
        response["Content-Disposition"] = f'attachment; filename="{self.resource.name}.{renderer.format}"'
        return response

    @extend_schema(
        summary="Public history of a record",
        description="The versions of the record that the public could see, oldest first, each with the fields "
        "that changed from the version before (related records by slug). Curators' names and notes are not part "
        "of it.",
        responses={
            (200, "application/json"): OpenApiResponse(
                serializers.PublicVersionSerializer(many=True), description="The record's public versions."
            ),
            (404, "application/json"): OpenApiResponse(
                serializers.ErrorSerializer, description="No published record has this slug."
            ),
        },
        filters=False,
    )
    @action(
        detail=True,
        methods=["get"],
        filter_backends=[],
        pagination_class=None,
        renderer_classes=api_settings.DEFAULT_RENDERER_CLASSES,
    )
    def history(self, request, slug=None):
        record = self.get_object()
        return Response(serializers.PublicVersionSerializer(public_versions(record), many=True).data)

    def get_object(self):
        """The published record with the route's slug, with its relations and (on its own route) its dossier, by
        the query prepared for it (``api.prepared``)."""
        slug = self.kwargs[self.lookup_field]
        model = self.queryset.model
        found = prepared_record(type(self), self.action).run(router.db_for_read(model), [slug])
        if not found:
            # In the API's words, not Django's ("No ModelRelease matches the given query.").
            raise NotFound(f"No published {model._meta.verbose_name} has the slug {slug!r}.")
        self.check_object_permissions(self.request, found[0])
        return found[0]

    def filter_queryset(self, queryset):
        # Only a list is filtered: a record's route takes no filter (any other parameter is a 400, api.conditional).
        return super().filter_queryset(queryset) if self.is_list() else queryset

    def records(self, keys: list) -> list:
        """The records with these keys, in this order, with their relations, citations and what ``?expand=``
        adds, by the query prepared for a page of this length (``api.prepared``)."""
        if not keys:
            return []
        expanded = tuple(self.expanded())
        model = self.queryset.model
        found = prepared_records(type(self), expanded).run(router.db_for_read(model), list(keys))
        by_key = {record.pk: record for record in found}
        return [by_key[key] for key in keys]

    def filtered_keys(self):
        """The keys of the records the list's parameters select, in the list's order: the ORM's queryset, or the
        same keys by SQL prepared for the question's shape (``PreparedPage``)."""
        filterset = getattr(self, "checked_filterset", None)
        shape = filterset.prepared_shape() if filterset is not None else None
        if shape is None:
            return self.filter_queryset(self.get_queryset()).values_list("pk", flat=True)
        return PreparedPage(self, *shape)

    def paginate_queryset(self, queryset):
        """The page in two steps: the records' keys, sorted and cut to the page (``filtered_keys``), then the
        records themselves with their relations and citations (``api.nesting``). Sorting the full rows instead
        would run the relation subqueries for every match, not only for the page's."""
        keys = super().paginate_queryset(queryset)
        if keys is None:
            return None
        self.page_records = self.records(keys)
        return self.page_records

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["withdrawn"] = self.withdrawn_since()
        response.data["status_unverified"] = self.status_unverified(self.page_records)
        response.data["facets"] = self.facet_counts()
        return response

    def facet_counts(self) -> dict:
        """``?facet=``: per named field, its values among the records the request's other parameters select."""
        names = self.filter_value("facet") or []
        if not names:
            return {}
        filterset = FilterBackend().get_filterset(self.request, self.get_queryset(), self)
        facets = filterset.filters["facet"].facets
        published = self.get_queryset().model.objects.published()

        def counted() -> dict:
            counts = {}
            for name in dict.fromkeys(names):
                own = (name, f"{name}{NEGATION_SUFFIX}", f"{name}__isnull")
                counts[name] = facets[name].counted(filterset.filter_queryset(published, skip=own))
            return counts

        # Counts of the records the question selects: kept per question and data state, as a list's count is.
        kind = f"facets|{published.db}|{published.model._meta.label}"
        return kept_per_question(kind, self.request, counted, ("limit", "offset"))

    # The serializer of the record's own route, with the records that refer to it (``api.nesting.DOSSIERS``).
    detail_serializer_class = None

    def get_serializer_class(self):
        if self.action == "retrieve" and self.detail_serializer_class is not None:
            return self.detail_serializer_class
        return super().get_serializer_class()

    def get_queryset(self):
        if self.action == "retrieve" and self.detail_serializer_class is not None:
            return dossier_queryset(type(self)).all()
        return super().get_queryset()

    def get_serializer(self, *args, **kwargs):
        """The resource's serializer: on a list, with the reverse relations that ``?expand=`` adds (as the
        record's own route shows them, and their counts), holding only the fields that ``?fields=`` selects
        (and the record's slug and url, and what ``expand`` adds)."""
        serializer = super().get_serializer(*args, **kwargs)
        record = getattr(serializer, "child", serializer)
        for name in self.expanded():
            record.fields[name] = copy.deepcopy(self.detail_serializer_class._declared_fields[name])
            record.fields[COUNT.format(name)] = IntegerField(read_only=True, help_text=count_help(name))
        selected = self.selected_fields()
        if selected:
            for name in [name for name in record.fields if name not in selected]:
                record.fields.pop(name)
        return serializer

    def selected_fields(self) -> frozenset[str] | None:
        """The fields ``?fields=`` names on a list, with the identity fields and those ``expand`` adds; None
        when it is not given."""
        if not self.is_list() or "fields" not in self.request.query_params:
            return None
        names = self.filter_value("fields")
        added = [field for name in self.expanded() for field in (name, COUNT.format(name))]
        return frozenset((*IDENTITY_FIELDS, *names, *added)) if names else None

    def expanded(self) -> list[str]:
        """The reverse relations that ``?expand=`` adds to the records of a list, in the order asked."""
        if not self.is_list() or self.detail_serializer_class is None or "expand" not in self.request.query_params:
            return []
        return list(dict.fromkeys(self.filter_value("expand") or ()))

    def filter_value(self, name: str):
        """The parsed value of one of this list's filters in this request, or None."""
        filterset = FilterBackend().get_filterset(self.request, self.get_queryset(), self)
        return filterset.form.cleaned_data.get(name) if filterset.is_valid() else None

    def status_unverified(self, records: list[models.Model]) -> list[str]:
        """With a valid-time filter (``in_force_on``, ``active_on``): the slugs of the page's records whose status
        was last checked before that date, or never. That they are in force (or active) on it is what their
        sources said up to ``status_checked_on``, not a verified answer for the date asked."""
        day = next(
            (value for name in VALID_TIME_FILTERS if (value := self.filter_value(name)) is not None),
            None,
        )
        if day is None:
            return []
        return [
            record.slug
            for record in records
            if getattr(record, "status_checked_on", None) is None or record.status_checked_on < day
        ]

    def withdrawn_since(self) -> list[dict]:
        """With ``updated_since``: the records of this resource withdrawn since then and not public again."""
        since = self.filter_value("updated_since")
        if since is None:
            return []
        model = self.get_queryset().model
        events = ChangeEvent.objects.filter(
            resource=self.resource.name, change=ChangeTypeChoices.WITHDRAWN, changed_at__gte=since
        ).exclude(slug__in=model.objects.published().values("slug"))
        latest = {event.slug: event for event in events.order_by("changed_at", "seq")}
        return [
            {
                "slug": event.slug,
                "url": serializers.event_record_url(event, self.request),
                "withdrawn_at": event.changed_at,
            }
            for event in sorted(latest.values(), key=lambda event: (event.changed_at, event.slug))
        ]

    def handle_exception(self, exc):
        # Errors (400, 404) keep their documented JSON shape, whatever format the records were asked in.
        response = super().handle_exception(exc)
        if isinstance(getattr(self.request, "accepted_renderer", None), CSVRenderer | NDJSONRenderer):
            self.request.accepted_renderer = JSONRenderer()
            self.request.accepted_media_type = JSONRenderer.media_type
        return response


@functools.cache
def dossier_queryset(viewset: type[RecordViewSet]) -> models.QuerySet:
    """The records of a resource with their dossier (``api.nesting.with_dossier``), as its own route reads them:
    composed once, not per request."""
    return with_dossier(viewset.queryset)


class PreparedPage:
    """The keys of a list's records for the paginator, by the SQL prepared for the question's shape
    (``api.prepared.PreparedKeys``); its count, when not kept, by the ORM's queryset, built only then."""

    def __init__(self, view: RecordViewSet, shape: tuple, values: list, build):
        self.view, self.shape, self.values, self.build = view, shape, values, build
        self.model = view.queryset.model
        self.db = router.db_for_read(self.model)

    def queryset(self):
        """The ORM's queryset of the same keys."""
        return self.view.filter_queryset(self.view.get_queryset()).values_list("pk", flat=True)

    def count(self) -> int:
        return self.queryset().count()

    def __getitem__(self, page: slice) -> list:
        base = self.view.get_queryset()

        def build(stand_ins):
            return self.build(base, stand_ins).values_list("pk", flat=True)

        key = (self.db, self.shape)
        compiled = prepared_keys(type(self.view)).get(key, build, len(self.values), self.db, (page.start, page.stop))
        if compiled is None:
            return list(self.queryset()[page])
        return compiled.run(self.values, page.start, page.stop)


@functools.cache
def prepared_keys(viewset: type[RecordViewSet]) -> PreparedKeys:
    """The keys queries of a resource's lists, prepared per shape of question."""
    return PreparedKeys()


@functools.cache
def prepared_record(viewset: type[RecordViewSet], action: str | None) -> PreparedQuery:
    """The query of one record by slug, as ``action`` shows it (its own route: with its dossier)."""
    if action == "retrieve" and viewset.detail_serializer_class is not None:
        base = dossier_queryset(viewset)
    else:
        base = viewset.queryset
    return PreparedQuery(lambda slug: base.filter(slug=slug))


@functools.cache
def prepared_records(viewset: type[RecordViewSet], expanded: tuple[str, ...]) -> PreparedQuery:
    """The query of a page's records by key, with the reverse relations ``expanded`` (capped, counted)."""
    base = viewset.queryset.order_by()
    if expanded:
        base = with_dossier(base, expanded, cap=EXPAND_LIMIT)
    return PreparedQuery(lambda *keys: base.filter(pk__in=keys))


class OrganizationViewSet(RecordViewSet):
    """Companies, labs, chipmakers, government agencies and other bodies that the registry's records refer
    to: developers of models, grantees and grantors of access, chip vendors, authorities issuing export
    controls and organizations targeted by them."""

    resource = resource_named("organizations")
    queryset = with_nested(Organization.objects.published())
    serializer_class = serializers.OrganizationSerializer
    detail_serializer_class = serializers.OrganizationDetailSerializer
    filterset_class = filtersets.OrganizationFilterSet


class SourceViewSet(RecordViewSet):
    """Documents that records cite: legal texts, official statements, company announcements, model cards,
    papers (primary sources), news reports and analyses (secondary sources)."""

    resource = resource_named("sources")
    queryset = Source.objects.published()
    serializer_class = serializers.SourceSerializer
    filterset_class = filtersets.SourceFilterSet


class ChipViewSet(RecordViewSet):
    """AI accelerators and other items that export controls cover, with the figures the rules turn on
    (TPP, memory bandwidth) and the China-market variants of each."""

    resource = resource_named("chips")
    queryset = with_nested(Chip.objects.published(), to_one=("vendor", "china_variant_of"))
    serializer_class = serializers.ChipSerializer
    detail_serializer_class = serializers.ChipDetailSerializer
    filterset_class = filtersets.ChipFilterSet


class ModelReleaseViewSet(RecordViewSet):
    """Releases and announcements of frontier AI models: developer, dates, size, architecture, how the
    weights can be obtained, and the chips they were trained on."""

    resource = resource_named("model-releases")
    queryset = with_nested(ModelRelease.objects.published(), to_one=("developer",), to_many=("training_chips",))
    serializer_class = serializers.ModelReleaseSerializer
    detail_serializer_class = serializers.ModelReleaseDetailSerializer
    filterset_class = filtersets.ModelReleaseFilterSet


class AccessGrantViewSet(RecordViewSet):
    """Who got (or was refused) access to a model, from whom, when, and how well established the claim is:
    early access, pre-deployment evaluation, hardware optimisation, weights, API or licence."""

    resource = resource_named("access-grants")
    queryset = with_nested(AccessGrant.objects.published(), to_one=("model", "grantee", "grantor"))
    serializer_class = serializers.AccessGrantSerializer
    filterset_class = filtersets.AccessGrantFilterSet


class ExportControlViewSet(RecordViewSet):
    """Export-control measures on AI chips, tools and materials: rules, Entity List additions, licence
    policies, export bans, suspensions. Use ``in_force_on`` for the measures in force on a given date."""

    resource = resource_named("export-controls")
    queryset = with_nested(
        ExportControl.objects.published(),
        to_one=("authority",),
        to_many=("supersedes", "amends", "suspends", "suspended_by", "covered_chips", "targeted_organizations"),
        codes=("target_countries",),
        extra={"suspended_by": ("effective_on", "ends_on")},
    )
    serializer_class = serializers.ExportControlSerializer
    filterset_class = filtersets.ExportControlFilterSet


# The viewset of each resource, by name.
VIEWSETS: dict[str, type[RecordViewSet]] = {
    viewset.resource.name: viewset
    for viewset in (
        OrganizationViewSet,
        SourceViewSet,
        ChipViewSet,
        ModelReleaseViewSet,
        AccessGrantViewSet,
        ExportControlViewSet,
    )
}


def resource_urls(request=None) -> dict[str, str]:
    """The URL of each resource's list, by name, in the table's order."""
    return {resource.name: reverse(f"api:{resource.basename}-list", request=request) for resource in RESOURCES}


class RootView(PublicReadMixin, APIView):
    """The API root: what the dataset is, its licence, and every resource with its number of published
    records."""

    @extend_schema(
        operation_id="root_retrieve",
        summary="Dataset, licence and resources",
        tags=["root"],
        responses=OpenApiResponse(serializers.RootSerializer, description="The dataset and its resources."),
    )
    def get(self, request):
        counts = published_counts()
        root = {
            "name": DATASET_NAME,
            "description": DATASET_DESCRIPTION,
            "license": DATA_LICENSE,
            "license_url": DATA_LICENSE_URL,
            "documentation": {
                "swagger_ui": reverse("swagger-ui", request=request),
                "redoc": reverse("redoc", request=request),
                "schema": reverse("schema", request=request),
            },
            "resources": {name: {"url": url, "count": counts[name]} for name, url in resource_urls(request).items()},
        }
        return Response(serializers.RootSerializer(root).data)


class ChangeFeedView(PublicReadMixin, generics.ListAPIView):
    """The public change feed: every record published, updated or withdrawn, across all resources, in the
    order the changes were made public. Each change has a strictly increasing ``seq``; a mirror stores the
    last ``seq`` it has seen and asks for ``?after=<seq>`` next time, and can never miss a change."""

    queryset = ChangeEvent.objects.all()
    serializer_class = serializers.ChangeEventSerializer
    filterset_class = filtersets.ChangeFilterSet
    pagination_class = FeedPagination

    @extend_schema(
        operation_id="changes_list",
        summary="The change feed",
        tags=["changes"],
        responses={
            200: OpenApiResponse(
                serializers.ChangeEventSerializer(many=True),
                description="The changes after `after`, oldest first, and where the next page starts.",
            ),
            400: BAD_PARAMETERS,
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class SearchView(PublicReadMixin, generics.ListAPIView):
    """Search across every resource: the published records of each whose searched fields contain the text,
    best matches first (on PostgreSQL by trigram similarity, on SQLite by FTS5's bm25), then by resource and
    slug."""

    queryset = Organization.objects.none()  # the filters only check the parameters; get() reads them
    filter_backends = [FilterBackend]
    filterset_class = filtersets.SearchFilterSet
    pagination_class = SearchPagination
    serializer_class = serializers.SearchResultSerializer

    @extend_schema(
        operation_id="search_list",
        summary="Search every resource",
        tags=["search"],
        responses={
            200: OpenApiResponse(serializers.SearchResultSerializer(many=True), description="The records found."),
            400: BAD_PARAMETERS,
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        filterset = FilterBackend().get_filterset(request, self.get_queryset(), self)
        cleaned = filterset.form.cleaned_data
        text = cleaned["q"].strip()
        wanted = set(cleaned.get("resource") or (resource.name for resource in RESOURCES))
        wanted -= set(cleaned.get("resource__not") or ())
        parts = [self.matches(resource, text) for resource in RESOURCES if resource.name in wanted]
        found = parts[0].union(*parts[1:], all=True).order_by("-rank", "resource", "slug") if parts else []
        page = self.paginate_queryset(found)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @staticmethod
    def matches(resource, text: str):
        """The published records of ``resource`` matching ``text``: resource, slug, label and rank."""
        model = resource.model
        label = label_field(model)
        if not any(field.name == label for field in model._meta.fields):
            label = "slug"  # an access grant has no name
        return (
            search.matching(model.objects.published(), text)
            .order_by()
            .annotate(
                resource=Value(resource.name, output_field=CharField()),
                label=F(label),
                rank=search.rank(model, text),
            )
            .values("resource", "slug", "label", "rank")
        )


class DatasetView(PublicReadMixin, APIView):
    """The dataset as a whole: the current release's version and files, the licence, how to cite it, when
    the published data last changed, and how many published records each resource holds."""

    @extend_schema(
        operation_id="dataset_retrieve",
        summary="Release, licence, citation and downloads",
        tags=["dataset"],
        responses=OpenApiResponse(serializers.DatasetSerializer, description="The dataset and its current release."),
    )
    def get(self, request):
        release = releases.read_release(settings.RELEASE_DIR)
        package, files = (release.package, release.files) if release else ({}, [])
        changed = last_change()
        dataset = {
            "name": DATASET_NAME,
            "version": package.get("version"),
            "release_is_current": bool(package) and releases.is_current(package),
            "license": DATA_LICENSE,
            "license_url": DATA_LICENSE_URL,
            "how_to_cite": citation_text(package.get("version")),
            "last_change": changed,
            "coverage_starts_on": COVERAGE_STARTS_ON,
            "coverage_horizon": COVERAGE_HORIZON,
            "counts": published_counts(),
            "downloads": [
                {
                    "name": file.name,
                    "url": reverse("api:dataset-file", kwargs={"name": file.name}, request=request),
                    "sha256": file.sha256,
                    "size": file.size,
                }
                for file in files
            ],
        }
        return Response(serializers.DatasetSerializer(dataset).data)


@extend_schema(exclude=True)
@api_view(["GET"])
def dataset_file(request, name: str):
    """One file of the current release: any file its SHA256SUMS lists (``records/`` included), and SHA256SUMS
    itself, read from the release as it was when the request came (a new release switched in meanwhile does
    not mix into it)."""
    release = releases.read_release(settings.RELEASE_DIR)
    if release is None or name not in {file.name for file in release.files}:
        raise NotFound(f"The current release has no file {name!r}: /api/v1/dataset/ lists its files.")
    return FileResponse(
        open(release.directory / name, "rb"),
        as_attachment=True,
        filename=name.rpartition("/")[2],
        content_type=media_type(name),
    )


def not_found(request, exception):
    """404 for a URL that no route matches: JSON under /api/ (the documented error shape), Django's page
    elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)
