"""The query parameters of every list, through the real routes: each test shows that a filter keeps what it
should and drops what it should not."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories

pytestmark = pytest.mark.django_db

D = datetime.date

BUILDERS = {
    "organization": factories.make_organization,
    "source": factories.make_source,
    "chip": factories.make_chip,
    "model-release": factories.make_model_release,
    "access-grant": factories.make_access_grant,
    "export-control": factories.make_export_control,
}
CURATED = ["organization", "chip", "model-release", "access-grant", "export-control"]
# A text field that ``q`` searches, per resource, besides the slug.
SEARCHED = {
    "organization": "aliases",
    "source": "title",
    "chip": "name",
    "model-release": "family",
    "access-grant": "purpose",
    "export-control": "summary",
}


@pytest.fixture
def listed(client):
    """The slugs a list returns for the given parameters (a list value repeats the parameter)."""

    def get(basename: str, **params) -> set[str]:
        response = client.get(reverse(f"api:{basename}-list"), {"limit": 500, **params})
        assert response.status_code == 200, response.content
        results = [record["slug"] for record in response.json()["results"]]
        assert len(results) == len(set(results)), "a record is listed twice"
        return set(results)

    return get


# Shared by every resource.


@pytest.mark.parametrize("basename", BUILDERS)
def test_q_searches_slug_and_text_fields_ignoring_case(listed, basename):
    build = BUILDERS[basename]
    by_text = build(**{SEARCHED[basename]: "Covers the HUAWEI Ascend line"})
    by_slug = build(slug="ascend-910c")
    other = build()
    found = listed(basename, q="ascend")
    assert {by_text.slug, by_slug.slug} <= found
    assert other.slug not in found


@pytest.mark.parametrize("basename", BUILDERS)
def test_updated_since_keeps_records_changed_at_or_after_the_time(listed, basename):
    old, recent = BUILDERS[basename](), BUILDERS[basename]()
    model = type(old)
    model.objects.filter(pk=old.pk).update(updated_at=timezone.make_aware(datetime.datetime(2025, 1, 1, 12)))
    model.objects.filter(pk=recent.pk).update(updated_at=timezone.make_aware(datetime.datetime(2025, 3, 1, 12)))
    assert listed(basename, updated_since="2025-03-01T12:00:00Z") >= {recent.slug}
    assert old.slug not in listed(basename, updated_since="2025-03-01T12:00:00Z")
    assert {old.slug, recent.slug} <= listed(basename, updated_since="2025-01-01")


@pytest.mark.parametrize("basename", BUILDERS)
def test_ordering_sorts_descending_and_breaks_ties_by_slug(client, basename):
    records = [BUILDERS[basename](slug=slug) for slug in ("ord-b", "ord-a", "ord-c")]
    same_time = timezone.make_aware(datetime.datetime(2025, 1, 1))
    type(records[0]).objects.filter(pk__in=[r.pk for r in records]).update(updated_at=same_time)
    url = reverse(f"api:{basename}-list")

    def order(ordering):
        response = client.get(url, {"ordering": ordering, "q": "ord-"})
        assert response.status_code == 200, response.content
        return [record["slug"] for record in response.json()["results"]]

    assert order("-slug") == ["ord-c", "ord-b", "ord-a"]
    assert order("-updated_at") == ["ord-a", "ord-b", "ord-c"]


def test_ordering_by_a_domain_field_and_several_fields(client):
    for slug, released in (("m-old", D(2024, 1, 1)), ("m-new", D(2025, 6, 1)), ("m-mid", D(2025, 1, 1))):
        factories.make_model_release(slug=slug, released_on=released, parameters_total=10)
    url = reverse("api:model-release-list")
    response = client.get(url, {"ordering": "-released_on"})
    assert [record["slug"] for record in response.json()["results"]] == ["m-new", "m-mid", "m-old"]
    response = client.get(url, {"ordering": "parameters_total,released_on"})
    assert [record["slug"] for record in response.json()["results"]] == ["m-old", "m-mid", "m-new"]


def test_ordering_may_repeat_the_parameter(client):
    # openapi-python-client sends a list as repeated parameters; each key counts, as in the comma form.
    for slug, released in (("m-a", D(2025, 1, 1)), ("m-b", D(2025, 1, 1)), ("m-c", D(2024, 1, 1))):
        factories.make_model_release(slug=slug, released_on=released)
    url = reverse("api:model-release-list")
    repeated = client.get(f"{url}?ordering=-released_on&ordering=-slug")
    assert [record["slug"] for record in repeated.json()["results"]] == ["m-b", "m-a", "m-c"]
    comma = client.get(url, {"ordering": "-released_on,-slug"})
    assert comma.json()["results"] == repeated.json()["results"]


@pytest.mark.parametrize(
    "param", ["q", "updated_since", "ordering", "released_on_after", "parameters_total_min", "has_released", "family"]
)
def test_an_empty_parameter_counts_as_not_given(listed, param):
    # The browsable API's filter form sends every field, the empty ones too; the schema says allowEmptyValue.
    release = factories.make_model_release(parameters_total=None, released_on=None)
    assert release.slug in listed("model-release", **{param: ""})


@pytest.mark.parametrize("ordering", ["tpp", "-tpp"])
def test_ordering_puts_records_without_a_value_last(client, ordering):
    factories.make_chip(slug="c-unknown", tpp=None)
    factories.make_chip(slug="c-low", tpp=100)
    factories.make_chip(slug="c-high", tpp=900)
    response = client.get(reverse("api:chip-list"), {"ordering": ordering})
    order = [record["slug"] for record in response.json()["results"]]
    assert order == (["c-low", "c-high", "c-unknown"] if ordering == "tpp" else ["c-high", "c-low", "c-unknown"])


@pytest.mark.parametrize("basename", CURATED)
def test_source_keeps_records_citing_any_of_the_sources(listed, basename):
    build = BUILDERS[basename]
    reuters, bis = factories.make_source(slug="reuters-1"), factories.make_source(slug="bis-1")
    cites_reuters, cites_bis, cites_both, cites_none = build(), build(), build(), build()
    factories.make_citation(cites_reuters, reuters)
    factories.make_citation(cites_bis, bis)
    factories.make_citation(cites_both, reuters, locator="p. 1")
    factories.make_citation(cites_both, reuters, locator="p. 2")
    factories.make_citation(cites_both, bis)
    assert listed(basename, source="reuters-1") == {cites_reuters.slug, cites_both.slug}
    found = listed(basename, source=["reuters-1", "bis-1"])
    assert found == {cites_reuters.slug, cites_bis.slug, cites_both.slug}
    assert cites_none.slug not in found


@pytest.mark.parametrize("basename", CURATED)
def test_confidence_keeps_records_of_the_given_levels(listed, basename):
    build = BUILDERS[basename]
    high, medium, low = build(confidence="high"), build(confidence="medium"), build(confidence="low")
    assert high.slug in listed(basename, confidence="high")
    assert {medium.slug, low.slug}.isdisjoint(listed(basename, confidence="high"))
    assert {high.slug, low.slug} <= listed(basename, confidence=["high", "low"])
    assert medium.slug not in listed(basename, confidence=["high", "low"])


# Organizations.


def test_organizations_country(listed):
    cn = factories.make_organization(country="CN")
    us = factories.make_organization(country="US")
    assert cn.slug in listed("organization", country="CN")
    assert us.slug not in listed("organization", country="CN")


def test_organizations_kind(listed):
    lab = factories.make_organization(kind="ai_lab")
    agency = factories.make_organization(kind="government_agency")
    assert listed("organization", kind="government_agency") == {agency.slug}
    assert lab.slug not in listed("organization", kind="government_agency")


# Sources.


def test_sources_publisher_is_exact_ignoring_case_and_repeatable(listed):
    reuters = factories.make_source(publisher="Reuters")
    ft = factories.make_source(publisher="Financial Times")
    factories.make_source(publisher="Reuters Breakingviews")
    assert listed("source", publisher="reuters") == {reuters.slug}
    assert listed("source", publisher=["Reuters", "financial times"]) == {reuters.slug, ft.slug}


def test_sources_kind(listed):
    law = factories.make_source(kind="legal_text")
    news = factories.make_source(kind="news_report")
    assert listed("source", kind="legal_text") == {law.slug}
    assert news.slug not in listed("source", kind="legal_text")


def test_sources_published_on_range(listed):
    early = factories.make_source(published_on=D(2024, 12, 31))
    inside = factories.make_source(published_on=D(2025, 1, 1))
    late = factories.make_source(published_on=D(2025, 2, 1))
    undated = factories.make_source(published_on=None)
    assert listed("source", published_on_after="2025-01-01") == {inside.slug, late.slug}
    assert listed("source", published_on_before="2025-01-01") == {early.slug, inside.slug}
    assert undated.slug not in listed("source", published_on_after="2000-01-01")


# Chips.


def test_chips_vendor(listed):
    nvidia, amd = factories.make_organization(slug="nvidia"), factories.make_organization(slug="amd")
    h20, mi308 = factories.make_chip(vendor=nvidia), factories.make_chip(vendor=amd)
    other = factories.make_chip()
    assert listed("chip", vendor="nvidia") == {h20.slug}
    assert listed("chip", vendor=["nvidia", "amd"]) == {h20.slug, mi308.slug}
    assert other.slug not in listed("chip", vendor=["nvidia", "amd"])


def test_chips_kind(listed):
    gpu = factories.make_chip(kind="gpu")
    hbm = factories.make_chip(kind="memory")
    assert listed("chip", kind="memory") == {hbm.slug}
    assert gpu.slug not in listed("chip", kind="memory")


def test_chips_china_variant_of(listed):
    h100 = factories.make_chip(slug="nvidia-h100")
    h800 = factories.make_chip(slug="nvidia-h800", china_variant_of=h100)
    h20 = factories.make_chip(slug="nvidia-h20", china_variant_of=h100)
    assert listed("chip", china_variant_of="nvidia-h100") == {h800.slug, h20.slug}


def test_chips_tpp_range(listed):
    low, mid, high = factories.make_chip(tpp=2368), factories.make_chip(tpp=4800), factories.make_chip(tpp=15832)
    unknown = factories.make_chip(tpp=None)
    assert listed("chip", tpp_min=4800) == {mid.slug, high.slug}
    assert listed("chip", tpp_max=4800) == {low.slug, mid.slug}
    assert listed("chip", tpp_min=3000, tpp_max=5000) == {mid.slug}
    assert unknown.slug not in listed("chip", tpp_max=100_000)


# Model releases.


def test_model_releases_developer_repeated_means_or(listed):
    deepseek = factories.make_organization(slug="deepseek")
    qwen = factories.make_organization(slug="alibaba-qwen")
    v3 = factories.make_model_release(developer=deepseek)
    qwen3 = factories.make_model_release(developer=qwen)
    llama = factories.make_model_release()
    assert listed("model-release", developer="deepseek") == {v3.slug}
    assert listed("model-release", developer=["deepseek", "alibaba-qwen"]) == {v3.slug, qwen3.slug}
    assert llama.slug not in listed("model-release", developer=["deepseek", "alibaba-qwen"])


@pytest.mark.parametrize("status", ["draft", "withdrawn"])
def test_a_slug_that_names_no_published_record_is_a_400(client, status):
    # A typo or a hidden record must not look like "no results": the 400 names the parameter.
    factories.make_organization(slug="hidden-lab", review_status=status)
    factories.make_model_release(developer=factories.make_organization(slug="public-lab"))
    message = "Select a valid choice. {} is not the slug of a published record."
    for query, param, slug in [
        ("/api/v1/model-releases/?developer=no-such-lab", "developer", "no-such-lab"),
        ("/api/v1/model-releases/?developer=hidden-lab", "developer", "hidden-lab"),
        ("/api/v1/model-releases/?developer=public-lab&developer=no-such-lab", "developer", "no-such-lab"),
        ("/api/v1/access-grants/?model_developer=no-such-lab", "model_developer", "no-such-lab"),
        ("/api/v1/chips/?source=no-such-source", "source", "no-such-source"),
    ]:
        response = client.get(query)
        assert response.status_code == 400, query
        assert response.json() == {param: [message.format(slug)]}, query


def test_model_releases_developer_country(listed):
    cn = factories.make_model_release(developer=factories.make_organization(country="CN"))
    us = factories.make_model_release(developer=factories.make_organization(country="US"))
    hidden_dev = factories.make_model_release(
        developer=factories.make_organization(country="CN", review_status="draft")
    )
    assert listed("model-release", developer_country="CN") == {cn.slug}
    assert {us.slug, hidden_dev.slug}.isdisjoint(listed("model-release", developer_country="CN"))


def test_model_releases_weights(listed):
    open_weights = factories.make_model_release(weights="open_weights")
    api_only = factories.make_model_release(weights="api_only")
    assert listed("model-release", weights="api_only") == {api_only.slug}
    assert open_weights.slug not in listed("model-release", weights="api_only")


def test_model_releases_architecture(listed):
    moe = factories.make_model_release(architecture="moe")
    dense = factories.make_model_release(architecture="dense")
    assert listed("model-release", architecture="dense") == {dense.slug}
    assert moe.slug not in listed("model-release", architecture="dense")


def test_model_releases_family_is_exact_ignoring_case(listed):
    v3 = factories.make_model_release(family="DeepSeek-V3")
    v31 = factories.make_model_release(family="DeepSeek-V3.1")
    assert listed("model-release", family="deepseek-v3") == {v3.slug}
    assert v31.slug not in listed("model-release", family="deepseek-v3")


def test_model_releases_released_on_range(listed):
    dec = factories.make_model_release(released_on=D(2024, 12, 26))
    jan = factories.make_model_release(released_on=D(2025, 1, 20))
    announced = factories.make_model_release(released_on=None, announced_on=D(2025, 1, 1))
    assert listed("model-release", released_on_after="2025-01-20") == {jan.slug}
    assert listed("model-release", released_on_before="2025-01-19") == {dec.slug}
    assert announced.slug not in listed("model-release", released_on_before="2030-01-01")


def test_model_releases_announced_on_range(listed):
    early = factories.make_model_release(announced_on=D(2024, 11, 1), released_on=D(2025, 1, 1))
    late = factories.make_model_release(announced_on=D(2025, 6, 1), released_on=None)
    unannounced = factories.make_model_release(announced_on=None)
    assert listed("model-release", announced_on_after="2025-06-01") == {late.slug}
    assert listed("model-release", announced_on_before="2025-05-31") == {early.slug}
    assert unannounced.slug not in listed("model-release", announced_on_after="2000-01-01")


def test_model_releases_parameters_total_range(listed):
    small = factories.make_model_release(parameters_total=7_000_000_000)
    big = factories.make_model_release(parameters_total=671_000_000_000)
    unknown = factories.make_model_release(parameters_total=None)
    assert listed("model-release", parameters_total_min=100_000_000_000) == {big.slug}
    assert listed("model-release", parameters_total_max=100_000_000_000) == {small.slug}
    assert unknown.slug not in listed("model-release", parameters_total_min=0)


def test_model_releases_trained_on_lists_each_model_once(listed):
    h800, h20 = factories.make_chip(slug="nvidia-h800"), factories.make_chip(slug="nvidia-h20")
    both = factories.make_model_release()
    both.training_chips.set([h800, h20])
    one = factories.make_model_release()
    one.training_chips.set([h20])
    other = factories.make_model_release()
    assert listed("model-release", trained_on="nvidia-h800") == {both.slug}
    assert listed("model-release", trained_on=["nvidia-h800", "nvidia-h20"]) == {both.slug, one.slug}
    assert other.slug not in listed("model-release", trained_on="nvidia-h20")


def test_model_releases_has_released(listed):
    out = factories.make_model_release(released_on=D(2025, 1, 20))
    announced = factories.make_model_release(released_on=None, announced_on=D(2026, 1, 1))
    assert out.slug in listed("model-release", has_released="true")
    assert announced.slug not in listed("model-release", has_released="true")
    assert listed("model-release", has_released="false") == {announced.slug}


def test_different_parameters_combine_with_and(listed):
    deepseek = factories.make_organization(slug="deepseek")
    open_v3 = factories.make_model_release(developer=deepseek, weights="open_weights")
    factories.make_model_release(developer=deepseek, weights="api_only")
    factories.make_model_release(weights="open_weights")
    assert listed("model-release", developer="deepseek", weights="open_weights") == {open_v3.slug}


# Access grants.


def test_access_grants_model(listed):
    v4 = factories.make_model_release(slug="deepseek-v4")
    grant = factories.make_access_grant(model=v4)
    other = factories.make_access_grant()
    assert listed("access-grant", model="deepseek-v4") == {grant.slug}
    assert other.slug not in listed("access-grant", model="deepseek-v4")


def test_access_grants_model_developer(listed):
    deepseek = factories.make_organization(slug="deepseek")
    grant = factories.make_access_grant(model=factories.make_model_release(developer=deepseek))
    other = factories.make_access_grant()
    via_draft_model = factories.make_access_grant(
        model=factories.make_model_release(developer=deepseek, review_status="draft")
    )
    assert listed("access-grant", model_developer="deepseek") == {grant.slug}
    assert {other.slug, via_draft_model.slug}.isdisjoint(listed("access-grant", model_developer="deepseek"))


def test_access_grants_grantee(listed):
    huawei = factories.make_organization(slug="huawei")
    grant = factories.make_access_grant(grantee=huawei)
    other = factories.make_access_grant()
    assert listed("access-grant", grantee="huawei") == {grant.slug}
    assert other.slug not in listed("access-grant", grantee="huawei")


def test_access_grants_grantee_country(listed):
    cn = factories.make_access_grant(grantee=factories.make_organization(country="CN"))
    us = factories.make_access_grant(grantee=factories.make_organization(country="US"))
    unnamed = factories.make_access_grant(grantee=None, grantee_description="unnamed group")
    assert listed("access-grant", grantee_country="CN") == {cn.slug}
    assert {us.slug, unnamed.slug}.isdisjoint(listed("access-grant", grantee_country="CN"))


def test_access_grants_grantor(listed):
    anthropic = factories.make_organization(slug="anthropic")
    grant = factories.make_access_grant(grantor=anthropic)
    other = factories.make_access_grant()
    assert listed("access-grant", grantor="anthropic") == {grant.slug}
    assert other.slug not in listed("access-grant", grantor="anthropic")


def test_access_grants_access_type(listed):
    early = factories.make_access_grant(access_type="early_access")
    weights = factories.make_access_grant(access_type="weights")
    assert listed("access-grant", access_type="weights") == {weights.slug}
    assert early.slug not in listed("access-grant", access_type="weights")


def test_access_grants_outcome(listed):
    granted = factories.make_access_grant(outcome="granted")
    withheld = factories.make_access_grant(outcome="withheld")
    assert listed("access-grant", outcome="withheld") == {withheld.slug}
    assert granted.slug not in listed("access-grant", outcome="withheld")


def test_access_grants_claim_status(listed):
    confirmed = factories.make_access_grant(claim_status="confirmed")
    reported = factories.make_access_grant(claim_status="reported")
    assert listed("access-grant", claim_status="confirmed") == {confirmed.slug}
    assert reported.slug not in listed("access-grant", claim_status="confirmed")


def test_access_grants_active_on(listed):
    open_start = factories.make_access_grant(starts_on=None, ends_on=D(2026, 4, 24))
    running = factories.make_access_grant(starts_on=D(2026, 1, 1))
    ended_that_day = factories.make_access_grant(starts_on=D(2025, 1, 1), ends_on=D(2026, 3, 1))
    not_started = factories.make_access_grant(starts_on=D(2026, 3, 2))
    assert listed("access-grant", active_on="2026-03-01") == {open_start.slug, running.slug}
    assert {ended_that_day.slug, not_started.slug}.isdisjoint(listed("access-grant", active_on="2026-03-01"))


def test_access_grants_starts_on_range(listed):
    early = factories.make_access_grant(starts_on=D(2025, 12, 31))
    late = factories.make_access_grant(starts_on=D(2026, 2, 1))
    undated = factories.make_access_grant(starts_on=None)
    assert listed("access-grant", starts_on_after="2026-01-01") == {late.slug}
    assert listed("access-grant", starts_on_before="2026-01-01") == {early.slug}
    assert undated.slug not in listed("access-grant", starts_on_before="2030-01-01")


# Export controls.


def test_export_controls_jurisdiction(listed):
    us = factories.make_export_control(jurisdiction="US")
    cn = factories.make_export_control(jurisdiction="CN")
    assert listed("export-control", jurisdiction="CN") == {cn.slug}
    assert us.slug not in listed("export-control", jurisdiction="CN")


def test_export_controls_authority(listed):
    bis = factories.make_organization(slug="us-bis")
    rule = factories.make_export_control(authority=bis)
    other = factories.make_export_control()
    assert listed("export-control", authority="us-bis") == {rule.slug}
    assert other.slug not in listed("export-control", authority="us-bis")


def test_export_controls_instrument(listed):
    rule = factories.make_export_control(instrument="rule")
    listing = factories.make_export_control(instrument="entity_listing")
    assert listed("export-control", instrument="entity_listing") == {listing.slug}
    assert rule.slug not in listed("export-control", instrument="entity_listing")


def test_export_controls_target_country_lists_each_measure_once(listed):
    both = factories.make_export_control()
    both.target_countries.set(["CN", "MO"])
    macau = factories.make_export_control()
    macau.target_countries.set(["MO"])
    untargeted = factories.make_export_control()
    assert listed("export-control", target_country="CN") == {both.slug}
    assert listed("export-control", target_country=["CN", "MO"]) == {both.slug, macau.slug}
    assert untargeted.slug not in listed("export-control", target_country=["CN", "MO"])


def test_export_controls_targets_organization(listed):
    huawei = factories.make_organization(slug="huawei")
    listing = factories.make_export_control()
    listing.targeted_organizations.add(huawei, factories.make_organization())
    other = factories.make_export_control()
    assert listed("export-control", targets_organization="huawei") == {listing.slug}
    assert other.slug not in listed("export-control", targets_organization="huawei")


def test_export_controls_covers_chip(listed):
    h20 = factories.make_chip(slug="nvidia-h20")
    rule = factories.make_export_control()
    rule.covered_chips.add(h20)
    other = factories.make_export_control()
    assert listed("export-control", covers_chip="nvidia-h20") == {rule.slug}
    assert other.slug not in listed("export-control", covers_chip="nvidia-h20")


def test_export_controls_in_force_on_accounts_for_ends_and_suspensions(listed):
    in_force = factories.make_export_control(effective_on=D(2025, 1, 15))
    ended = factories.make_export_control(effective_on=D(2023, 1, 1), ends_on=D(2025, 5, 13), end_reason="rescinded")
    future = factories.make_export_control(effective_on=D(2026, 1, 1))
    suspended = factories.make_export_control(effective_on=D(2025, 10, 9))
    suspension = factories.make_export_control(instrument="suspension", effective_on=D(2025, 11, 10))
    suspension.suspends.add(suspended)
    found = listed("export-control", in_force_on="2025-11-10")
    assert {in_force.slug, suspension.slug} <= found
    assert {ended.slug, future.slug, suspended.slug}.isdisjoint(found)
    assert suspended.slug in listed("export-control", in_force_on="2025-11-09")


def test_export_controls_effective_on_range(listed):
    early = factories.make_export_control(effective_on=D(2023, 10, 17))
    late = factories.make_export_control(effective_on=D(2025, 1, 15))
    unknown = factories.make_export_control(effective_on=None)
    assert listed("export-control", effective_on_after="2024-01-01") == {late.slug}
    assert listed("export-control", effective_on_before="2024-01-01") == {early.slug}
    assert unknown.slug not in listed("export-control", effective_on_before="2030-01-01")


def test_export_controls_end_reason(listed):
    rescinded = factories.make_export_control(ends_on=D(2025, 5, 13), end_reason="rescinded")
    superseded = factories.make_export_control(ends_on=D(2024, 4, 4), end_reason="superseded")
    running = factories.make_export_control()
    assert listed("export-control", end_reason="rescinded") == {rescinded.slug}
    assert {superseded.slug, running.slug}.isdisjoint(listed("export-control", end_reason="rescinded"))


def test_export_controls_supersedes(listed):
    diffusion = factories.make_export_control(slug="us-ai-diffusion")
    replacement = factories.make_export_control()
    replacement.supersedes.add(diffusion)
    other = factories.make_export_control()
    assert listed("export-control", supersedes="us-ai-diffusion") == {replacement.slug}
    assert other.slug not in listed("export-control", supersedes="us-ai-diffusion")


def test_each_requests_filter_form_has_its_own_fields_sharing_what_never_changes():
    # Django deep-copies a form's fields for every form (the country list too); ours share them, each form with a
    # dict of its own (tests/test_filter_forms.py: checking and rendering leave the shared fields as they were).
    from django.http import QueryDict

    from api.filtersets import AccessGrantFilterSet

    first, second = (
        AccessGrantFilterSet(QueryDict(query)).form for query in ("grantee_country=CN", "grantee_country=XX")
    )
    assert first.fields is not second.fields
    assert first.fields["grantee_country"] is second.fields["grantee_country"]
    assert first.fields["grantee_country"].choice_values() is second.fields["grantee_country"].choice_values()
    assert "CN" in first.fields["grantee_country"].choice_values()
    assert first.is_valid() and first.cleaned_data["grantee_country"] == ["CN"]
    assert not second.is_valid() and "grantee_country" in second.errors


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "",
        "weights=open_weights",
        "weights=nonsense",
        "weights=open_weights&weights=api_only&confidence=high",
        "developer=lab",
        "developer=no-such-lab",
        "released_on_after=2024-01-01&released_on_before=2024-13-01",
        "parameters_total_min=5&parameters_total_min=6",
        "q=zephyr&ordering=-released_on&fields=name",
        "developer__not=lab&has_released=true",
    ],
)
def test_a_filter_form_cleans_as_djangos_own_whatever_is_given(query, monkeypatch):
    # Parameters not given take the value their field cleans "not given" to, worked out once: the same as cleaning.
    from django import forms
    from django.http import QueryDict

    from api.filtersets import ModelReleaseFilterSet

    factories.make_organization(slug="lab")

    def cleaned(form):
        return form.is_valid(), dict(form.cleaned_data), {name: list(errors) for name, errors in form.errors.items()}

    ours = cleaned(ModelReleaseFilterSet(QueryDict(query)).form)
    with monkeypatch.context() as patched:
        patched.setattr(type(ModelReleaseFilterSet(QueryDict()).form), "_clean_fields", forms.Form._clean_fields)
        django_s = cleaned(ModelReleaseFilterSet(QueryDict(query)).form)
    assert repr(ours) == repr(django_s)


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["", "developer_country=CN&developer_country=CI&weights=open_weights"])
def test_the_browsable_apis_enum_selects_render_as_djangos_templates_render_them(query):
    # The fast rendering writes what select.html and select_option.html write, escaping included ("Côte d'Ivoire").
    from django import forms
    from django.http import QueryDict

    from api import filtersets
    from api.filters import EnumField, FastSelectMultiple
    from api.views import VIEWSETS

    rendered = 0
    for filterset_class in (viewset.filterset_class for viewset in VIEWSETS.values()):
        form = filterset_class(QueryDict(query)).form
        form.is_valid()
        for name, field in form.fields.items():
            if not isinstance(field, EnumField) or type(field.widget) is not FastSelectMultiple:
                continue
            fast = str(form[name])
            field.widget.__class__ = forms.SelectMultiple
            try:
                assert fast == str(form[name]), name
            finally:
                field.widget.__class__ = FastSelectMultiple
            rendered += 1
    assert rendered > 10
    form = filtersets.ModelReleaseFilterSet(QueryDict(query)).form
    assert type(form.fields["developer_country"].widget) is FastSelectMultiple
