"""The Python client that openapi-python-client generates from the committed schema works as generated.

The generator runs on ``api/openapi.yaml`` into a temporary folder, without a warning; the generated package
is imported as it is (no hand edit) and used against a live server holding a small dataset: every list,
pagination to the end, one filter of each kind, a record by slug with its nested records and citations,
and the documented errors. Dates arrive as ``datetime.date``, enums as enum members.
"""

import datetime
import importlib
import inspect
import os
import subprocess
import sys
import typing
from pathlib import Path

import pytest

from datasets.models import AccessGrant, Chip, ExportControl, ModelRelease, Organization, Source
from tests import factories

SCHEMA = Path(__file__).resolve().parent.parent / "api" / "openapi.yaml"
PACKAGE = "registry_client"
D = datetime.date

# Each resource: the generated API module, and the model that lists it.
RESOURCES = {
    "organizations": Organization,
    "sources": Source,
    "chips": Chip,
    "model_releases": ModelRelease,
    "access_grants": AccessGrant,
    "export_controls": ExportControl,
}

# The live server reads the database from another thread: the records must be committed (transaction=True),
# and the countries that a migration loads must come back after each test's flush (serialized_rollback).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(scope="module")
def generator_run(tmp_path_factory) -> subprocess.CompletedProcess:
    """openapi-python-client's run on the committed schema, with its default post-hooks (ruff from this venv)."""
    bindir = Path(sys.executable).parent
    target = tmp_path_factory.mktemp("client") / PACKAGE
    command = [bindir / "openapi-python-client", "generate", "--path", SCHEMA, "--meta", "none", "--fail-on-warning"]
    return subprocess.run(
        [*command, "--output-path", target],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}"},
        cwd=target.parent,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def generated(generator_run):
    """The generated package, imported from its folder."""
    assert generator_run.returncode == 0, generator_run.stdout + generator_run.stderr
    folder = str(Path(generator_run.args[-1]).parent)
    sys.path.insert(0, folder)
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(folder)
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def operation(name: str):
    """A generated operation module, e.g. ``operation("model_releases_list")``."""
    resource = name.rpartition("_")[0]
    return importlib.import_module(f"{PACKAGE}.api.{resource}.{name}")


@pytest.fixture
def api(generated, live_server):
    client = generated.Client(base_url=live_server.url, raise_on_unexpected_status=True)
    with client as opened:
        yield opened


@pytest.fixture
def models(generated):
    return importlib.import_module(f"{PACKAGE}.models")


@pytest.fixture
def dataset(transactional_db):
    """A small registry: a few records of each kind, related and cited, plus records the API must hide."""
    deepseek = factories.make_organization(slug="deepseek", name="DeepSeek", country="CN")
    qwen = factories.make_organization(slug="alibaba-qwen", name="Alibaba Qwen", country="CN")
    nvidia = factories.make_organization(slug="nvidia", name="NVIDIA", kind="chipmaker")
    huawei = factories.make_organization(slug="huawei", name="Huawei", country="CN", kind="chipmaker")
    bis = factories.make_organization(slug="us-bis", name="BIS", kind="government_agency")
    factories.make_organization(slug="draft-lab", review_status="draft")
    h100 = factories.make_chip(slug="nvidia-h100", name="H100", vendor=nvidia, tpp=15832)
    h800 = factories.make_chip(slug="nvidia-h800", name="H800", vendor=nvidia, tpp=15832, china_variant_of=h100)
    h20 = factories.make_chip(slug="nvidia-h20", name="H20", vendor=nvidia, tpp=2368, china_variant_of=h100)
    v3 = factories.make_model_release(
        slug="deepseek-v3",
        name="DeepSeek-V3",
        developer=deepseek,
        released_on=D(2024, 12, 26),
        parameters_total=671_000_000_000,
        confidence="high",
    )
    v3.training_chips.add(h800)
    factories.make_model_release(
        slug="deepseek-r1", developer=deepseek, released_on=D(2025, 1, 20), parameters_total=671_000_000_000
    )
    v4 = factories.make_model_release(
        slug="deepseek-v4",
        developer=deepseek,
        announced_on=D(2026, 3, 1),
        released_on=None,
        weights="unreleased",
        architecture="moe",
    )
    factories.make_model_release(
        slug="qwen3-235b", developer=qwen, released_on=D(2025, 4, 29), parameters_total=235_000_000_000
    )
    factories.make_model_release(slug="llama-closed", weights="api_only", released_on=D(2025, 4, 5))
    factories.make_access_grant(slug="v4-huawei", model=v4, grantee=huawei, starts_on=D(2026, 2, 1))
    factories.make_access_grant(
        slug="v3-nvidia-ended", model=v3, grantee=nvidia, starts_on=D(2025, 1, 1), ends_on=D(2025, 6, 1)
    )
    factories.make_access_grant(slug="v4-withheld", model=v4, outcome="withheld", grantee=nvidia, starts_on=None)
    diffusion = factories.make_export_control(
        slug="us-ai-diffusion",
        title="AI Diffusion rule",
        authority=bis,
        effective_on=D(2025, 1, 15),
        ends_on=D(2025, 5, 13),
        end_reason="rescinded",
    )
    diffusion.covered_chips.set([h100, h800])
    diffusion.target_countries.set(["CN"])
    october = factories.make_export_control(slug="us-oct-2023", authority=bis, effective_on=D(2023, 11, 17))
    october.covered_chips.set([h800, h20])
    october.targeted_organizations.add(huawei)
    factories.make_export_control(slug="cn-gallium-2023", jurisdiction="CN", effective_on=D(2023, 8, 1))
    factories.make_export_control(slug="draft-rule", review_status="in_review")
    paper = factories.make_source(slug="deepseek-v3-report", title="DeepSeek-V3 Technical Report", kind="paper")
    factories.make_source(slug="reuters-h20", publisher="Reuters", published_on=D(2025, 4, 15))
    factories.make_source(slug="undated", published_on=None)
    factories.make_citation(v3, paper, locator="p. 1", quote="671B total parameters")
    factories.make_citation(v3, factories.make_source(slug="draft-source", review_status="draft"))
    for record in (deepseek, h800, diffusion, ModelRelease.objects.get(slug="deepseek-r1")):
        factories.make_citation(record)


