"""The filter forms' fields are shared by every form of a class (api.filters.SharedFields): checking and
rendering a form must leave them as they were, whatever the request gave."""

import copy
import pickle

import pytest

from api.filtersets import AccessGrantFilterSet, ExportControlFilterSet, ModelReleaseFilterSet
from tests import factories

pytestmark = pytest.mark.django_db

REQUESTS = [
    "/api/v1/model-releases/?weights=open_weights&ordering=-released_on&developer=lab",
    "/api/v1/model-releases/?weights=nonsense&parameters_total_min=x&ordering=bad&developer=no-such",
    "/api/v1/model-releases/?q=zephyr&released_on_after=2025-01-01&fields=name&expand=access_grants",
    "/api/v1/access-grants/?grantee_country=CN&grantee_country=ZZ&active_on=2025-13-01",
    "/api/v1/export-controls/?in_force_on=2025-03-01&target_country=CN&jurisdiction=US&facet=instrument",
]


def state_of(filterset_class) -> bytes:
    """Everything the form class's shared fields hold, widgets included, as bytes to compare."""
    form_class = filterset_class().get_form_class()
    fields = {}
    for name, field in form_class.base_fields.items():
        held = {key: value for key, value in vars(field).items() if key not in ("queryset", "_queryset")}
        widget = {key: value for key, value in vars(field.widget).items() if key != "choices"}
        fields[name] = (repr(sorted(held.items(), key=lambda item: item[0])), repr(sorted(widget.items())))
    return pickle.dumps(fields)


def test_checking_and_rendering_forms_leaves_their_shared_fields_as_they_were(client, settings):
    settings.API_CACHE_SECONDS = 0
    factories.make_organization(slug="lab")
    classes = (ModelReleaseFilterSet, AccessGrantFilterSet, ExportControlFilterSet)
    for filterset_class in classes:
        state_of(filterset_class)  # the form class made
    before = {filterset_class: state_of(filterset_class) for filterset_class in classes}
    for url in REQUESTS:
        client.get(url)
        client.get(url, HTTP_ACCEPT="text/html")  # the browsable API renders the filter form
    assert {filterset_class: state_of(filterset_class) for filterset_class in classes} == before


def test_each_form_has_its_own_dict_of_the_shared_fields():
    first, second = (ModelReleaseFilterSet(data={}).form for _ in range(2))
    assert first.fields is not second.fields
    assert first.fields["weights"] is second.fields["weights"]
    copied = copy.deepcopy(type(first).base_fields)
    assert type(copied) is dict and copied == dict(type(first).base_fields)
