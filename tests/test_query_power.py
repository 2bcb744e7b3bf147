"""Query power (issue 17): negation (``<parameter>__not``) and "has a value / has none" (``<parameter>__isnull``)
through the real routes, on every resource that has them."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from api import filtersets
from api.filters import NEGATABLE, NEGATION_SUFFIX
from api.nesting import EXPAND_LIMIT
from tests import factories
from tests.api_testing import content_of

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def listed(client):
    """The slugs a list returns for the given parameters (a list value repeats the parameter)."""

    def get(basename: str, **params) -> set[str]:
        response = client.get(reverse(f"api:{basename}-list"), {"limit": 500, **params})
        assert response.status_code == 200, response.content
        return {record["slug"] for record in response.json()["results"]}

    return get


FILTERSETS = [
    filtersets.OrganizationFilterSet,
    filtersets.SourceFilterSet,
    filtersets.ChipFilterSet,
    filtersets.ModelReleaseFilterSet,
    filtersets.AccessGrantFilterSet,
    filtersets.ExportControlFilterSet,
]


@pytest.mark.parametrize("filterset", FILTERSETS, ids=lambda f: f.__name__)
def test_every_slug_enum_and_text_parameter_has_its_negation(filterset):
    filters = filterset.base_filters
    negatable = {name for name, filter_ in filters.items() if isinstance(filter_, NEGATABLE)}
    positive = {name for name in negatable if not name.endswith(NEGATION_SUFFIX)}
    assert positive, filterset
    assert {f"{name}{NEGATION_SUFFIX}" for name in positive} == negatable - positive


def test_developer_not_leaves_out_every_named_developer(listed):
    deepseek, qwen, meta = (factories.make_organization(slug=slug) for slug in ("deepseek", "alibaba-qwen", "meta"))
    factories.make_model_release(slug="v3", developer=deepseek)
    factories.make_model_release(slug="qwen3", developer=qwen)
    factories.make_model_release(slug="llama", developer=meta)
    assert listed("model-release", developer__not="deepseek") == {"qwen3", "llama"}
    assert listed("model-release", developer__not=["deepseek", "alibaba-qwen"]) == {"llama"}
    # With the positive parameter: AND, as any two parameters.
    assert listed("model-release", developer=["deepseek", "meta"], developer__not="meta") == {"v3"}


def test_negation_of_a_to_many_and_of_a_country_keeps_records_without_a_value(listed):
    untargeted = factories.make_export_control(slug="untargeted")
    china = factories.make_export_control(slug="china")
    china.target_countries.set(["CN"])
    both = factories.make_export_control(slug="china-and-macau")
    both.target_countries.set(["CN", "MO"])
    macau = factories.make_export_control(slug="macau", jurisdiction="CN")
    macau.target_countries.set(["MO"])
    assert listed("export-control", target_country__not="CN") == {untargeted.slug, macau.slug}
    assert listed("export-control", jurisdiction__not="US") == {macau.slug}
    assert listed("export-control", instrument__not="rule") == set()


def test_negation_through_a_method_filter_and_of_exact_texts(listed):
    china = factories.make_organization(slug="zhipu", country="CN")
    us = factories.make_organization(slug="openai", country="US")
    factories.make_model_release(slug="glm", developer=china, family="GLM")
    factories.make_model_release(slug="gpt", developer=us, family="GPT")
    assert listed("model-release", developer_country__not="CN") == {"gpt"}
    assert listed("model-release", family__not="glm") == {"gpt"}


def test_a_negated_parameter_refuses_what_the_positive_one_refuses(client):
    factories.make_organization(slug="deepseek")
    for params, name in [
        ({"developer__not": "no-such-lab"}, "developer__not"),
        ({"weights__not": "leaked"}, "weights__not"),
        ({"developer__no": "deepseek"}, "developer__no"),
    ]:
        response = client.get("/api/v1/model-releases/", params)
        assert response.status_code == 400, params
        assert list(response.json()) == [name]


def test_isnull_on_dates_and_numbers(listed):
    factories.make_export_control(slug="ended", ends_on=D(2025, 5, 13), end_reason="rescinded")
    factories.make_export_control(slug="running")
    assert listed("export-control", ends_on__isnull="true") == {"running"}
    assert listed("export-control", ends_on__isnull="false") == {"ended"}
    factories.make_chip(slug="known", tpp=4800)
    factories.make_chip(slug="unknown", tpp=None)
    assert listed("chip", tpp__isnull="true") == {"unknown"}


def test_isnull_on_relations_counts_an_unpublished_record_as_none(listed):
    """A grant whose model is in review shows ``model: null``: it is one of the grants with no model."""
    described = factories.make_access_grant(slug="described", model=None, model_description="All Claude models")
    draft_model = factories.make_model_release(slug="draft", review_status="in_review")
    hidden = factories.make_access_grant(slug="hidden-model", model=draft_model)
    linked = factories.make_access_grant(slug="linked")
    assert listed("access-grant", model__isnull="true") == {described.slug, hidden.slug}
    assert listed("access-grant", model__isnull="false") == {linked.slug}
    trained = factories.make_model_release(slug="trained")
    trained.training_chips.add(factories.make_chip(slug="h800"))
    untrained = factories.make_model_release(slug="untrained")
    assert untrained.slug in listed("model-release", trained_on__isnull="true")
    assert listed("model-release", trained_on__isnull="false") == {trained.slug}


def test_isnull_refuses_what_is_not_a_boolean(client):
    response = client.get("/api/v1/export-controls/", {"ends_on__isnull": "maybe"})
    assert response.status_code == 400
    assert list(response.json()) == ["ends_on__isnull"]


# Field selection: ?fields=


def test_fields_selects_the_keys_of_each_record_with_slug_and_url_always(client):
    factories.make_model_release(slug="deepseek-v3", released_on=D(2024, 12, 26))
    body = client.get("/api/v1/model-releases/", {"fields": "name,released_on"}).json()
    [record] = body["results"]
    assert list(record) == ["slug", "url", "name", "released_on"]  # in the API's order of fields
    assert record["released_on"] == "2024-12-26"
    # Repeated or comma-separated, the same; the page keeps its own keys.
    repeated = client.get("/api/v1/model-releases/", {"fields": ["released_on", "name"]}).json()
    assert repeated["results"] == body["results"]
    assert {"count", "next", "previous", "withdrawn", "status_unverified"} <= set(body)


def test_fields_in_csv_are_the_columns(client):
    factories.make_export_control(slug="us-oct2022", effective_on=D(2022, 10, 7))
    response = client.get("/api/v1/export-controls/", {"fields": "effective_on,title", "format": "csv"})
    header, row = content_of(response).decode().splitlines()
    assert header == "slug,url,title,effective_on"
    assert row.startswith('"us-oct2022",') and row.endswith('"2022-10-07"')


def test_fields_with_negation_and_a_valid_time_question(client):
    """status_unverified is the records' own, whatever fields the answer shows."""
    factories.make_export_control(slug="checked", status_checked_on=D(2026, 6, 30))
    factories.make_export_control(slug="other", jurisdiction="CN")
    body = client.get(
        "/api/v1/export-controls/", {"fields": "title", "jurisdiction__not": "CN", "in_force_on": "2026-12-01"}
    ).json()
    assert [record["slug"] for record in body["results"]] == ["checked"]
    assert body["status_unverified"] == ["checked"]
    assert "status_checked_on" not in body["results"][0]