def list_all(api, resource: str, limit: int = 2, **params) -> list:
    """Every record of a list, page by page, following ``next`` until it is null."""
    list_operation = operation(f"{resource}_list")
    records, offset = [], 0
    while True:
        page = list_operation.sync(client=api, limit=limit, offset=offset, **params)
        assert type(page).__name__.startswith("Paginated"), page
        records += page.results
        assert len(page.results) <= limit
        if page.next_ is None:
            assert len(records) == page.count
            return records
        assert f"offset={offset + limit}" in page.next_
        offset += limit


def test_the_generator_has_no_warning_about_the_schema(generator_run):
    output = (generator_run.stdout + generator_run.stderr).splitlines()
    assert generator_run.returncode == 0, output
    assert [line for line in output if line.strip() and not line.startswith("Generating ")] == []


def test_the_client_needs_no_credentials(generated):
    # An anonymous API: every operation takes the plain Client (an AuthenticatedClient would need a token).
    for name in ["root_retrieve"] + [
        f"{resource}_{action}" for resource in RESOURCES for action in ("list", "retrieve")
    ]:
        annotation = inspect.signature(operation(name).sync).parameters["client"].annotation
        assert generated.Client in typing.get_args(annotation), (name, annotation)


def test_every_list_follows_pagination_to_the_end(api, dataset):
    for resource, model in RESOURCES.items():
        records = list_all(api, resource)
        slugs = [record.slug for record in records]
        assert slugs == sorted(model.objects.published().values_list("slug", flat=True)), resource
        assert len(slugs) >= 3, resource


def test_root_lists_every_resource_with_its_count(api, dataset, live_server):
    root = operation("root_retrieve").sync(client=api)
    assert root.resources.model_releases.count == ModelRelease.objects.published().count()
    assert root.resources.chips.url == f"{live_server.url}/api/v1/chips/"
    assert root.documentation.schema.startswith(live_server.url)


def test_dates_arrive_as_dates_and_enums_as_enum_members(api, models, dataset):
    releases = {release.slug: release for release in list_all(api, "model_releases")}
    v3 = releases["deepseek-v3"]
    assert v3.released_on == D(2024, 12, 26)
    assert type(v3.released_on) is datetime.date
    assert releases["deepseek-v4"].released_on is None
    assert releases["deepseek-v4"].announced_on == D(2026, 3, 1)
    assert v3.weights is models.WeightsEnum.OPEN_WEIGHTS
    assert v3.architecture is models.ArchitectureEnum.MOE
    assert v3.confidence is models.ConfidenceEnum.HIGH
    assert isinstance(v3.updated_at, datetime.datetime)
    assert v3.updated_at.tzinfo is not None
    assert v3.parameters_total == 671_000_000_000
    organizations = {organization.slug: organization for organization in list_all(api, "organizations")}
    assert organizations["deepseek"].country is models.CountryEnum.CN
    assert organizations["nvidia"].kind is models.OrganizationKindEnum.CHIPMAKER


