"""Response shapes of the public API: one named serializer per shape.

Every record has the same outline: ``slug``, ``url``, its own fields, its relations (brief nested records),
``citations``, ``confidence``, then ``created_at`` / ``updated_at``. ``review_status`` and ``curator_notes``
never appear. Related records that are not published render as null (to-one) or are left out (to-many);
the viewsets' querysets read only published ones (api.nesting), so the serializers here only
shape what they are given.
"""

from api.serializers.answers import (
    ChangeEventSerializer,
    DatasetSerializer,
    DocumentationSerializer,
    DownloadSerializer,
    ErrorSerializer,
    FieldChangeSerializer,
    PublicVersionSerializer,
    ResourcesSerializer,
    ResourceSummarySerializer,
    RootSerializer,
    SearchResultSerializer,
    event_record_url,
)
from api.serializers.base import BigIntegerField, CitationSerializer, RecordSerializer
from api.serializers.records import (
    AccessGrantSerializer,
    BriefChipSerializer,
    BriefExportControlSerializer,
    BriefModelReleaseSerializer,
    BriefOrganizationSerializer,
    ChipDetailSerializer,
    ChipSerializer,
    ExportControlSerializer,
    ModelReleaseDetailSerializer,
    ModelReleaseSerializer,
    OrganizationDetailSerializer,
    OrganizationSerializer,
    SourceSerializer,
)

__all__ = [
    "AccessGrantSerializer",
    "BigIntegerField",
    "BriefChipSerializer",
    "BriefExportControlSerializer",
    "BriefModelReleaseSerializer",
    "BriefOrganizationSerializer",
    "ChangeEventSerializer",
    "ChipDetailSerializer",
    "ChipSerializer",
    "CitationSerializer",
    "DatasetSerializer",
    "DocumentationSerializer",
    "DownloadSerializer",
    "ErrorSerializer",
    "ExportControlSerializer",
    "FieldChangeSerializer",
    "ModelReleaseDetailSerializer",
    "ModelReleaseSerializer",
    "OrganizationDetailSerializer",
    "OrganizationSerializer",
    "PublicVersionSerializer",
    "RecordSerializer",
    "ResourceSummarySerializer",
    "ResourcesSerializer",
    "RootSerializer",
    "SearchResultSerializer",
    "SourceSerializer",
    "event_record_url",
]