def test_an_unknown_field_is_a_400_naming_it(client):
    response = client.get("/api/v1/chips/", {"fields": "name,speed"})
    assert response.status_code == 400
    [message] = response.json()["fields"]
    assert "speed" in message
    # A detail takes no fields (nor any filter): a 400 too, not a silent full record.
    chip = factories.make_chip(slug="h20")
    assert client.get(f"/api/v1/chips/{chip.slug}/", {"fields": "name"}).status_code == 400


# Facets: ?facet=


def facet(body: dict, name: str) -> list[tuple]:
    return [(row["value"], row["label"], row["count"]) for row in body["facets"][name]["values"]]


def test_facets_count_values_with_labels_most_frequent_first_and_the_null_bucket(client):
    deepseek = factories.make_organization(slug="deepseek", name="DeepSeek")
    qwen = factories.make_organization(slug="alibaba-qwen", name="Qwen")
    draft = factories.make_organization(slug="draft-lab", review_status="in_review")
    for slug, developer, weights, day in [
        ("v3", deepseek, "open_weights", D(2024, 12, 26)),
        ("r1", deepseek, "open_weights", D(2025, 1, 20)),
        ("v4", deepseek, "api_only", D(2026, 4, 24)),
        ("qwen3", qwen, "open_weights", D(2025, 4, 29)),
        ("secret", draft, "api_only", None),
    ]:
        factories.make_model_release(slug=slug, developer=developer, weights=weights, released_on=day)
    body = client.get(
        "/api/v1/model-releases/", {"facet": ["developer", "weights", "released_on_year"], "limit": 1}
    ).json()
    # The developer in review is not shown, so its release counts as having none.
    assert facet(body, "developer") == [("deepseek", "DeepSeek", 3), ("alibaba-qwen", "Qwen", 1), (None, None, 1)]
    assert facet(body, "weights") == [("open_weights", "Open weights (downloadable)", 3), ("api_only", "API only", 2)]
    assert facet(body, "released_on_year") == [
        ("2025", "2025", 2),
        ("2024", "2024", 1),
        ("2026", "2026", 1),
        (None, None, 1),
    ]
    assert body["facets"]["developer"]["truncated"] is False
    assert body["count"] == 5 and len(body["results"]) == 1  # counted over all pages, not the page


