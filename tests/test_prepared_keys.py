"""A list's page of keys by SQL prepared per shape of question (api.prepared.PreparedKeys, api.views.PreparedPage):
the same answers as the ORM's, compiled once per shape, and only for filters whose values reach the SQL as given."""

import pytest
from django.db.models import Q

from api import views
from api.prepared import CompiledKeys, PreparedKeys
from datasets.choices import AccessTypeChoices, WeightsChoices
from datasets.models import AccessGrant, ModelRelease
from tests import factories
from tests.api_testing import content_of

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/v1/access-grants/?grantee_country=CN",
    "/api/v1/access-grants/?grantee_country=FR&limit=2",
    "/api/v1/access-grants/?grantee_country=CN&grantee_country=FR&limit=2&offset=1",
    "/api/v1/access-grants/?grantee_country__not=CN&ordering=-starts_on",
    "/api/v1/access-grants/?grantee_country=CN&access_type=early_access&outcome=granted",
    "/api/v1/model-releases/?weights=open_weights&ordering=-released_on&limit=3",
    "/api/v1/model-releases/?weights=open_weights&weights__not=api_only&ordering=-released_on,name&offset=2",
    "/api/v1/model-releases/?developer_country=CN&parameters_total__isnull=true",
    "/api/v1/model-releases/?developer_country=CN&parameters_total__isnull=false&fields=name&expand=access_grants",
    "/api/v1/model-releases/?weights=open_weights&offset=1000",
    "/api/v1/model-releases/?architecture=moe&format=csv&limit=2",
    "/api/v1/organizations/?country=CN&kind=ai_lab",
    "/api/v1/export-controls/?jurisdiction=US&ordering=effective_on",
]


@pytest.fixture
def records():
    cn = factories.make_organization(slug="cn-lab", country="CN")
    fr = factories.make_organization(slug="fr-lab", country="FR")
    for number in range(6):
        developer = cn if number % 2 else fr
        release = factories.make_model_release(
            slug=f"model-{number}",
            developer=developer,
            weights=[WeightsChoices.OPEN_WEIGHTS, WeightsChoices.API_ONLY][number % 3 == 0],
            parameters_total=None if number % 4 == 0 else number * 10**9,
        )
        factories.make_access_grant(
            slug=f"grant-{number}",
            model=release,
            grantee=[cn, fr][number % 2],
            access_type=[AccessTypeChoices.EARLY_ACCESS, AccessTypeChoices.OTHER][number % 2],
        )
    factories.make_export_control(slug="us-rule")
    views.prepared_keys.cache_clear()


def answer(client, url) -> tuple[int, bytes]:
    response = client.get(url)
    return response.status_code, content_of(response)


def get(client, url) -> dict:
    response = client.get(url)
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize("url", LISTS)
def test_the_prepared_keys_give_the_orms_answer(records, client, url, monkeypatch, settings):
    settings.API_CACHE_SECONDS = 0  # both answers built, not one kept from the other
    prepared = answer(client, url)
    monkeypatch.setattr(PreparedKeys, "get", lambda *args, **kwargs: None)  # the ORM's keys
    assert answer(client, url) == prepared
    assert prepared[0] == 200


def test_a_shape_is_compiled_once_and_sent_with_each_questions_values(records, client, settings):
    settings.API_CACHE_SECONDS = 0
    cn = get(client, "/api/v1/access-grants/?grantee_country=CN")
    fr = get(client, "/api/v1/access-grants/?grantee_country=FR")
    compiled = views.prepared_keys(views.AccessGrantViewSet).compiled
    assert list(compiled) == [("default", (("grantee_country", 1),))]
    assert compiled[("default", (("grantee_country", 1),))] is not None
    assert [r["slug"] for r in cn["results"]] == [g.slug for g in AccessGrant.objects.filter(grantee__country="CN")]
    assert [r["slug"] for r in fr["results"]] == [g.slug for g in AccessGrant.objects.filter(grantee__country="FR")]
    assert cn["results"] != fr["results"]


def test_a_filter_not_known_to_take_its_values_as_given_is_left_to_the_orm(records, client, settings):
    settings.API_CACHE_SECONDS = 0
    # has_released's method is not marked value-blind; a date's value is adapted on its way to the SQL.
    get(client, "/api/v1/model-releases/?has_released=true")
    get(client, "/api/v1/model-releases/?released_on_after=2025-01-01")
    assert views.prepared_keys(views.ModelReleaseViewSet).compiled == {}


def test_a_value_made_into_another_parameter_is_not_prepared(records):
    """icontains sends "%value%": the stand-in does not reach the SQL as given, so nothing is prepared."""
    base = ModelRelease.objects.published()

    def build(stand_ins):
        return base.filter(name__icontains=stand_ins[0]).values_list("pk", flat=True)

    with pytest.raises(ValueError, match="made from a value"):
        CompiledKeys(build, 1, "default", (0, 50))


def test_sql_that_depends_on_the_values_is_not_prepared(records):
    base = ModelRelease.objects.published()

    def build(stand_ins):
        # A branch on the value: the two sets of stand-ins give different SQL.
        condition = Q(slug=stand_ins[0]) if stand_ins[0].endswith("b~") else Q(name=stand_ins[0])
        return base.filter(condition).values_list("pk", flat=True)

    with pytest.raises(ValueError, match="depends on the values"):
        CompiledKeys(build, 1, "default", (0, 50))


def test_the_page_is_the_orms_slice(records):
    base = ModelRelease.objects.published().order_by("slug")

    def build(stand_ins):
        return base.filter(weights__in=stand_ins).values_list("pk", flat=True)

    compiled = CompiledKeys(build, 1, "default", (1, 3))
    orm = list(base.filter(weights__in=["open_weights"]).values_list("pk", flat=True))
    assert compiled.run(["open_weights"], 0, 50) == orm
    assert compiled.run(["open_weights"], 1, 3) == orm[1:3]
    assert compiled.run(["open_weights"], 2, 4) == orm[2:4]
