"""The registry's resources: one table that names each kind of public record everywhere it appears.

A resource's ``name`` ("model-releases") is its identity for the public: the prefix of its URLs under
``/api/v1/``, its key in ``/api/v1/`` and in ``/api/v1/dataset/``'s counts, the ``resource`` of its entries in
the change feed, and the stem of its release files (``model-releases.csv``). Its ``basename`` names its API
routes (``api:model-release-list``, ``api:model-release-detail``), which the API's record URLs and the admin's
"view in the API" links reverse. Nothing derives either from a model's verbose name, so a label can be
reworded without renaming a feed entry, a file or a URL; the names are a public contract and never change.

The API root lists the resources in this table's order, and releases write them in it. The models are named
by label and looked up when asked for (``Resource.model``), so that the models' own module can read the names
(the change feed's choices) without importing itself.
"""

from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.db.models import Max


@dataclass(frozen=True)
class Resource:
    """A kind of public record and the names it goes by."""

    name: str  # "model-releases": URL prefix, feed name, release file stem, key in /api/v1/ and its counts
    basename: str  # "model-release": the API's route names, api:<basename>-list and api:<basename>-detail
    model_label: str  # "datasets.ModelRelease"
    label: str  # "Model releases": for humans (the landing page, the feed's choices)
    description: str  # what the API root says of it

    @property
    def model(self):
        return apps.get_model(self.model_label)

    @property
    def key(self) -> str:
        """The resource's name as a Python identifier ("model_releases"), for code that needs one."""
        return self.name.replace("-", "_")


RESOURCES: tuple[Resource, ...] = (
    Resource("organizations", "organization", "datasets.Organization", "Organizations", "Organizations."),
    Resource("sources", "source", "datasets.Source", "Sources", "Sources that records cite."),
    Resource("chips", "chip", "datasets.Chip", "Chips", "AI chips."),
    Resource(
        "model-releases", "model-release", "datasets.ModelRelease", "Model releases", "Frontier AI model releases."
    ),
    Resource("access-grants", "access-grant", "datasets.AccessGrant", "Access grants", "Access grants and refusals."),
    Resource(
        "export-controls", "export-control", "datasets.ExportControl", "Export controls", "Export-control measures."
    ),
)


@cache
def _by_label() -> dict[str, Resource]:
    return {resource.model_label.lower(): resource for resource in RESOURCES}


def resource_of(model) -> Resource:
    """The resource of a model class or record (KeyError for a model that is no resource, e.g. a citation)."""
    return _by_label()[model._meta.label_lower]


def resource_named(name: str) -> Resource:
    """The resource of a name ("model-releases"); KeyError for any other."""
    for resource in RESOURCES:
        if resource.name == name:
            return resource
    raise KeyError(name)


def published_counts() -> dict[str, int]:
    """Number of published records per resource, by name, in the table's order."""
    return {resource.name: resource.model.objects.published().count() for resource in RESOURCES}


def last_change():
    """When the published dataset last changed: the newest ``updated_at`` of a published record (None when
    nothing is published)."""
    stamps = [resource.model.objects.published().aggregate(last=Max("updated_at"))["last"] for resource in RESOURCES]
    stamps = [stamp for stamp in stamps if stamp is not None]
    return max(stamps) if stamps else None
