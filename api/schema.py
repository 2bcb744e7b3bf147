"""OpenAPI schema extensions: what drf-spectacular cannot see by introspection alone.

- Every operation documents its query parameters, ``format`` included, and its 400 (a parameter that it does
  not take or that does not parse), with an example that lists the parameters it takes; every retrieve its 404.
- Summaries ("List model releases", "Retrieve a model release") for the docs' sidebars.
- Enum query parameters point at the same named enum components as the response fields, so that a
  generated client has one ``WeightsEnum``, not one inline enum per parameter.
- Query parameters say what the server accepts beyond their type (a slug's pattern, a number's bounds,
  whether an empty value counts as not given), as the filter classes declare it: client generators and
  schemathesis then see the contract the server keeps.
- No security requirement: the API is anonymous.
- Every operation documents the 414 of the HTTP server in front of the API (a URL too long to read).
- Every operation documents the 429 of the anonymous rate limit, with its Retry-After header.
"""

import copy

from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse
from rest_framework.renderers import BrowsableAPIRenderer

from api.conditional import unknown_parameter
from api.filters import IDENTITY_FIELDS
from api.nesting import COUNT, count_help
from api.serializers import ErrorSerializer

BAD_PARAMETERS = OpenApiResponse(
    response={
        "type": "object",
        "description": "Each bad query parameter, with what was expected.",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
    },
    description="A query parameter is not one this operation takes, or did not parse: the body names each bad "
    "parameter and says what was expected (for an unknown one, the parameters the operation takes).",
    examples=[
        OpenApiExample(
            "Bad parameters",
            value={
                "released_on_after": ["Enter a valid date (YYYY-MM-DD)."],
                "limit": ["Enter a whole number from 1 to 500."],
            },
        )
    ],
)
SLUG = OpenApiParameter(
    "slug",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    pattern="^[-a-zA-Z0-9_]+$",
    description="Slug of the record: its stable public identifier (lowercase, hyphens), as in its url.",
)
FORMAT = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    enum=["json", "csv", "ndjson"],
    description="Response format: `json` (the default), `csv` (flat rows with the same field names; related "
    "records and citations by slug, lists joined with `;`) or `ndjson` (one JSON record per line). "
    "`Accept: text/csv` and `Accept: application/x-ndjson` do the same. On a list, `csv` and `ndjson` without "
    "`limit` or `offset` answer every record that matches, streamed; with either, that page.",
)
JSON_FORMAT = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    pattern="^json$",
    description="Response format: `json`, the only one of this operation (and the default).",
)
# The ``format`` parameter's values, a named component like every other enum (added by the postprocessing).
FORMAT_ENUM = {"enum": ["csv", "json", "ndjson"], "type": "string", "description": "Response format."}
# The ``format`` parameter of an operation, by the formats it answers in (the browsable API's aside: its HTML is
# for browsers, not for clients of the schema).
FORMATS = {("csv", "json", "ndjson"): FORMAT, ("json",): JSON_FORMAT}
CSV_PAGE = OpenApiResponse(
    response=OpenApiTypes.STR,
    description="With `format=csv`: every record that matches (with `limit` or `offset`: that page) as CSV, a "
    "header row of field names first.",
)
NDJSON_PAGE = OpenApiResponse(
    response=OpenApiTypes.STR,
    description="With `format=ndjson`: every record that matches (with `limit` or `offset`: that page), one JSON "
    "record per line, as in the JSON page's `results`.",
)
CSV_RECORD = OpenApiResponse(response=OpenApiTypes.STR, description="With `format=csv`: the record as one CSV row.")
NDJSON_RECORD = OpenApiResponse(
    response=OpenApiTypes.STR, description="With `format=ndjson`: the record as one line of JSON."
)
NOT_FOUND = OpenApiResponse(response=ErrorSerializer, description="No published record has this slug.")
BAD_FORMAT = OpenApiResponse(
    response=BAD_PARAMETERS.response,
    description="The `format` parameter names no format of this API, or another parameter was given (a record "
    "takes `format` only).",
    examples=[
        OpenApiExample(
            "Unknown format", value={"format": ["Select a valid choice. xml is not one of the available choices."]}
        )
    ],
)


