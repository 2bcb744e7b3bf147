"""Response shapes of the public API: one named serializer per shape.

Every record has the same outline: ``slug``, ``url``, its own fields, its relations (brief nested records),
``citations``, ``confidence``, then ``created_at`` / ``updated_at``. ``review_status`` and ``curator_notes``
never appear. Related records that are not published render as null (to-one) or are left out (to-many);
the viewsets' querysets read only published ones (api.nesting), so the serializers here only
shape what they are given.
"""

import functools

from django.db import models
from django.urls import get_script_prefix
from django.urls import reverse as django_reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.nesting import CITATIONS, NESTED
from datasets.choices import CountryChoices
from datasets.models import AccessGrant, ChangeEvent, Chip, ExportControl, ModelRelease, Organization, Source

__all__ = [
    "AccessGrantSerializer",
    "BigIntegerField",
    "BriefChipSerializer",
    "BriefExportControlSerializer",
    "BriefModelReleaseSerializer",
    "BriefOrganizationSerializer",
    "ChangeEventSerializer",
    "ChipSerializer",
    "CitationSerializer",
    "DatasetSerializer",
    "DocumentationSerializer",
    "DownloadSerializer",
    "ErrorSerializer",
    "ExportControlSerializer",
    "FieldChangeSerializer",
    "ModelReleaseSerializer",
    "OrganizationSerializer",
    "PublicVersionSerializer",
    "RecordSerializer",
    "ResourceSummarySerializer",
    "ResourcesSerializer",
    "RootSerializer",
    "SourceSerializer",
    "event_record_url",
]

TIMESTAMPS = ("created_at", "updated_at")


@extend_schema_field(OpenApiTypes.INT64)
class BigIntegerField(serializers.IntegerField):
    """A 64-bit integer (parameter counts reach 10^12): documented as int64 so that clients use a long."""


class RecordSerializer(serializers.ModelSerializer):
    """Base of the model serializers: every field is read-only, as the API is.

    Read-only fields also drop the write-side bounds DRF copies from the model (max_length, min/max
    values), which describe what a write may send, and which for integer columns depend on the database
    backend (64-bit on SQLite, 32-bit on PostgreSQL): the schema is then the same whatever the database.
    """

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.BigIntegerField: BigIntegerField,
    }

    def get_extra_kwargs(self):
        extra_kwargs = super().get_extra_kwargs()
        for name in self.Meta.fields:
            extra_kwargs.setdefault(name, {})["read_only"] = True
        return extra_kwargs

    def include_extra_kwargs(self, kwargs, extra_kwargs):
        allow_blank = kwargs.get("allow_blank", False)
        kwargs = super().include_extra_kwargs(kwargs, extra_kwargs)
        # DRF drops allow_blank from read-only fields, but "" is a value responses hold (an organization
        # with no country, a measure with no end reason): keep it, so that the schema allows it.
        if allow_blank:
            kwargs["allow_blank"] = True
        return kwargs


class RecordURLField(serializers.HyperlinkedIdentityField):
    """A record's canonical URL: absolute when there is a request, a path when there is none (release
    files), and never carrying the request's ``?format=`` along (DRF's default), so that a record's URL is
    the same in JSON, CSV and the browsable API."""

    def get_url(self, obj, view_name, request, format):
        # A record, or a related record in brief read as a dict (api.nesting).
        slug = obj[self.lookup_field] if isinstance(obj, dict) else getattr(obj, self.lookup_field)
        head, tail = path_around_slug(view_name, self.lookup_url_kwarg, get_script_prefix())
        path = f"{head}{slug}{tail}"
        return request.build_absolute_uri(path) if request is not None else path


# Stands for the slug in a reversed URL. Slugs match the route's [-a-zA-Z0-9_]+, which needs no quoting in a
# path, so a record's path is the route's path around its slug: one reverse() per route, not one per record
# (a page of 50 records nests a hundred URLs or more).
SLUG_MARK = "0slug0"


@functools.cache
def path_around_slug(view_name: str, kwarg: str, script_prefix: str) -> tuple[str, str]:
    """The path of route ``view_name`` before and after its slug (``script_prefix`` keys the cache: reverse()
    puts it in front)."""
    head, _, tail = django_reverse(view_name, kwargs={kwarg: SLUG_MARK}).partition(SLUG_MARK)
    return head, tail


def record_url(basename: str) -> RecordURLField:
    """The absolute API URL of a record, by slug."""
    return RecordURLField(
        view_name=f"api:{basename}-detail",
        lookup_field="slug",
        help_text="Absolute URL of this record in the API.",
    )


class SortedListSerializer(serializers.ListSerializer):
    """Nested records read as a JSON array (``api.nesting``), which has no order of its own: sorted by
    ``sort_keys`` of the child serializer's Meta (the slug by default), as the related model orders them."""

    def to_representation(self, data):
        keys = getattr(getattr(self.child, "Meta", None), "sort_keys", ("slug",))
        return super().to_representation(sorted(data, key=lambda item: tuple(item[key] for key in keys)))