def test_a_facet_is_counted_under_every_filter_but_its_own(client):
    deepseek = factories.make_organization(slug="deepseek")
    qwen = factories.make_organization(slug="alibaba-qwen")
    factories.make_model_release(slug="v3", developer=deepseek, weights="open_weights")
    factories.make_model_release(slug="v4", developer=deepseek, weights="api_only")
    factories.make_model_release(slug="qwen3", developer=qwen, weights="open_weights")
    body = client.get(
        "/api/v1/model-releases/", {"developer": "deepseek", "weights__not": "api_only", "facet": "developer,weights"}
    ).json()
    assert [record["slug"] for record in body["results"]] == ["v3"]
    # developer: under weights__not only; weights: under developer only.
    assert facet(body, "developer") == [("alibaba-qwen", "Alibaba Qwen", 1), ("deepseek", "Deepseek", 1)]
    assert facet(body, "weights") == [("api_only", "API only", 1), ("open_weights", "Open weights (downloadable)", 1)]


def test_facets_of_to_many_relations_and_countries(client):
    h800 = factories.make_chip(slug="h800", name="H800")
    h20 = factories.make_chip(slug="h20", name="H20")
    both = factories.make_export_control(slug="both")
    both.covered_chips.set([h800, h20])
    both.target_countries.set(["CN", "MO"])
    one = factories.make_export_control(slug="one")
    one.covered_chips.set([h20])
    one.target_countries.set(["CN"])
    factories.make_export_control(slug="none", end_reason="rescinded", ends_on=D(2025, 1, 1))
    body = client.get("/api/v1/export-controls/", {"facet": ["covers_chip", "target_country", "end_reason"]}).json()
    assert facet(body, "covers_chip") == [("h20", "H20", 2), ("h800", "H800", 1), (None, None, 1)]
    assert facet(body, "target_country") == [("CN", "China", 2), ("MO", "Macau", 1), (None, None, 1)]
    assert facet(body, "end_reason") == [(None, None, 2), ("rescinded", "Rescinded", 1)]


