"""The curators' tool: one admin per record type, on a shared base.

``base`` holds what every record's admin shares (the conflict-safe forms, the review workflow's buttons,
actions and views made from ``services.TRANSITIONS``, no bulk delete, a link to the public API); ``records``
holds the admin of each record type and registers it. Importing this package (Django's admin autodiscovery
does) registers them all.
"""

from django.contrib import admin

from datasets.admin.base import CuratedAdmin, ReviewedAdmin
from datasets.admin.records import (
    AccessGrantAdmin,
    ChipAdmin,
    CountryAdmin,
    ExportControlAdmin,
    ModelReleaseAdmin,
    OrganizationAdmin,
    SourceAdmin,
)

admin.site.site_header = "AI Access Registry: curation"
admin.site.site_title = "AI Access Registry"
admin.site.index_title = "Records"

__all__ = [
    "AccessGrantAdmin",
    "ChipAdmin",
    "CountryAdmin",
    "CuratedAdmin",
    "ExportControlAdmin",
    "ModelReleaseAdmin",
    "OrganizationAdmin",
    "ReviewedAdmin",
    "SourceAdmin",
]
