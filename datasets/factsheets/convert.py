"""Small conversions from fact-sheet values to fixture values, and the shape of a build's output."""

import datetime
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models

from datasets.models import (
    AccessGrant,
    AccessGrantCitation,
    Chip,
    ChipCitation,
    ExportControl,
    ExportControlCitation,
    ModelRelease,
    ModelReleaseCitation,
    Organization,
    OrganizationCitation,
    Source,
)

# File name -> model, in load order: the names sort in the order loaddata must read them.
FIXTURE_FILES: tuple[tuple[str, type[models.Model]], ...] = (
    ("01_organizations.json", Organization),
    ("02_sources.json", Source),
    ("03_chips.json", Chip),
    ("04_model_releases.json", ModelRelease),
    ("05_access_grants.json", AccessGrant),
    ("06_export_controls.json", ExportControl),
    ("07_organization_citations.json", OrganizationCitation),
    ("08_chip_citations.json", ChipCitation),
    ("09_model_release_citations.json", ModelReleaseCitation),
    ("10_access_grant_citations.json", AccessGrantCitation),
    ("11_export_control_citations.json", ExportControlCitation),
)


class SheetError(Exception):
    """The sheets hold something the mapping cannot represent faithfully; nothing is written."""


@dataclass
class Build:
    """The objects for each fixture file, plus warnings worth a curator's look (not errors)."""

    files: dict[str, list[dict]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def render(self) -> dict[str, str]:
        """Each file's text: JSON, indent 2, a trailing newline; the same objects always give the same bytes."""
        return {name: json.dumps(objects, indent=2, ensure_ascii=False) + "\n" for name, objects in self.files.items()}


def slug_for(sheet_id: str, prefix: str = "") -> str:
    """Kebab-case slug from a sheet id: drop the prefix, underscores become hyphens."""
    return sheet_id.removeprefix(prefix).replace("_", "-")


def parse_date(value) -> tuple[datetime.date | None, str]:
    """A sheet date ("2025-05-13", "2025-05" or "2025") as (first day of the period, precision)."""
    if value is None:
        return None, "day"
    if isinstance(value, datetime.date):
        return value, "day"
    text = str(value)
    for pattern, precision in (("%Y-%m-%d", "day"), ("%Y-%m", "month"), ("%Y", "year")):
        try:
            return datetime.datetime.strptime(text, pattern).date(), precision
        except ValueError:
            continue
    raise SheetError(f"not a date: {value!r}")


def iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def lines(*parts: str | None) -> str:
    """Non-empty parts, one per line."""
    return "\n".join(part.strip() for part in parts if part and part.strip())


PLAIN_SIZE = re.compile(r"^(\d+(?:\.\d+)?)([BT])$")
PLAIN_CONTEXT = re.compile(r"^(\d+(?:\.\d+)?)([KM]| tokens)$")
SCALE = {"B": 10**9, "T": 10**12, "K": 10**3, "M": 10**6, " tokens": 1}


def plain_figure(text, pattern: re.Pattern) -> int | None:
    """The number a bare sheet figure ("671B", "128K") stands for; None when the text says more than that."""
    match = pattern.match(str(text)) if text is not None else None
    if not match:
        return None
    return int(Decimal(match.group(1)) * SCALE[match.group(2)])


def architecture_of(text: str) -> str:
    """MoE if the sheet's architecture text says so, else dense if it says that, else other."""
    lowered = text.lower()
    return "moe" if "moe" in lowered else "dense" if "dense" in lowered else "other"


def natural_key(obj: dict) -> tuple:
    """Sort key of a serialized object: a record's slug, or a citation's (record, source, locator)."""
    fields = obj["fields"]
    if "slug" in fields:
        return (fields["slug"],)
    return (fields["record"], fields["source"], fields["locator"])
