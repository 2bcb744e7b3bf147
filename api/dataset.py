"""What the dataset is: its name, description and licence, as the API, the landing page and releases state."""

DATASET_NAME = "AI Access Registry"
DATASET_SLUG = "ai-access-registry"
DATASET_DESCRIPTION = (
    "Vetted, sourced records of frontier AI model releases, who was granted (or refused) access to them, "
    "the export controls on AI chips, and the organizations, chips and sources these refer to."
)
DATA_LICENSE = "CC BY 4.0"
DATA_LICENSE_ID = "CC-BY-4.0"
DATA_LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"


def citation_text(version: str | None) -> str:
    """How to cite the dataset (a given release of it)."""
    release = f", release {version}" if version else ""
    return f"{DATASET_NAME}{release}. Data licensed under {DATA_LICENSE} ({DATA_LICENSE_URL})."
