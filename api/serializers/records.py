"""The records' shapes: a brief form for each kind of record nested in another, and the full records."""

from rest_framework import serializers

from api.nesting import NESTED
from api.serializers.base import (
    TIMESTAMPS,
    RecordSerializer,
    SortedListField,
    SortedListSerializer,
    citations_field,
    nested,
    record_url,
)
from datasets.choices import CountryChoices, EndReasonChoices, InstrumentChoices
from datasets.models import AccessGrant, Chip, ExportControl, ModelRelease, Organization, Source

# Brief forms, for related records nested in another record.


class BriefOrganizationSerializer(RecordSerializer):
    """An organization, in brief."""

    url = record_url(Organization)

    class Meta:
        model = Organization
        fields = ("slug", "name", "url")
        list_serializer_class = SortedListSerializer


class BriefChipSerializer(RecordSerializer):
    """A chip, in brief."""

    url = record_url(Chip)

    class Meta:
        model = Chip
        fields = ("slug", "name", "url")
        list_serializer_class = SortedListSerializer


class BriefModelReleaseSerializer(RecordSerializer):
    """A model release, in brief."""

    url = record_url(ModelRelease)

    class Meta:
        model = ModelRelease
        fields = ("slug", "name", "url")
        list_serializer_class = SortedListSerializer


class BriefExportControlSerializer(RecordSerializer):
    """An export control, in brief."""

    url = record_url(ExportControl)

    class Meta:
        model = ExportControl
        fields = ("slug", "title", "url")
        list_serializer_class = SortedListSerializer


class BriefSuspensionSerializer(BriefExportControlSerializer):
    """A suspension measure, in brief, with the dates between which it holds what it suspends out of force."""

    effective_on = serializers.DateField(
        read_only=True, allow_null=True, help_text="When the suspension took (or takes) effect."
    )
    ends_on = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="First day the suspension no longer holds (as scheduled, or as it happened); empty while open-ended.",
    )

    class Meta(BriefExportControlSerializer.Meta):
        fields = ("slug", "title", "url", "effective_on", "ends_on")


# Full records.


class OrganizationSerializer(RecordSerializer):
    """A company, lab, chipmaker, government agency or other body that the registry's records refer to."""

    url = record_url(Organization)
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
            "status_checked_on",
            *TIMESTAMPS,
        )


class SourceSerializer(RecordSerializer):
    """A document that supports records: a legal text, an announcement, a model card, a news report..."""

    url = record_url(Source)
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
            "date_precision",
            "kind",
            "url_checked",
            "notes",
            *TIMESTAMPS,
        )


class ChipSerializer(RecordSerializer):
    """An AI accelerator or other item that export controls cover, with the figures the rules turn on."""

    url = record_url(Chip)
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
            "status_checked_on",
            *TIMESTAMPS,
        )


class ModelReleaseSerializer(RecordSerializer):
    """A release (or announcement) of a frontier AI model: who made it, when, how big, how available."""

    url = record_url(ModelRelease)
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
            "status_checked_on",
            *TIMESTAMPS,
        )


class AccessGrantSerializer(RecordSerializer):
    """Who got (or was refused) access to a model, from whom, when, and how we know."""

    url = record_url(AccessGrant)
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
            "status_checked_on",
            *TIMESTAMPS,
        )


class ExportControlSerializer(RecordSerializer):
    """One legal or policy measure: a rule, an Entity List addition, a licence policy, a suspension...

    A measure is in force from ``effective_on`` until ``ends_on`` (exclusive), unless a published
    suspension measure that lists it in ``suspends`` is in force.
    """

    url = record_url(ExportControl)
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
    suspended_by = nested(
        BriefSuspensionSerializer,
        "suspended_by",
        many=True,
        help_text="Published suspensions that list this measure, with their dates: while one of them is in force, "
        "this measure is not. A measure with end_reason `suspended` applies again once all of them have ended.",
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
            "suspended_by",
            "covered_chips",
            "targeted_organizations",
            "citations",
            "confidence",
            "status_checked_on",
            *TIMESTAMPS,
        )


# Dossiers: the detail of a record, with the records that point at it, in brief.