def test_facets_truncate_at_thirty_values(client):
    for index in range(32):
        factories.make_source(slug=f"s{index}", publisher=f"Publisher {index:02d}")
    body = client.get("/api/v1/sources/", {"facet": "publisher"}).json()
    assert len(body["facets"]["publisher"]["values"]) == 30
    assert body["facets"]["publisher"]["truncated"] is True


def test_an_unknown_facet_is_a_400_naming_it_and_without_facet_the_page_has_none(client):
    response = client.get("/api/v1/model-releases/", {"facet": "developer,colour"})
    assert response.status_code == 400
    assert "colour" in response.json()["facet"][0]
    assert client.get("/api/v1/model-releases/").json()["facets"] == {}


def test_facets_cost_a_constant_number_of_queries(client):
    def ask():
        return client.get("/api/v1/access-grants/", {"facet": ["grantee", "outcome", "starts_on_year"]})

    factories.make_access_grant()
    with CaptureQueriesContext(connection) as few:
        assert ask().status_code == 200
    for _ in range(12):
        factories.make_access_grant(starts_on=D(2025, 3, 1))
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        assert ask().status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


# Dossiers: a record's detail carries the records that refer to it.


def test_a_model_release_lists_its_grants_and_the_controls_on_its_training_chips(client):
    deepseek = factories.make_organization(slug="deepseek")
    huawei = factories.make_organization(slug="huawei")
    nvidia = factories.make_organization(slug="nvidia")
    hidden = factories.make_organization(slug="hidden", review_status="in_review")
    h800 = factories.make_chip(slug="h800", vendor=nvidia)
    v4 = factories.make_model_release(slug="deepseek-v4", developer=deepseek)
    v4.training_chips.add(h800)
    factories.make_access_grant(slug="v4-huawei", model=v4, grantee=huawei, grantor=deepseek, outcome="granted")
    factories.make_access_grant(slug="v4-nvidia", model=v4, grantee=nvidia, grantor=deepseek, outcome="withheld")
    factories.make_access_grant(slug="v4-hidden", model=v4, grantee=hidden, grantor=deepseek)
    factories.make_access_grant(slug="draft-grant", model=v4, grantee=huawei, review_status="draft")
    # Other measures and releases first, so that no id of one kind equals the id of another by chance.
    for index in range(3):
        factories.make_export_control(slug=f"unrelated-{index}")
    other = factories.make_model_release(slug="other-model")
    other.training_chips.add(factories.make_chip(slug="tpu"))
    factories.make_export_control(slug="tpu-rule").covered_chips.add(other.training_chips.get())
    acs = factories.make_export_control(slug="us-oct2023-acs", title="ACS rule", effective_on=D(2023, 11, 17))
    acs.covered_chips.add(h800)
    factories.make_export_control(slug="draft-rule", review_status="draft").covered_chips.add(h800)
    assert [
        c["slug"] for c in client.get("/api/v1/model-releases/other-model/").json()["controls_on_training_chips"]
    ] == ["tpu-rule"]
    body = client.get("/api/v1/model-releases/deepseek-v4/").json()
    grants = {grant["slug"]: grant for grant in body["access_grants"]}
    assert set(grants) == {"v4-huawei", "v4-nvidia", "v4-hidden"}
    assert (grants["v4-nvidia"]["grantee"], grants["v4-nvidia"]["outcome"]) == ("nvidia", "withheld")
    assert grants["v4-hidden"]["grantee"] is None  # an organization in review is not named
    assert grants["v4-huawei"]["url"] == "http://testserver/api/v1/access-grants/v4-huawei/"
    [control] = body["controls_on_training_chips"]
    assert (control["slug"], control["effective_on"], control["ends_on"]) == ("us-oct2023-acs", "2023-11-17", None)
    # Lists stay lean.
    listed = client.get("/api/v1/model-releases/").json()["results"]
    assert not any("access_grants" in record for record in listed)


