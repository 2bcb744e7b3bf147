"""OpenAPI schema extensions: what drf-spectacular cannot see by introspection alone.

- Every list operation documents its 400 (bad query parameters), every retrieve its 404.
- Summaries ("List model releases", "Retrieve a model release") for the docs' sidebars.
- Enum query parameters point at the same named enum components as the response fields, so that a
  generated client has one ``WeightsEnum``, not one inline enum per parameter.
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse

from api.serializers import ErrorSerializer

BAD_PARAMETERS = OpenApiResponse(
    response={
        "type": "object",
        "description": "Each bad query parameter, with what was expected.",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
    },
    description="A query parameter did not parse: the body names each bad parameter and says what was expected.",
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
NOT_FOUND = OpenApiResponse(response=ErrorSerializer, description="No published record has this slug.")


class RegistryAutoSchema(AutoSchema):
    """The project's AutoSchema: error responses and summaries for the read-only record viewsets."""

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

    def get_override_parameters(self):
        if getattr(self.view, "action", None) == "retrieve":
            return [SLUG]
        return super().get_override_parameters()

    def get_response_serializers(self):
        serializer = super().get_response_serializers()
        action = getattr(self.view, "action", None)
        if action == "list":
            return {
                200: OpenApiResponse(serializer, description="One page of the published records that match the query."),
                400: BAD_PARAMETERS,
            }
        if action == "retrieve":
            return {200: OpenApiResponse(serializer, description="The published record."), 404: NOT_FOUND}
        return serializer


def postprocess_parameter_enums(result, generator, **kwargs):
    """Point enum query parameters at the named enum components, and list each enum's values once.

    Runs after drf-spectacular's ``postprocess_schema_enums``, which names the enums of response fields
    (``ENUM_NAME_OVERRIDES``) but leaves parameters inline, and copies the value list into the description
    of every field that uses an enum (250 lines for each country field). The component keeps the list;
    parameters and fields keep their own description. Enums that match no component (``ordering``) stay
    inline, with their list.
    """
    schemas = result.get("components", {}).get("schemas", {})
    components = {
        frozenset(schema["enum"]): name
        for name, schema in schemas.items()
        if schema.get("enum") and name not in ("BlankEnum", "NullEnum")
    }
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
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