class RegistryAutoSchema(AutoSchema):
    """The project's AutoSchema: error responses and summaries for the read-only record viewsets."""

    def get_auth(self):
        # drf-spectacular writes `security: [{}]` ("no credentials needed") on every operation of an anonymous
        # API; openapi-python-client reads any security entry as "requires an AuthenticatedClient" (a token).
        # No entry at all says the same to the standard, and to every generator.
        return [requirement for requirement in super().get_auth() if requirement]

    def get_summary(self):
        model = getattr(getattr(self.view, "queryset", None), "model", None)
        action = getattr(self.view, "action", None)
        if model is None:
            return None
        if action == "list":
            return f"List {model._meta.verbose_name_plural}"
        if action == "retrieve":
            return f"Retrieve a {model._meta.verbose_name}"
        return None

    def get_operation_id(self):
        operation_id = super().get_operation_id()
        # A record's history is a list of versions: model_releases_history_list, like the other lists.
        if getattr(self.view, "action", None) == "history":
            return operation_id.removesuffix("_retrieve") + "_list"
        return operation_id

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if getattr(self.view, "action", None) in ("retrieve", "history"):
            parameters = [*parameters, SLUG]
        return [*parameters, self.format_parameter()]

    def format_parameter(self) -> OpenApiParameter:
        """``format`` (DRF's), which every operation takes, with the formats this one answers in."""
        renderers = [
            renderer for renderer in self.view.renderer_classes if not issubclass(renderer, BrowsableAPIRenderer)
        ]
        return FORMATS[tuple(sorted(renderer.format for renderer in renderers))]

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is not None and method == "GET":
            document_unknown_parameters(operation)
        return operation

    def get_response_serializers(self):
        serializer = super().get_response_serializers()
        action = getattr(self.view, "action", None)
        if action == "list":
            return {
                (200, "application/json"): OpenApiResponse(
                    serializer, description="One page of the published records that match the query."
                ),
                (200, "text/csv"): CSV_PAGE,
                (200, "application/x-ndjson"): NDJSON_PAGE,
                (400, "application/json"): BAD_PARAMETERS,
            }
        if action == "retrieve":
            return {
                (200, "application/json"): OpenApiResponse(serializer, description="The published record."),
                (200, "text/csv"): CSV_RECORD,
                (200, "application/x-ndjson"): NDJSON_RECORD,
                (400, "application/json"): BAD_FORMAT,
                (404, "application/json"): NOT_FOUND,
            }
        return serializer


UNKNOWN_PARAMETERS = (
    "A query parameter is not one this operation takes, or `format` names no format it answers in: the body "
    "names each bad parameter and says what was expected (for an unknown one, the parameters the operation takes)."
)


def document_unknown_parameters(operation: dict) -> None:
    """Document the 400 of a query parameter that ``operation`` does not take (``api.conditional``), with an
    example listing the ones it documents, which are the ones it takes: in its 400, or as its 400."""
    accepted = [parameter["name"] for parameter in operation.get("parameters", []) if parameter["in"] == "query"]
    response = operation["responses"].setdefault(
        "400",
        {
            "content": {"application/json": {"schema": copy.deepcopy(BAD_PARAMETERS.response)}},
            "description": UNKNOWN_PARAMETERS,
        },
    )
    response["content"]["application/json"].setdefault("examples", {})["UnknownParameter"] = {
        "value": {"fields": [unknown_parameter(accepted)]},
        "summary": "Unknown parameter",
    }


