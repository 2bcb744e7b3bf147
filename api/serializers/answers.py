"""The shapes of the API's other answers: the root, the dataset, errors, public versions and the change feed."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers.base import record_path
from datasets.choices import ResourceChoices
from datasets.models import ChangeEvent
from datasets.resources import RESOURCES, resource_named

# The API root and errors.


class ResourceSummarySerializer(serializers.Serializer):
    """Where a resource lives and how many published records it has."""

    url = serializers.URLField(read_only=True, help_text="Absolute URL of the resource's list.")
    count = serializers.IntegerField(read_only=True, help_text="Number of published records.")


class ResourcesSerializer(serializers.Serializer):
    """The registry's resources, by the names in their URLs: the same names as the change feed's `resource`
    and the release's file names."""

    # One field per resource of the table (datasets.resources), in its order.

    def get_fields(self):
        return {
            resource.name: ResourceSummarySerializer(read_only=True, help_text=resource.description)
            for resource in RESOURCES
        }


class DocumentationSerializer(serializers.Serializer):
    """Where the API is documented."""

    swagger_ui = serializers.URLField(read_only=True, help_text="Interactive documentation (Swagger UI).")
    redoc = serializers.URLField(read_only=True, help_text="Reference documentation (ReDoc).")
    schema = serializers.URLField(read_only=True, help_text="The OpenAPI 3 schema (YAML; add ?format=json for JSON).")


class RootSerializer(serializers.Serializer):
    """What the dataset is, under which licence, and where its resources and documentation live."""

    name = serializers.CharField(read_only=True, help_text="Name of the dataset.")
    description = serializers.CharField(read_only=True, help_text="What the dataset records.")
    license = serializers.CharField(read_only=True, help_text="Licence of the data.")
    license_url = serializers.URLField(read_only=True, help_text="Text of the data's licence.")
    documentation = DocumentationSerializer(read_only=True, help_text="Where the API is documented.")
    resources = ResourcesSerializer(read_only=True, help_text="Every resource, with its published record count.")


class ErrorSerializer(serializers.Serializer):
    """An error that concerns the request as a whole (e.g. no published record has this slug)."""

    detail = serializers.CharField(read_only=True, help_text="What went wrong.")


class DownloadSerializer(serializers.Serializer):
    """A file of the current release."""

    name = serializers.CharField(read_only=True, help_text='File name, e.g. "model-releases.csv".')
    url = serializers.URLField(read_only=True, help_text="Where to download it.")
    sha256 = serializers.CharField(read_only=True, help_text="SHA-256 checksum of the file, in hex.")
    size = serializers.IntegerField(read_only=True, help_text="Size in bytes.")


class DatasetSerializer(serializers.Serializer):
    """The dataset as a whole: its release, licence, how to cite it, when it last changed, and its files."""

    name = serializers.CharField(read_only=True, help_text="Name of the dataset.")
    version = serializers.CharField(
        read_only=True, allow_null=True, help_text="Version of the current release; null before the first one."
    )
    release_is_current = serializers.BooleanField(
        read_only=True,
        help_text="Whether the release holds the latest published data (false when records changed since).",
    )
    license = serializers.CharField(read_only=True, help_text="Licence of the data.")
    license_url = serializers.URLField(read_only=True, help_text="Text of the data's licence.")
    how_to_cite = serializers.CharField(read_only=True, help_text="How to cite the dataset.")
    last_change = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When a published record last changed."
    )
    coverage_starts_on = serializers.DateField(
        read_only=True, help_text="Where the window of facts the curators sweep starts (2025-01-01)."
    )
    coverage_horizon = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="The latest date up to which the window was swept against sources; no record's status is "
        "checked past it. Null until a sweep of the whole window is complete.",
    )
    counts = serializers.DictField(
        child=serializers.IntegerField(), read_only=True, help_text="Number of published records per resource."
    )
    downloads = DownloadSerializer(many=True, read_only=True, help_text="The release's files, with checksums.")


class FieldChangeSerializer(serializers.Serializer):
    """One field's change between two public versions of a record."""

    field = serializers.CharField(read_only=True, help_text="The field's name, as in the record.")
    old = serializers.JSONField(
        read_only=True, allow_null=True, help_text="The value before (related records by slug)."
    )
    new = serializers.JSONField(read_only=True, allow_null=True, help_text="The value after.")


class PublicVersionSerializer(serializers.Serializer):
    """A version of a record that the public could see, and what changed from the version before."""

    number = serializers.IntegerField(read_only=True, help_text="1 for the first public version, then 2, 3...")
    published_at = serializers.DateTimeField(read_only=True, help_text="When this version became public.")
    changes = FieldChangeSerializer(
        many=True, read_only=True, help_text="The fields that changed from the previous version (none for the first)."
    )


def event_record_url(event: ChangeEvent, request=None) -> str:
    """The URL of the record a change event is about (absolute with a request, a path without), under the
    script prefix the API is mounted at."""
    path = record_path(resource_named(event.resource), event.slug)
    return request.build_absolute_uri(path) if request is not None else path


class ChangeEventSerializer(serializers.ModelSerializer):
    """A change to the public registry: a record published, updated or withdrawn."""

    url = serializers.SerializerMethodField(help_text="The record's URL (answers 404 once it is withdrawn).")

    class Meta:
        model = ChangeEvent
        fields = ("seq", "resource", "slug", "change", "changed_at", "url")
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, event) -> str:
        return event_record_url(event, self.context.get("request"))


# Search across resources.


class SearchResultSerializer(serializers.Serializer):
    """A published record that matches a search, of any resource: which, its slug, name and URL."""

    resource = serializers.ChoiceField(
        choices=ResourceChoices.choices, read_only=True, help_text="The resource the record belongs to."
    )
    slug = serializers.CharField(read_only=True, help_text="The record's slug.")
    name = serializers.CharField(
        source="label", read_only=True, help_text="Its name (a title for sources and export controls; a grant's slug)."
    )
    url = serializers.SerializerMethodField(help_text="Absolute URL of the record in the API.")

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, found: dict) -> str:
        path = record_path(resource_named(found["resource"]), found["slug"])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path