def test_retrieve_by_slug_with_nested_records_and_citations(api, models, dataset, live_server):
    v3 = operation("model_releases_retrieve").sync(slug="deepseek-v3", client=api)
    assert isinstance(v3, models.ModelReleaseDetail)
    assert isinstance(v3.developer, models.BriefOrganization)
    assert (v3.developer.slug, v3.developer.name) == ("deepseek", "DeepSeek")
    assert v3.developer.url == f"{live_server.url}/api/v1/organizations/deepseek/"
    assert [(chip.slug, chip.name) for chip in v3.training_chips] == [("nvidia-h800", "H800")]
    [citation] = v3.citations  # the draft source is not cited publicly
    assert isinstance(citation, models.Citation)
    assert (citation.source, citation.locator, citation.quote) == (
        "deepseek-v3-report",
        "p. 1",
        "671B total parameters",
    )
    assert citation.published_on == D(2025, 1, 1)

    h800 = operation("chips_retrieve").sync(slug="nvidia-h800", client=api)
    assert h800.china_variant_of.slug == "nvidia-h100"
    assert h800.vendor.slug == "nvidia"
    diffusion = operation("export_controls_retrieve").sync(slug="us-ai-diffusion", client=api)
    assert diffusion.end_reason is models.EndReasonEnum.RESCINDED
    assert diffusion.ends_on == D(2025, 5, 13)
    assert diffusion.target_countries == ["CN"]
    assert {chip.slug for chip in diffusion.covered_chips} == {"nvidia-h100", "nvidia-h800"}
    assert diffusion.authority.slug == "us-bis"
    grant = operation("access_grants_retrieve").sync(slug="v4-huawei", client=api)
    assert (grant.model.slug, grant.grantee.slug, grant.starts_on) == ("deepseek-v4", "huawei", D(2026, 2, 1))
    assert grant.outcome is models.OutcomeEnum.GRANTED


def slugs(api, resource: str, **params) -> set[str]:
    return {record.slug for record in list_all(api, resource, **params)}


def test_a_filter_of_each_kind(api, models, dataset):
    # Slug (repeated means OR), enum, date range, number range, boolean.
    assert slugs(api, "model_releases", developer=["deepseek"]) == {"deepseek-v3", "deepseek-r1", "deepseek-v4"}
    assert slugs(api, "model_releases", developer=["alibaba-qwen", "deepseek"]) >= {"qwen3-235b", "deepseek-v3"}
    assert slugs(
        api, "model_releases", developer_country=[models.CountryEnum.CN], weights=[models.WeightsEnum.OPEN_WEIGHTS]
    ) == {"deepseek-v3", "deepseek-r1", "qwen3-235b"}
    assert slugs(api, "model_releases", released_on_after=D(2025, 1, 1), released_on_before=D(2025, 4, 29)) == {
        "deepseek-r1",
        "qwen3-235b",
        "llama-closed",
    }
    assert slugs(api, "model_releases", parameters_total_min=600_000_000_000) == {"deepseek-v3", "deepseek-r1"}
    assert slugs(api, "model_releases", has_released=False) == {"deepseek-v4"}
    assert "deepseek-v4" not in slugs(api, "model_releases", has_released=True)
    assert slugs(api, "model_releases", trained_on=["nvidia-h800"]) == {"deepseek-v3"}
    assert slugs(api, "chips", tpp_min=10_000, tpp_max=20_000) == {"nvidia-h100", "nvidia-h800"}
    assert slugs(api, "chips", china_variant_of=["nvidia-h100"]) == {"nvidia-h800", "nvidia-h20"}
    assert slugs(api, "sources", published_on_after=D(2025, 4, 1)) == {"reuters-h20"}
    assert slugs(api, "organizations", kind=[models.OrganizationKindEnum.CHIPMAKER]) == {"nvidia", "huawei"}
    # The point-in-time filters.
    assert slugs(api, "export_controls", in_force_on=D(2025, 3, 1), jurisdiction=[models.CountryEnum.US]) == {
        "us-ai-diffusion",
        "us-oct-2023",
    }
    assert slugs(api, "export_controls", in_force_on=D(2025, 6, 1)) == {"us-oct-2023", "cn-gallium-2023"}
    assert slugs(api, "export_controls", covers_chip=["nvidia-h20"], targets_organization=["huawei"]) == {"us-oct-2023"}
    assert slugs(api, "access_grants", active_on=D(2025, 3, 1)) == {"v3-nvidia-ended", "v4-withheld"}
    assert slugs(api, "access_grants", active_on=D(2026, 3, 1)) == {"v4-huawei", "v4-withheld"}
    assert slugs(api, "access_grants", outcome=[models.OutcomeEnum.WITHHELD]) == {"v4-withheld"}