class CitationSerializer(serializers.Serializer):
    """A published source cited in support of a record, with where in it and what it says."""

    source = serializers.CharField(read_only=True, help_text="Slug of the cited source.")
    title = serializers.CharField(read_only=True, help_text="Title of the source document.")
    publisher = serializers.CharField(read_only=True, help_text="Who published the source document.")
    url = serializers.URLField(read_only=True, help_text="Where the source can be read.")
    published_on = serializers.DateField(
        read_only=True, allow_null=True, help_text="Publication date of the source, if known."
    )
    locator = serializers.CharField(
        read_only=True, help_text='Where in the source: page, section or paragraph (e.g. "p. 4"); may be empty.'
    )
    quote = serializers.CharField(
        read_only=True, help_text="A short quotation from the source that supports the record; may be empty."
    )

    class Meta:
        list_serializer_class = SortedListSerializer
        sort_keys = ("source", "locator")


class SortedListField(serializers.ListField):
    """Values read as a JSON array (``api.nesting``), sorted."""

    def to_representation(self, data):
        return super().to_representation(sorted(data))


def citations_field() -> CitationSerializer:
    return CitationSerializer(
        many=True, read_only=True, source=CITATIONS, help_text="The published sources that support this record."
    )


def nested(serializer_class, relation: str, **kwargs):
    """A relation read by ``api.nesting.with_nested``: a brief record (or None), or a sorted list of them."""
    return serializer_class(source=NESTED.format(relation), read_only=True, **kwargs)


# Brief forms, for related records nested in another record.


class BriefOrganizationSerializer(RecordSerializer):
    """An organization, in brief."""

    url = record_url("organization")

    class Meta:
        model = Organization
        fields = ("slug", "name", "url")
        list_serializer_class = SortedListSerializer


class BriefChipSerializer(RecordSerializer):
    """A chip, in brief."""

    url = record_url("chip")

    class Meta:
        model = Chip
        fields = ("slug", "name", "url")
        list_serializer_class = SortedListSerializer


class BriefModelReleaseSerializer(RecordSerializer):
    """A model release, in brief."""

    url = record_url("model-release")

    class Meta:
        model = ModelRelease
        fields = ("slug", "name", "url")
        list_serializer_class = SortedListSerializer


class BriefExportControlSerializer(RecordSerializer):
    """An export control, in brief."""

    url = record_url("export-control")

    class Meta:
        model = ExportControl
        fields = ("slug", "title", "url")
        list_serializer_class = SortedListSerializer


# Full records.


class OrganizationSerializer(RecordSerializer):
    """A company, lab, chipmaker, government agency or other body that the registry's records refer to."""

    url = record_url("organization")
    aliases = serializers.ListField(
        source="alias_list",
        child=serializers.CharField(),
        read_only=True,
        help_text="Other names the organization is known by (short names, former names).",
    )
    citations = citations_field()

    class Meta:
        model = Organization
        fields = (
            "slug",
            "url",
            "name",
            "country",
            "kind",
            "website",
            "aliases",
            "description",
            "citations",
            "confidence",
            *TIMESTAMPS,
        )


class SourceSerializer(RecordSerializer):
    """A document that supports records: a legal text, an announcement, a model card, a news report..."""

    url = record_url("source")
    document_url = serializers.URLField(source="url", read_only=True, help_text="Where the document can be read.")

    class Meta:
        model = Source
        fields = (
            "slug",
            "url",
            "title",
            "publisher",
            "document_url",
            "archived_url",
            "published_on",
            "kind",
            "url_checked",
            "notes",
            *TIMESTAMPS,
        )


class ChipSerializer(RecordSerializer):
    """An AI accelerator or other item that export controls cover, with the figures the rules turn on."""

    url = record_url("chip")
    vendor = nested(
        BriefOrganizationSerializer, "vendor", allow_null=True, help_text="The company that designs and sells the chip."
    )
    china_variant_of = nested(
        BriefChipSerializer,
        "china_variant_of",
        allow_null=True,
        help_text="The chip this one is a China-market variant of (e.g. the H800 of the H100), if any.",
    )
    citations = citations_field()

    class Meta:
        model = Chip
        fields = (
            "slug",
            "url",
            "name",
            "kind",
            "announced_on",
            "date_precision",
            "memory_gb",
            "memory_type",
            "memory_bandwidth_tbps",
            "dense_bf16_tflops",
            "dense_fp8_tflops",
            "interconnect_bandwidth_gbps",
            "tpp",
            "tpp_basis",
            "notes",
            "vendor",
            "china_variant_of",
            "citations",
            "confidence",
            *TIMESTAMPS,
        )


