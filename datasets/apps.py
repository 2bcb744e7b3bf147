from django.apps import AppConfig


class DatasetsConfig(AppConfig):
    """The registry's data: records, their review state, and the curators' admin."""

    name = "datasets"
    verbose_name = "Registry records"
