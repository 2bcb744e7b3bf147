"""The OpenAPI schema: committed, warning-free, fully described, and true to the real responses."""

import datetime
import difflib
from pathlib import Path

import jsonschema
import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse

from tests import factories

SNAPSHOT = Path(__file__).resolve().parent.parent / "api" / "openapi.yaml"
REGENERATE = (
    "run `make schema` (or `.venv/bin/python manage.py spectacular --validate --fail-on-warn --file "
    "api/openapi.yaml`), review the diff and commit it with the change"
)
METHODS = {"get", "put", "post", "patch", "delete", "head", "options", "trace"}


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> str:
    """The schema the code generates now; --fail-on-warn turns any drf-spectacular warning into an error."""
    target = tmp_path_factory.mktemp("schema") / "openapi.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    return target.read_text()


@pytest.fixture(scope="module")
def schema(generated) -> dict:
    return yaml.safe_load(generated)


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def test_committed_schema_matches_the_code(generated):
    committed = SNAPSHOT.read_text() if SNAPSHOT.exists() else ""
    if committed != generated:
        diff = "".join(
            list(
                difflib.unified_diff(
                    committed.splitlines(keepends=True),
                    generated.splitlines(keepends=True),
                    "api/openapi.yaml (committed)",
                    "generated",
                )
            )[:60]
        )
        pytest.fail(f"api/openapi.yaml differs from what the code generates; {REGENERATE}.\n{diff}")


def test_operation_ids_are_stable(schema):
    ids = {operation["operationId"] for _, _, operation in operations(schema)}
    resources = ["organizations", "sources", "chips", "model_releases", "access_grants", "export_controls"]
    actions = ("list", "retrieve", "history_list")
    assert ids == {"root_retrieve", "dataset_retrieve", "changes_list", "search_list"} | {
        f"{r}_{action}" for r in resources for action in actions
    }


def test_api_is_read_only_in_the_schema(schema):
    assert {method for _, method, _ in operations(schema)} == {"get"}


def test_every_operation_parameter_and_field_is_described(schema):
    for path, method, operation in operations(schema):
        assert operation.get("description") and operation.get("summary"), (path, method)
        for parameter in operation.get("parameters", []):
            assert parameter.get("description"), (path, parameter["name"])
        for code, response in operation["responses"].items():
            assert response.get("description"), (path, code)
    for name, component in schema["components"]["schemas"].items():
        assert component.get("description") or "enum" in component or name.startswith("Paginated"), name
        for field, prop in component.get("properties", {}).items():
            assert prop.get("description"), f"{name}.{field}"