class ModelReleaseSerializer(RecordSerializer):
    """A release (or announcement) of a frontier AI model: who made it, when, how big, how available."""

    url = record_url("model-release")
    developer = nested(
        BriefOrganizationSerializer,
        "developer",
        allow_null=True,
        help_text="The organization that developed and released the model.",
    )
    training_chips = nested(
        BriefChipSerializer,
        "training_chips",
        many=True,
        help_text="Chips the model was trained on, where the developer or a reliable source states it.",
    )
    citations = citations_field()

    class Meta:
        model = ModelRelease
        fields = (
            "slug",
            "url",
            "name",
            "family",
            "announced_on",
            "released_on",
            "date_precision",
            "parameters_total",
            "parameters_active",
            "parameters_note",
            "architecture",
            "architecture_note",
            "context_length",
            "weights",
            "license",
            "training_compute_note",
            "training_data_note",
            "huggingface_repo",
            "arxiv_id",
            "notes",
            "developer",
            "training_chips",
            "citations",
            "confidence",
            *TIMESTAMPS,
        )


class AccessGrantSerializer(RecordSerializer):
    """Who got (or was refused) access to a model, from whom, when, and how we know."""

    url = record_url("access-grant")
    model = nested(
        BriefModelReleaseSerializer,
        "model",
        allow_null=True,
        help_text="The model release the access concerns; null when the claim names no single release "
        "(see model_description).",
    )
    grantee = nested(
        BriefOrganizationSerializer,
        "grantee",
        allow_null=True,
        help_text="The organization that got (or was refused) access; null for an unnamed group "
        "(see grantee_description).",
    )
    grantor = nested(
        BriefOrganizationSerializer,
        "grantor",
        allow_null=True,
        help_text="The organization that gave (or refused) access, if known.",
    )
    citations = citations_field()

    class Meta:
        model = AccessGrant
        fields = (
            "slug",
            "url",
            "model_description",
            "grantee_description",
            "access_type",
            "outcome",
            "starts_on",
            "ends_on",
            "date_precision",
            "dates_note",
            "reported_on",
            "claim_status",
            "claim_note",
            "purpose",
            "notes",
            "model",
            "grantee",
            "grantor",
            "citations",
            "confidence",
            *TIMESTAMPS,
        )


class ExportControlSerializer(RecordSerializer):
    """One legal or policy measure: a rule, an Entity List addition, a licence policy, a suspension...

    A measure is in force from ``effective_on`` until ``ends_on`` (exclusive), unless a published
    suspension measure that lists it in ``suspends`` is in force.
    """

    url = record_url("export-control")
    target_countries = SortedListField(
        source=NESTED.format("target_countries"),
        child=serializers.ChoiceField(choices=CountryChoices.choices),
        read_only=True,
        help_text='ISO 3166-1 alpha-2 codes (or "EU") of the destinations the measure targets.',
    )
    authority = nested(
        BriefOrganizationSerializer,
        "authority",
        allow_null=True,
        help_text="The body that issued the measure (e.g. BIS, MOFCOM), if known.",
    )
    supersedes = nested(
        BriefExportControlSerializer, "supersedes", many=True, help_text="Earlier measures this one replaces."
    )
    amends = nested(BriefExportControlSerializer, "amends", many=True, help_text="Earlier measures this one amends.")
    suspends = nested(
        BriefExportControlSerializer,
        "suspends",
        many=True,
        help_text="Measures this suspension takes out of force while it is itself in force.",
    )
    covered_chips = nested(
        BriefChipSerializer, "covered_chips", many=True, help_text="Chips the measure names or clearly covers."
    )
    targeted_organizations = nested(
        BriefOrganizationSerializer,
        "targeted_organizations",
        many=True,
        help_text="Organizations the measure names, e.g. Entity List additions.",
    )
    citations = citations_field()

    class Meta:
        model = ExportControl
        fields = (
            "slug",
            "url",
            "title",
            "jurisdiction",
            "instrument",
            "instrument_note",
            "reference",
            "reference_details",
            "announced_on",
            "published_on",
            "effective_on",
            "ends_on",
            "end_reason",
            "dates_note",
            "summary",
            "covered_items",
            "targets_description",
            "status_note",
            "notes",
            "target_countries",
            "authority",
            "supersedes",
            "amends",
            "suspends",
            "covered_chips",
            "targeted_organizations",
            "citations",
            "confidence",
            *TIMESTAMPS,
        )


# The API root and errors.


class ResourceSummarySerializer(serializers.Serializer):
    """Where a resource lives and how many published records it has."""

    url = serializers.URLField(read_only=True, help_text="Absolute URL of the resource's list.")
    count = serializers.IntegerField(read_only=True, help_text="Number of published records.")


class ResourcesSerializer(serializers.Serializer):
    """The registry's resources."""

    organizations = ResourceSummarySerializer(read_only=True, help_text="Organizations.")
    sources = ResourceSummarySerializer(read_only=True, help_text="Sources that records cite.")
    chips = ResourceSummarySerializer(read_only=True, help_text="AI chips.")
    model_releases = ResourceSummarySerializer(read_only=True, help_text="Frontier AI model releases.")
    access_grants = ResourceSummarySerializer(read_only=True, help_text="Access grants and refusals.")
    export_controls = ResourceSummarySerializer(read_only=True, help_text="Export-control measures.")


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
    path = f"{get_script_prefix()}api/v1/{event.resource}/{event.slug}/"
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
