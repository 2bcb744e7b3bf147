"""Enumerations used by the registry's records.

Values are a public contract (they appear in the API, in filters and in generated clients): lowercase,
stable, never renamed. Labels are for humans and may change. Each enum is registered in
``SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]`` so that the OpenAPI schema names it once.
"""

from django.db import models

from datasets.countries import COUNTRIES
from datasets.resources import RESOURCES

__all__ = [
    "PRIMARY_SOURCE_KINDS",
    "AccessTypeChoices",
    "ArchitectureChoices",
    "ChipKindChoices",
    "ClaimStatusChoices",
    "ConfidenceChoices",
    "CountryChoices",
    "DatePrecisionChoices",
    "EndReasonChoices",
    "InstrumentChoices",
    "OrganizationKindChoices",
    "OutcomeChoices",
    "ResourceChoices",
    "ReviewStatusChoices",
    "SourceKindChoices",
    "WeightsChoices",
]


class ReviewStatusChoices(models.TextChoices):
    """Where a record stands in the review workflow; only ``published`` records are public."""

    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ConfidenceChoices(models.TextChoices):
    """How well the record's facts are supported by its sources."""

    HIGH = "high", "High: primary source or several consistent sources"
    MEDIUM = "medium", "Medium: single or secondary source, or partly unchecked"
    LOW = "low", "Low: weakly sourced or partly uncertain"


CountryChoices = models.TextChoices("CountryChoices", [(code, (code, name)) for code, name in COUNTRIES])
CountryChoices.__doc__ = 'ISO 3166-1 alpha-2 country code, or "EU" for the European Union.'

# The API's resources by name (the change feed's ``resource``), from the resource table.
ResourceChoices = models.TextChoices(
    "ResourceChoices", [(resource.key.upper(), (resource.name, resource.label)) for resource in RESOURCES]
)
ResourceChoices.__doc__ = "The API's resources, by the names in their URLs."


class DatePrecisionChoices(models.TextChoices):
    """How precise a record's dates are: a month-precision date is stored as the first of that month."""

    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


class OrganizationKindChoices(models.TextChoices):
    """What kind of organization this is."""

    AI_LAB = "ai_lab", "AI lab"
    CHIPMAKER = "chipmaker", "Chipmaker"
    CLOUD_PROVIDER = "cloud_provider", "Cloud provider"
    GOVERNMENT_AGENCY = "government_agency", "Government agency"
    RESEARCH_INSTITUTE = "research_institute", "Research institute"
    COMPANY = "company", "Company"
    OTHER = "other", "Other"


class SourceKindChoices(models.TextChoices):
    """What kind of document a source is; the first five are primary sources, the rest secondary."""

    LEGAL_TEXT = "legal_text", "Legal text (primary)"
    OFFICIAL_STATEMENT = "official_statement", "Official statement (primary)"
    COMPANY_ANNOUNCEMENT = "company_announcement", "Company announcement (primary)"
    MODEL_CARD = "model_card", "Model card or repository (primary)"
    PAPER = "paper", "Paper or technical report (primary)"
    NEWS_REPORT = "news_report", "News report (secondary)"
    ANALYSIS = "analysis", "Analysis or commentary (secondary)"


PRIMARY_SOURCE_KINDS = frozenset(
    {
        SourceKindChoices.LEGAL_TEXT,
        SourceKindChoices.OFFICIAL_STATEMENT,
        SourceKindChoices.COMPANY_ANNOUNCEMENT,
        SourceKindChoices.MODEL_CARD,
        SourceKindChoices.PAPER,
    }
)


class ChipKindChoices(models.TextChoices):
    """What kind of item a chip record describes."""

    GPU = "gpu", "GPU"
    AI_ACCELERATOR = "ai_accelerator", "AI accelerator"
    MEMORY = "memory", "Memory"
    OTHER = "other", "Other"


class ArchitectureChoices(models.TextChoices):
    """The model's broad architecture."""

    DENSE = "dense", "Dense"
    MOE = "moe", "Mixture of experts"
    OTHER = "other", "Other"


class WeightsChoices(models.TextChoices):
    """Whether and how the model's weights can be obtained."""

    OPEN_WEIGHTS = "open_weights", "Open weights (downloadable)"
    RESTRICTED = "restricted", "Restricted (selected partners only)"
    API_ONLY = "api_only", "API only"
    UNRELEASED = "unreleased", "Unreleased"


class AccessTypeChoices(models.TextChoices):
    """What kind of access a grant concerns."""

    EARLY_ACCESS = "early_access", "Early access before public release"
    PRE_DEPLOYMENT_EVALUATION = "pre_deployment_evaluation", "Pre-deployment evaluation"
    HARDWARE_OPTIMIZATION = "hardware_optimization", "Hardware optimisation or support"
    WEIGHTS = "weights", "Access to weights"
    API = "api", "API access or hosting"
    LICENSE = "license", "Licence (IP or exclusive rights)"
    OTHER = "other", "Other"


class OutcomeChoices(models.TextChoices):
    """What came of the access: ``withheld`` records an explicit exclusion."""

    GRANTED = "granted", "Granted"
    WITHHELD = "withheld", "Withheld (explicitly excluded)"
    REVOKED = "revoked", "Revoked after being granted"
    UNAUTHORIZED = "unauthorized", "Obtained without the grantor's consent (as claimed)"


class ClaimStatusChoices(models.TextChoices):
    """How well established the grant is: who says it happened."""

    CONFIRMED = "confirmed", "Confirmed by a party to it"
    REPORTED = "reported", "Reported by the press, not confirmed by a party"
    ALLEGED = "alleged", "Alleged by one party, not confirmed by the other"
    DISPUTED = "disputed", "Disputed by a party"
    RETRACTED = "retracted", "Retracted by whoever first reported it"


class InstrumentChoices(models.TextChoices):
    """The legal or policy form of an export-control measure."""

    RULE = "rule", "Rule or regulation"
    ENTITY_LISTING = "entity_listing", "Entity List (or similar list) designation"
    LICENSE_REQUIREMENT = "license_requirement", "Licence requirement"
    LICENSE_POLICY = "license_policy", "Licensing policy"
    EXPORT_BAN = "export_ban", "Export ban"
    IMPORT_RESTRICTION = "import_restriction", "Import restriction"
    SUSPENSION = "suspension", "Suspension of other measures"
    GUIDANCE = "guidance", "Guidance"
    ENFORCEMENT_ACTION = "enforcement_action", "Enforcement or regulatory action"


class EndReasonChoices(models.TextChoices):
    """Why a measure stopped being in force."""

    RESCINDED = "rescinded", "Rescinded"
    SUPERSEDED = "superseded", "Superseded by a later measure"
    SUSPENDED = "suspended", "Suspended"
    EXPIRED = "expired", "Expired"
