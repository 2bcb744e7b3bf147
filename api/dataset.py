"""What the dataset is: its name, description and licence, as the API, the landing page and releases state."""

import datetime

DATASET_NAME = "AI Access Registry"
DATASET_SLUG = "ai-access-registry"
DATASET_DESCRIPTION = (
    "Vetted, sourced records of frontier AI model releases, who was granted (or refused) access to them, "
    "the export controls on AI chips, and the organizations, chips and sources these refer to."
)
DATA_LICENSE = "CC BY 4.0"
DATA_LICENSE_ID = "CC-BY-4.0"
DATA_LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
# Where the dataset's window of facts starts, and the latest date up to which curators have swept it against
# sources: a record's status is checked up to its own ``status_checked_on``, never past this. The sweep of
# 2026-12 read the stored public pages, which stop around the end of June 2026 (issue 16).
COVERAGE_STARTS_ON = datetime.date(2025, 1, 1)
COVERAGE_HORIZON: datetime.date | None = datetime.date(2026, 6, 30)


def citation_text(version: str | None) -> str:
    """How to cite the dataset (a given release of it)."""
    release = f", release {version}" if version else ""
    return f"{DATASET_NAME}{release}. Data licensed under {DATA_LICENSE} ({DATA_LICENSE_URL})."