def test_an_organization_dossier_answers_everything_about_it_in_one_call(client):
    huawei = factories.make_organization(slug="huawei", name="Huawei")
    deepseek = factories.make_organization(slug="deepseek")
    bis = factories.make_organization(slug="us-bis", kind="government_agency")
    factories.make_chip(slug="ascend-910c", vendor=huawei)
    pangu = factories.make_model_release(slug="pangu", developer=huawei, released_on=D(2025, 6, 20))
    factories.make_access_grant(
        slug="v4-huawei", model=factories.make_model_release(developer=deepseek), grantee=huawei
    )
    factories.make_access_grant(slug="pangu-out", model=pangu, grantee=deepseek)
    listing = factories.make_export_control(slug="huawei-el-2019", authority=bis, effective_on=D(2019, 5, 16))
    listing.targeted_organizations.add(huawei)
    body = client.get("/api/v1/organizations/huawei/").json()
    assert [(m["slug"], m["released_on"]) for m in body["model_releases"]] == [("pangu", "2025-06-20")]
    assert [g["slug"] for g in body["grants_received"]] == ["v4-huawei"]
    assert [g["slug"] for g in body["grants_given"]] == ["pangu-out"]
    assert [(c["slug"], c["effective_on"]) for c in body["export_controls_targeting"]] == [
        ("huawei-el-2019", "2019-05-16")
    ]
    assert [c["slug"] for c in body["chips"]] == ["ascend-910c"]
    assert [c["slug"] for c in client.get("/api/v1/organizations/us-bis/").json()["export_controls_issued"]] == [
        "huawei-el-2019"
    ]


def test_a_chip_dossier_lists_the_measures_covering_it_and_the_models_trained_on_it(client):
    h20 = factories.make_chip(slug="h20")
    factories.make_model_release(slug="trained").training_chips.add(h20)
    factories.make_export_control(slug="h20-licence", effective_on=D(2025, 4, 9)).covered_chips.add(h20)
    body = client.get("/api/v1/chips/h20/").json()
    assert [c["slug"] for c in body["export_controls"]] == ["h20-licence"]
    assert [m["slug"] for m in body["trained_models"]] == ["trained"]


@pytest.mark.parametrize("resource", ["organizations", "chips", "model-releases"])
def test_a_dossier_costs_the_same_queries_however_many_records_refer_to_it(client, resource):
    org = factories.make_organization(slug="org")
    chip = factories.make_chip(slug="chip", vendor=org)
    model = factories.make_model_release(slug="model", developer=org)
    slug = {"organizations": "org", "chips": "chip", "model-releases": "model"}[resource]

    def queries():
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/api/v1/{resource}/{slug}/").status_code == 200
        return len(captured.captured_queries)

    few = queries()
    for _ in range(5):
        factories.make_access_grant(model=model, grantee=org, grantor=org)
        factories.make_model_release(developer=org).training_chips.add(chip)
        control = factories.make_export_control()
        control.covered_chips.add(chip)
        control.targeted_organizations.add(org)
        model.training_chips.add(factories.make_chip(vendor=org))
    assert queries() == few


# Reverse relations on lists: ?expand=


def test_expand_adds_a_capped_and_counted_reverse_relation_to_each_record_of_a_list(client):
    busy = factories.make_model_release(slug="busy")
    quiet = factories.make_model_release(slug="quiet")
    for index in range(EXPAND_LIMIT + 2):
        factories.make_access_grant(slug=f"grant-{index:02d}", model=busy)
    factories.make_access_grant(slug="grant-draft", model=busy, review_status="draft")
    body = client.get("/api/v1/model-releases/", {"expand": "access_grants"}).json()
    records = {record["slug"]: record for record in body["results"]}
    # The first EXPAND_LIMIT by slug, as the record's own route shows them; the count holds them all, no draft.
    assert [grant["slug"] for grant in records["busy"]["access_grants"]] == [
        f"grant-{index:02d}" for index in range(EXPAND_LIMIT)
    ]
    assert records["busy"]["access_grants_count"] == EXPAND_LIMIT + 2
    assert records["quiet"]["access_grants"] == []
    assert records["quiet"]["access_grants_count"] == 0
    own = client.get("/api/v1/model-releases/busy/").json()["access_grants"]
    assert own[:EXPAND_LIMIT] == records["busy"]["access_grants"]
    assert len(own) == EXPAND_LIMIT + 2
    # Only what is asked for: the other relation stays out.
    assert "controls_on_training_chips" not in records["busy"]
    assert quiet.slug in records