def test_query_power_negation_fields_facets_and_dossiers(api, models, dataset):
    # Negation and has-a-value, typed like their positive parameters.
    assert slugs(api, "model_releases", developer_not=["deepseek"]) == {"qwen3-235b", "llama-closed"}
    assert slugs(api, "model_releases", weights_not=[models.WeightsEnum.OPEN_WEIGHTS]) == {
        "deepseek-v4",
        "llama-closed",
    }
    assert slugs(api, "access_grants", ends_on_isnull=False) == {"v3-nvidia-ended"}
    # Field selection: the other fields are absent (Unset), slug and url always there.
    fields = models.ModelReleasesListFieldsItem
    page = operation("model_releases_list").sync(client=api, developer=["deepseek"], fields=[fields.RELEASED_ON])
    v3 = next(record for record in page.results if record.slug == "deepseek-v3")
    assert v3.released_on == D(2024, 12, 26) and v3.url.endswith("/api/v1/model-releases/deepseek-v3/")
    assert isinstance(v3, models.ModelReleaseListItem)
    assert isinstance(v3.name, importlib.import_module(f"{PACKAGE}.types").Unset)
    # Facets: per field, values with label and count.
    facet = models.ModelReleasesListFacetItem
    page = operation("model_releases_list").sync(client=api, limit=1, facet=[facet.DEVELOPER, facet.WEIGHTS])
    developers = page.facets["developer"]
    assert [(value.value, value.label, value.count) for value in developers.values][:2] == [
        ("deepseek", "DeepSeek", 3),
        ("alibaba-qwen", "Alibaba Qwen", 1),
    ]
    assert developers.truncated is False
    # Search across every resource.
    found = operation("search_list").sync(client=api, q="deepseek", limit=50)
    assert ("organizations", "deepseek") in {(record.resource.value, record.slug) for record in found.results}
    assert found.count == len(found.results)
    # Dossier: the model's grants, granted and withheld, in one call.
    v4 = operation("model_releases_retrieve").sync(slug="deepseek-v4", client=api)
    assert {(grant.slug, grant.grantee, grant.outcome) for grant in v4.access_grants} == {
        ("v4-huawei", "huawei", models.OutcomeEnum.GRANTED),
        ("v4-withheld", "nvidia", models.OutcomeEnum.WITHHELD),
    }
    # The same on a list, on request: capped and counted, typed on the list's records.
    expand = models.ModelReleasesListExpandItem
    page = operation("model_releases_list").sync(
        client=api, developer=["deepseek"], fields=[fields.NAME], expand=[expand.ACCESS_GRANTS]
    )
    v4 = next(record for record in page.results if record.slug == "deepseek-v4")
    assert {grant.slug for grant in v4.access_grants} == {"v4-huawei", "v4-withheld"}
    assert v4.access_grants_count == 2
    assert isinstance(v4.controls_on_training_chips, importlib.import_module(f"{PACKAGE}.types").Unset)
    # q on a list also finds a grant by its grantee's name.
    assert "v4-withheld" in slugs(api, "access_grants", q="nvidia")


def test_ordering_by_generated_sort_keys(api, models, dataset):
    order = models.ModelReleasesListOrderingItem
    releases = list_all(api, "model_releases", ordering=[order.RELEASED_ON_DESC, order.SLUG])
    assert [release.slug for release in releases] == [
        "qwen3-235b",
        "llama-closed",
        "deepseek-r1",
        "deepseek-v3",
        "deepseek-v4",  # no release date: last
    ]


def test_documented_errors_arrive_parsed(api, models, dataset):
    bad = operation("model_releases_list").sync_detailed(client=api, q="deep\x00seek")
    assert bad.status_code == 400
    assert list(bad.parsed.additional_properties) == ["q"]
    missing = operation("chips_retrieve").sync_detailed(slug="no-such-chip", client=api)
    assert missing.status_code == 404
    assert isinstance(missing.parsed, models.Error)
    assert missing.parsed.detail