class RegistryFilterExtension(DjangoFilterExtension):
    """django-filter's parameters as drf-spectacular documents them, plus what our filter classes declare
    (``api.filters``): ``value_schema`` for one value, ``blank_means_absent`` as ``allowEmptyValue``.
    Sort keys get readable enum member names (``RELEASED_ON_DESC`` rather than ``VALUE_4``)."""

    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)
        for parameter in parameters:
            schema = parameter["schema"]
            is_list = schema.get("type") == "array"
            value = schema["items"] if is_list else schema
            value.update(getattr(filter_field, "value_schema", {}))
            # An empty value counts as not given (the browsable API's filter form sends every field). A list of
            # free texts already allows "" as an item; anywhere else the schema must say so.
            if getattr(filter_field, "blank_means_absent", False) and (not is_list or "enum" in value):
                parameter["allowEmptyValue"] = True
            if "enum" in value and any(choice.startswith("-") for choice in value["enum"]):
                value["x-enum-varnames"] = [sort_key_name(choice) for choice in value["enum"]]
        return parameters


def sort_key_name(choice: str) -> str:
    """The enum member name of a sort key: ``-released_on`` is RELEASED_ON_DESC."""
    return choice.removeprefix("-").upper() + ("_DESC" if choice.startswith("-") else "")


def postprocess_parameter_enums(result, generator, **kwargs):
    """Point enum query parameters at the named enum components, and list each enum's values once.

    Runs after drf-spectacular's ``postprocess_schema_enums``, which names the enums of response fields
    (``ENUM_NAME_OVERRIDES``) but leaves parameters inline, and copies the value list into the description
    of every field that uses an enum (250 lines for each country field). The component keeps the list;
    parameters and fields keep their own description. Enums that match no component (``ordering``) stay
    inline, with their list.
    """
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("FormatEnum", FORMAT_ENUM)
    components = {
        frozenset(schema["enum"]): name
        for name, schema in schemas.items()
        if schema.get("enum") and name not in ("BlankEnum", "NullEnum")
    }
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                if (parameter["name"], parameter["in"]) == ("format", "query"):
                    # DRF reads `?format=` as no format given: an empty value is not an error.
                    parameter["allowEmptyValue"] = True
                schema = parameter.get("schema", {})
                holder, key = (schema, "items") if schema.get("type") == "array" else (parameter, "schema")
                name = components.get(frozenset(holder[key].get("enum", ())))
                if name is not None:
                    holder[key] = {"$ref": f"#/components/schemas/{name}"}
                    _drop_value_list(parameter)
    for schema in schemas.values():
        for prop in schema.get("properties", {}).values():
            if _refers_to_enum(prop, schemas):
                _drop_value_list(prop)
    return result


CONDITIONAL_HEADERS = [
    {
        "in": "header",
        "name": "If-None-Match",
        "required": False,
        "schema": {"type": "string"},
        "description": "The ETag of your cached copy: a 304 with no body if it is still current.",
    },
    {
        "in": "header",
        "name": "If-Modified-Since",
        "required": False,
        "schema": {"type": "string"},
        "description": "The Last-Modified of your cached copy (an HTTP date): a 304 if nothing changed since. "
        "Ignored when If-None-Match is sent, or when it is not an HTTP date.",
    },
]


def postprocess_conditional_get(result, generator, **kwargs):
    """Document conditional requests on every read: the two request headers, the 304, and the validators
    every 200 carries (api/conditional.py)."""
    for path in result.get("paths", {}).values():
        operation = path.get("get")
        if operation is None:
            continue
        operation.setdefault("parameters", []).extend(CONDITIONAL_HEADERS)
        operation["responses"].setdefault(
            "304", {"description": "Not modified: your cached copy (If-None-Match / If-Modified-Since) is current."}
        )
        ok = operation["responses"].get("200")
        if ok is not None:
            ok.setdefault("headers", {}).update(
                {
                    "ETag": {"schema": {"type": "string"}, "description": "Validator for If-None-Match."},
                    "Last-Modified": {
                        "schema": {"type": "string"},
                        "description": "When the public data last changed (absent during the second of a change).",
                    },
                }
            )
    return result