def test_expand_on_organizations_and_chips_several_at_once(client):
    org = factories.make_organization(slug="org")
    chip = factories.make_chip(slug="chip", vendor=org)
    factories.make_model_release(slug="model", developer=org).training_chips.add(chip)
    control = factories.make_export_control(slug="listing", effective_on=D(2024, 12, 2))
    control.targeted_organizations.add(org)
    control.covered_chips.add(chip)
    response = client.get("/api/v1/organizations/", {"expand": "chips,export_controls_targeting", "fields": "name"})
    [record] = [record for record in response.json()["results"] if record["slug"] == "org"]
    assert set(record) == {
        "slug",
        "url",
        "name",
        "chips",
        "chips_count",
        "export_controls_targeting",
        "export_controls_targeting_count",
    }
    assert [(c["slug"], c["effective_on"]) for c in record["export_controls_targeting"]] == [("listing", "2024-12-02")]
    assert [c["slug"] for c in record["chips"]] == ["chip"]
    chips = client.get("/api/v1/chips/", {"expand": ["trained_models", "export_controls"]}).json()["results"]
    assert [m["slug"] for m in chips[0]["trained_models"]] == ["model"]
    assert chips[0]["export_controls_count"] == 1


def test_expand_with_negation_facets_and_csv(client):
    deepseek = factories.make_organization(slug="deepseek")
    other = factories.make_model_release(slug="other")
    factories.make_model_release(slug="v4", developer=deepseek)
    factories.make_access_grant(slug="to-other", model=other)
    params = {"developer__not": "deepseek", "expand": "access_grants", "facet": "developer"}
    body = client.get("/api/v1/model-releases/", params).json()
    assert [(r["slug"], r["access_grants_count"]) for r in body["results"]] == [("other", 1)]
    assert body["facets"]["developer"]["values"]
    csv = content_of(client.get("/api/v1/model-releases/", {**params, "format": "csv", "fields": "name"})).decode()
    header, row = csv.splitlines()[:2]
    assert header == "slug,url,name,access_grants,access_grants_count"
    assert row.endswith(',"to-other",1')


def test_an_unknown_expansion_is_a_400_naming_it_and_resources_without_dossiers_take_none(client):
    response = client.get("/api/v1/model-releases/", {"expand": "access_grants,grants_given"})
    assert response.status_code == 400
    assert "grants_given" in response.json()["expand"][0]
    response = client.get("/api/v1/access-grants/", {"expand": "model"})
    assert response.status_code == 400
    assert "Unknown parameter" in response.json()["expand"][0]


@pytest.mark.parametrize(
    ("resource", "expand"),
    [
        ("organizations", "model_releases,grants_given,grants_received,export_controls_targeting,chips"),
        ("chips", "export_controls,trained_models"),
        ("model-releases", "access_grants,controls_on_training_chips"),
    ],
)
def test_expand_costs_the_same_queries_whatever_the_page_size_and_the_records_referring(client, resource, expand):
    def queries(limit: int) -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/api/v1/{resource}/", {"expand": expand, "limit": limit})
            assert response.status_code == 200
        return len(captured.captured_queries)

    org = factories.make_organization()
    chip = factories.make_chip(vendor=org)
    factories.make_model_release(developer=org)
    few = queries(1)
    for _ in range(6):
        model = factories.make_model_release(developer=org)
        model.training_chips.add(chip)
        factories.make_access_grant(model=model, grantee=org, grantor=org)
        control = factories.make_export_control()
        control.covered_chips.add(chip)
        control.targeted_organizations.add(org)
    assert queries(1) == few
    assert queries(50) == few


# The browsable API's filter form.