class BriefDatedModelReleaseSerializer(BriefModelReleaseSerializer):
    """A model release, in brief, with its release date."""

    released_on = serializers.DateField(read_only=True, allow_null=True, help_text="When it was released.")

    class Meta(BriefModelReleaseSerializer.Meta):
        fields = ("slug", "name", "url", "released_on")


class BriefDatedExportControlSerializer(BriefExportControlSerializer):
    """An export control, in brief, with its form and dates."""

    instrument = serializers.ChoiceField(
        choices=InstrumentChoices.choices, read_only=True, help_text="Legal or policy form."
    )
    jurisdiction = serializers.ChoiceField(
        choices=CountryChoices.choices, read_only=True, help_text="Code of the issuing state."
    )
    effective_on = serializers.DateField(read_only=True, allow_null=True, help_text="When it took effect.")
    ends_on = serializers.DateField(
        read_only=True, allow_null=True, help_text="First day it was no longer in force; null while it is."
    )
    end_reason = serializers.ChoiceField(
        choices=EndReasonChoices.choices,
        read_only=True,
        allow_blank=True,
        help_text="Why it ended; empty while in force.",
    )

    class Meta(BriefExportControlSerializer.Meta):
        fields = ("slug", "title", "url", "instrument", "jurisdiction", "effective_on", "ends_on", "end_reason")


class BriefAccessGrantSerializer(RecordSerializer):
    """An access grant, in brief: who gave what access to whom, with what outcome and dates."""

    url = record_url(AccessGrant)
    model = serializers.CharField(
        read_only=True, allow_null=True, help_text="Slug of the model release, if it is a published record."
    )
    grantee = serializers.CharField(
        read_only=True, allow_null=True, help_text="Slug of the grantee, if it is a published organization."
    )
    grantor = serializers.CharField(
        read_only=True, allow_null=True, help_text="Slug of the grantor, if it is a published organization."
    )

    class Meta:
        model = AccessGrant
        fields = (
            "slug",
            "url",
            "model",
            "grantee",
            "grantor",
            "access_type",
            "outcome",
            "claim_status",
            "starts_on",
            "ends_on",
        )
        list_serializer_class = SortedListSerializer


def dossier(serializer_class, relations: dict):
    """``serializer_class`` for a record's detail route, with ``relations`` (name: brief serializer and help)."""
    declared = {
        name: nested(brief, name, many=True, help_text=help_text) for name, (brief, help_text) in relations.items()
    }
    meta = type("Meta", (serializer_class.Meta,), {"fields": (*serializer_class.Meta.fields, *relations)})
    name = serializer_class.__name__.replace("Serializer", "DetailSerializer")
    doc = f"{serializer_class.__doc__.splitlines()[0]} On its own route, with the records that refer to it."
    return type(name, (serializer_class,), {**declared, "Meta": meta, "__doc__": doc, "__module__": __name__})


GRANTS = "Access grants: slug, the model, grantee and grantor (slugs of published records), type, outcome, dates."
OrganizationDetailSerializer = dossier(
    OrganizationSerializer,
    {
        "model_releases": (BriefDatedModelReleaseSerializer, "Model releases it developed."),
        "grants_given": (BriefAccessGrantSerializer, f"Access it gave (or refused). {GRANTS}"),
        "grants_received": (BriefAccessGrantSerializer, f"Access it got (or was refused). {GRANTS}"),
        "export_controls_targeting": (BriefDatedExportControlSerializer, "Measures that name it, with their dates."),
        "export_controls_issued": (BriefDatedExportControlSerializer, "Measures it issued, with their dates."),
        "chips": (BriefChipSerializer, "Chips it sells."),
    },
)
ChipDetailSerializer = dossier(
    ChipSerializer,
    {
        "export_controls": (BriefDatedExportControlSerializer, "Measures that cover the chip, with their dates."),
        "trained_models": (BriefDatedModelReleaseSerializer, "Model releases trained on it."),
    },
)
ModelReleaseDetailSerializer = dossier(
    ModelReleaseSerializer,
    {
        "access_grants": (BriefAccessGrantSerializer, f"Access to this model, granted or withheld. {GRANTS}"),
        "controls_on_training_chips": (
            BriefDatedExportControlSerializer,
            "Measures that cover one of the chips it was trained on, with their dates.",
        ),
    },
)