def postprocess_uri_too_long(result, generator, **kwargs):
    """Document, on every operation, the 414 that the HTTP server answers before the API sees the request when
    the request line is too long (gunicorn's limit, with `make serve`, is 4094 bytes): a request with many
    repeated parameters can meet it, and a client should know the status rather than be surprised by it."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            operation["responses"].setdefault(
                "414",
                {
                    "description": "The URL is longer than the HTTP server accepts (a request line of about 4 KB "
                    "with `make serve`): send fewer or shorter parameter values per request. The body is the "
                    'HTTP server\'s page, or JSON `{"detail": ...}` when the application itself refuses a query '
                    "string over 4096 characters."
                },
            )
    return result


def _refers_to_enum(prop: dict, schemas: dict) -> bool:
    refs = [prop, prop.get("items", {}), *prop.get("allOf", []), *prop.get("oneOf", [])]
    return any(
        "enum" in schemas.get(ref.get("$ref", "").rpartition("/")[2], {}) for ref in refs if isinstance(ref, dict)
    )


def _drop_value_list(holder: dict) -> None:
    """Remove the "* `value` - Label" list that drf-spectacular appends to a description."""
    description = holder.get("description", "")
    if "\n\n* `" in description:
        holder["description"] = description.partition("\n\n* `")[0]


def postprocess_too_many_requests(result, generator, **kwargs):
    """Document, on every operation, the 429 of the anonymous rate limit (``DJANGO_API_ANON_RATE``, by default
    120 requests a minute per client address; api/throttling.py), with its Retry-After header."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            operation["responses"].setdefault(
                "429",
                {
                    "description": "Too many requests from this address (by default more than 120 a minute): wait "
                    "the seconds that Retry-After gives, then send the request again.",
                    "headers": {
                        "Retry-After": {
                            "schema": {"type": "integer", "minimum": 0},
                            "description": "Seconds to wait before the next request.",
                        }
                    },
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                },
            )
    return result


def postprocess_selectable_fields(result, generator, **kwargs):
    """A list that takes ``fields`` may leave any field out but slug and url: its records are documented as
    ``<Record>ListItem``, the record's schema with those two required and every other field typed but optional,
    so that a generated client parses a page of selected fields (a record's own route keeps every field
    required)."""
    schemas = result.get("components", {}).get("schemas", {})
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if not any(parameter["name"] == "fields" for parameter in operation.get("parameters", [])):
                continue
            page = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rpartition("/")[2]
            items = schemas[page]["properties"]["results"]["items"]
            record = items["$ref"].rpartition("/")[2]
            listed = f"{record}ListItem"
            if listed not in schemas:
                schemas[listed] = {
                    **copy.deepcopy(schemas[record]),
                    "required": [name for name in IDENTITY_FIELDS if name in schemas[record].get("required", ())],
                    "description": f"{schemas[record].get('description', '').rstrip()}\n\nIn a list: `fields` may "
                    "leave out any field but slug and url.",
                }
            items["$ref"] = f"#/components/schemas/{listed}"
            expand = next((p for p in operation["parameters"] if p["name"] == "expand"), None)
            if expand is not None:
                _expandable(schemas[listed], schemas[f"{record}Detail"], expand["schema"]["items"]["enum"])
    return result


def _expandable(listed: dict, detail: dict, names: list[str]) -> None:
    """The optional fields that ``?expand=`` adds to a list's records: each relation as the detail types it,
    and its count."""
    properties = listed["properties"]
    for name in names:
        properties[name] = copy.deepcopy(detail["properties"][name])
        properties[COUNT.format(name)] = {
            "type": "integer",
            "readOnly": True,
            "description": count_help(name),
        }
    listed["description"] += " `expand` adds the lists it names, capped, with their counts."