def test_the_filter_form_labels_each_field_with_its_parameter_and_lists_no_record_to_pick(client):
    for index in range(40):
        factories.make_source(slug=f"source-{index}")
    html = client.get("/api/v1/access-grants/", HTTP_ACCEPT="text/html").content.decode()
    labels = [
        re.sub(r"\s+", " ", label).strip().rstrip(":") for label in re.findall(r"<label[^>]*>(.*?)</label>", html, re.S)
    ]
    assert "[invalid name]" not in html
    assert {"q", "updated_since", "source", "grantee__not", "ends_on__isnull", "facet", "fields"} <= set(labels)
    # A relation is a text box for slugs, not a multi-select of every published source.
    assert 'value="source-7"' not in html
    form = html[html.index('name="source"') - 200 : html.index('name="source"') + 200]
    assert "<select" not in form


def test_an_empty_slug_parameter_counts_as_not_given(listed):
    """The filter form sends its relation boxes empty: that selects nothing out, as for every other parameter."""
    factories.make_model_release(slug="one")
    assert listed("model-release", trained_on="", developer__not="") == {"one"}


# Search across everything: /api/v1/search/


def test_search_finds_the_published_records_of_every_resource(client):
    huawei = factories.make_organization(slug="huawei", name="Huawei Technologies")
    factories.make_chip(slug="ascend-910c", name="Huawei Ascend 910C", vendor=huawei)
    factories.make_export_control(slug="huawei-el-2019", title="Addition of Huawei to the Entity List")
    factories.make_source(slug="reuters-huawei", title="Huawei readies new AI chip")
    factories.make_model_release(slug="pangu", name="PanGu (Huawei)")
    factories.make_organization(slug="draft-huawei", name="Huawei draft", review_status="draft")
    factories.make_organization(slug="nvidia", name="NVIDIA")
    body = client.get("/api/v1/search/", {"q": "huawei"}).json()
    found = {(record["resource"], record["slug"]) for record in body["results"]}
    assert found == {
        ("organizations", "huawei"),
        ("chips", "ascend-910c"),
        ("export-controls", "huawei-el-2019"),
        ("sources", "reuters-huawei"),
        ("model-releases", "pangu"),
    }
    assert body["count"] == 5
    chip = next(record for record in body["results"] if record["slug"] == "ascend-910c")
    assert chip == {
        "resource": "chips",
        "slug": "ascend-910c",
        "name": "Huawei Ascend 910C",
        "url": "http://testserver/api/v1/chips/ascend-910c/",
    }


def test_search_pages_and_narrows_to_resources(client):
    for index in range(5):
        factories.make_organization(slug=f"lab-{index}", name=f"Frontier lab {index}")
        factories.make_model_release(slug=f"frontier-{index}", name=f"Frontier {index}")
    first = client.get("/api/v1/search/", {"q": "frontier", "limit": 4}).json()
    second = client.get(first["next"]).json()
    assert first["count"] == 10 and len(first["results"]) == 4
    assert not {r["slug"] for r in first["results"]} & {r["slug"] for r in second["results"]}
    only = client.get("/api/v1/search/", {"q": "frontier", "resource": "organizations"}).json()
    assert {r["resource"] for r in only["results"]} == {"organizations"}
    but = client.get("/api/v1/search/", {"q": "frontier", "resource__not": "organizations"}).json()
    assert {r["resource"] for r in but["results"]} == {"model-releases"}


def test_search_ranks_the_better_match_first(client):
    factories.make_organization(slug="deepseek", name="DeepSeek")
    factories.make_source(slug="long", title="A long report that mentions DeepSeek once among many other words here")
    results = client.get("/api/v1/search/", {"q": "deepseek"}).json()["results"]
    assert results[0]["slug"] == "deepseek"


def test_search_needs_its_text_and_refuses_unknown_parameters(client):
    assert list(client.get("/api/v1/search/").json()) == ["q"]
    assert client.get("/api/v1/search/", {"q": "x", "colour": "red"}).status_code == 400
    assert client.get("/api/v1/search/", {"q": "x", "resource": "planets"}).status_code == 400