def test_every_enum_is_a_named_component(schema):
    """Apart from ``ordering``, ``fields``, ``facet`` and ``expand`` (a resource's own sort keys, field, facet and
    relation names), no enum is inlined: a client gets one type per concept."""
    components = schema["components"]["schemas"]
    expected = {
        "AccessTypeEnum",
        "ArchitectureEnum",
        "ChipKindEnum",
        "ClaimStatusEnum",
        "ConfidenceEnum",
        "CountryEnum",
        "DatePrecisionEnum",
        "EndReasonEnum",
        "InstrumentEnum",
        "OrganizationKindEnum",
        "OutcomeEnum",
        "SourceKindEnum",
        "WeightsEnum",
        "BlankEnum",
        "FormatEnum",
        "ChangeTypeEnum",
        "ResourceEnum",
    }
    assert {name for name, component in components.items() if "enum" in component} == expected

    def inline_enums(node, where):
        if isinstance(node, dict):
            if "enum" in node:
                yield where
            for key, value in node.items():
                yield from inline_enums(value, f"{where}.{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield from inline_enums(value, f"{where}[{index}]")

    for path, _, operation in operations(schema):
        for parameter in operation.get("parameters", []):
            if parameter["name"] not in ("ordering", "fields", "facet", "expand"):
                assert not list(inline_enums(parameter, parameter["name"])), (path, parameter["name"])
    for name, component in components.items():
        if "enum" not in component:
            assert not list(inline_enums(component, name)), name


# The documented shapes against real responses.


def as_json_schema(node):
    """OpenAPI 3.0 schema objects as JSON Schema: ``nullable`` becomes a null alternative, boolean
    exclusive bounds become numbers, and objects refuse undocumented properties so that a field missing
    from the schema fails the check."""
    if isinstance(node, list):
        return [as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: as_json_schema(value) for key, value in node.items()}
    if "properties" in node:
        node.setdefault("additionalProperties", False)
    for bound in ("Maximum", "Minimum"):
        if node.get(f"exclusive{bound}") is True:
            node[f"exclusive{bound}"] = node.pop(bound.lower())
    if "oneOf" in node:
        # Formats are not asserted here, so "" matches both branches of a blank-allowed URL's oneOf.
        node["anyOf"] = node.pop("oneOf")
    if node.pop("nullable", False):
        node = {"anyOf": [node, {"type": "null"}]}
    return node


def assert_matches(schema, path, code, body):
    documented = schema["paths"][path]["get"]["responses"][code]["content"]["application/json"]["schema"]
    validator = jsonschema.Draft202012Validator(
        {**as_json_schema(documented), "components": as_json_schema(schema["components"])}
    )
    errors = sorted(validator.iter_errors(body), key=str)
    assert not errors, f"{path} {code}: " + "; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


@pytest.fixture
def records(db):
    """Records with every kind of value the responses can hold: nulls, empty lists, nested records,
    unpublished relations (null or left out) and citations."""
    deepseek = factories.make_organization(slug="deepseek", country="CN", aliases="DeepSeek AI")
    factories.make_organization(slug="iaea", country="")
    draft_org = factories.make_organization(review_status="draft")
    h100 = factories.make_chip(slug="nvidia-h100", memory_gb=80, tpp=15832)
    h800 = factories.make_chip(slug="nvidia-h800", china_variant_of=h100, vendor=draft_org)
    v3 = factories.make_model_release(slug="deepseek-v3", developer=deepseek, parameters_total=671_000_000_000)
    v3.training_chips.add(h800)
    factories.make_model_release(slug="draft-dev", developer=draft_org, released_on=None, announced_on=None)
    factories.make_access_grant(model=v3, grantee=None, grantee_description="Chinese chipmakers", grantor=None)
    factories.make_access_grant(model=None, model_description="Claude models", ends_on=None)
    control = factories.make_export_control(
        slug="us-ai-diffusion", ends_on=datetime.date(2025, 5, 13), end_reason="rescinded"
    )
    control.target_countries.set(["CN"])
    control.covered_chips.add(h800)
    factories.make_export_control(slug="undated", effective_on=None)
    factories.make_source(slug="undated-source", published_on=None)
    for record in (deepseek, h800, v3, control):
        factories.make_citation(record, locator="p. 1", quote="Quote.")
        factories.make_citation(record, factories.make_source(published_on=None))


@pytest.mark.parametrize(
    "resource", ["organizations", "sources", "chips", "model-releases", "access-grants", "export-controls"]
)
def test_list_and_detail_responses_match_the_schema(client, schema, records, resource):
    page = client.get(f"/api/v1/{resource}/", {"limit": 2})
    assert page.status_code == 200
    assert_matches(schema, f"/api/v1/{resource}/", "200", page.json())
    for row in client.get(f"/api/v1/{resource}/").json()["results"]:
        detail = client.get(row["url"])
        assert_matches(schema, f"/api/v1/{resource}/{{slug}}/", "200", detail.json())


def test_root_and_error_responses_match_the_schema(client, schema, records):
    assert_matches(schema, "/api/v1/", "200", client.get(reverse("api:root")).json())
    bad = client.get("/api/v1/model-releases/", {"weights": "closed", "limit": "1000"})
    assert bad.status_code == 400
    assert_matches(schema, "/api/v1/model-releases/", "400", bad.json())
    missing = client.get("/api/v1/chips/no-such-chip/")
    assert missing.status_code == 404
    assert_matches(schema, "/api/v1/chips/{slug}/", "404", missing.json())


def test_no_operation_asks_for_credentials(schema):
    # `security: [{}]` would make openapi-python-client require an AuthenticatedClient (with a token).
    assert "security" not in schema
    assert all("security" not in operation for _, _, operation in operations(schema))


def test_query_parameters_say_what_the_server_accepts(schema):
    """What a parameter accepts beyond its type, as the filter classes declare it: generated clients and
    schemathesis (`make fuzz`) then hold the server to the same contract it keeps."""
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/model-releases/"]["get"]["parameters"]}
    # A slug, or an empty item, which counts as not given (the browsable API's form sends its empty boxes).
    assert parameters["developer"]["schema"]["items"]["pattern"] == "^[-a-zA-Z0-9_]*$"
    assert parameters["q"]["schema"]["pattern"] == parameters["family"]["schema"]["items"]["pattern"] == r"^[^\x00]*$"
    bounds = {key: parameters["parameters_total_min"]["schema"].get(key) for key in ("minimum", "maximum")}
    assert bounds == {"minimum": 0, "maximum": 2**63 - 1}
    # An empty value counts as not given (the browsable API's filter form sends every field) ...
    for name in ("q", "released_on_after", "updated_since", "parameters_total_min", "has_released", "ordering"):
        assert parameters[name].get("allowEmptyValue") is True, name
    assert parameters["limit"]["allowEmptyValue"] is parameters["offset"]["allowEmptyValue"] is True
    # ... except for a slug or an enum value, where it is a 400.
    assert "allowEmptyValue" not in parameters["developer"]
    assert "allowEmptyValue" not in parameters["weights"]
    sort_keys = parameters["ordering"]["schema"]["items"]
    varnames = dict(zip(sort_keys["enum"], sort_keys["x-enum-varnames"], strict=True))
    assert varnames["-released_on"] == "RELEASED_ON_DESC"
    assert varnames["released_on"] == "RELEASED_ON"
