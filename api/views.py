"""Views of the public API, and the HTML landing page at ``/``.

The viewsets are declarative: a queryset of published records with its joins, a serializer and a
FilterSet. Related records are prefetched through querysets of *published* records, so a draft never
shows up nested in a public one, and a list runs the same number of queries whatever its length.
"""

from django.db.models import Prefetch
from django.shortcuts import render
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from api import filtersets, serializers
from datasets.models import AccessGrant, Chip, ExportControl, ModelRelease, Organization, Source

DATASET_NAME = "AI Access Registry"
DATASET_DESCRIPTION = (
    "Vetted, sourced records of frontier AI model releases, who was granted (or refused) access to them, "
    "the export controls on AI chips, and the organizations, chips and sources these refer to."
)
DATA_LICENSE = "CC BY 4.0"
DATA_LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"

# (name in the root, router basename, model): the API's resources, in the order the root lists them.
RESOURCES = (
    ("organizations", "organization", Organization),
    ("sources", "source", Source),
    ("chips", "chip", Chip),
    ("model_releases", "model-release", ModelRelease),
    ("access_grants", "access-grant", AccessGrant),
    ("export_controls", "export-control", ExportControl),
)


def published(lookup: str, model) -> Prefetch:
    """Prefetch a relation keeping only published records: a to-one relation to an unpublished record
    reads as None, unpublished members of a to-many relation are left out."""
    return Prefetch(lookup, queryset=model.objects.published())


def published_citations(model) -> Prefetch:
    """Prefetch a record's citations whose source is published, with their source, in source order."""
    citation_model = model.citations.rel.related_model
    return Prefetch(
        "citations",
        queryset=citation_model.objects.filter(source__in=Source.objects.published())
        .select_related("source")
        .order_by("source__slug", "locator"),
    )


def published_counts() -> dict[str, int]:
    """Number of published records per resource."""
    return {name: model.objects.published().count() for name, _, model in RESOURCES}


class RecordViewSet(viewsets.ReadOnlyModelViewSet):
    """Base of the resource viewsets: anonymous, read-only, records looked up by slug."""

    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"


class OrganizationViewSet(RecordViewSet):
    """Companies, labs, chipmakers, government agencies and other bodies that the registry's records refer
    to: developers of models, grantees and grantors of access, chip vendors, authorities issuing export
    controls and organizations targeted by them."""

    queryset = Organization.objects.published().prefetch_related(published_citations(Organization))
    serializer_class = serializers.OrganizationSerializer
    filterset_class = filtersets.OrganizationFilterSet


class SourceViewSet(RecordViewSet):
    """Documents that records cite: legal texts, official statements, company announcements, model cards,
    papers (primary sources), news reports and analyses (secondary sources)."""

    queryset = Source.objects.published()
    serializer_class = serializers.SourceSerializer
    filterset_class = filtersets.SourceFilterSet


class ChipViewSet(RecordViewSet):
    """AI accelerators and other items that export controls cover, with the figures the rules turn on
    (TPP, memory bandwidth) and the China-market variants of each."""

    queryset = Chip.objects.published().prefetch_related(
        published("vendor", Organization),
        published("china_variant_of", Chip),
        published_citations(Chip),
    )
    serializer_class = serializers.ChipSerializer
    filterset_class = filtersets.ChipFilterSet


class ModelReleaseViewSet(RecordViewSet):
    """Releases and announcements of frontier AI models: developer, dates, size, architecture, how the
    weights can be obtained, and the chips they were trained on."""

    queryset = ModelRelease.objects.published().prefetch_related(
        published("developer", Organization),
        published("training_chips", Chip),
        published_citations(ModelRelease),
    )
    serializer_class = serializers.ModelReleaseSerializer
    filterset_class = filtersets.ModelReleaseFilterSet


class AccessGrantViewSet(RecordViewSet):
    """Who got (or was refused) access to a model, from whom, when, and how well established the claim is:
    early access, pre-deployment evaluation, hardware optimisation, weights, API or licence."""

    queryset = AccessGrant.objects.published().prefetch_related(
        published("model", ModelRelease),
        published("grantee", Organization),
        published("grantor", Organization),
        published_citations(AccessGrant),
    )
    serializer_class = serializers.AccessGrantSerializer
    filterset_class = filtersets.AccessGrantFilterSet


class ExportControlViewSet(RecordViewSet):
    """Export-control measures on AI chips, tools and materials: rules, Entity List additions, licence
    policies, export bans, suspensions. Use ``in_force_on`` for the measures in force on a given date."""

    queryset = ExportControl.objects.published().prefetch_related(
        published("authority", Organization),
        "target_countries",
        published("supersedes", ExportControl),
        published("amends", ExportControl),
        published("suspends", ExportControl),
        published("covered_chips", Chip),
        published("targeted_organizations", Organization),
        published_citations(ExportControl),
    )
    serializer_class = serializers.ExportControlSerializer
    filterset_class = filtersets.ExportControlFilterSet


class RootView(APIView):
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
            "resources": {
                name: {"url": reverse(f"api:{basename}-list", request=request), "count": counts[name]}
                for name, basename, _ in RESOURCES
            },
        }
        return Response(serializers.RootSerializer(root).data)


def landing(request):
    """The HTML landing page: what the registry is, how many records it holds, where to go next."""
    counts = published_counts()
    resources = [
        {"name": name.replace("_", " "), "url": reverse(f"api:{basename}-list"), "count": counts[name]}
        for name, basename, _ in RESOURCES
    ]
    return render(
        request,
        "landing.html",
        {
            "dataset_name": DATASET_NAME,
            "dataset_description": DATASET_DESCRIPTION,
            "license": DATA_LICENSE,
            "license_url": DATA_LICENSE_URL,
            "resources": resources,
        },
    )
