"""From the API's answer to what a page shows: each field of a record as a label and a value a reader
understands (a related record as a link to its page, an enum by its label, no value as "not recorded")."""

from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from rest_framework import serializers

API_PREFIX = "/api/v1/"

# Fields a record page shows in their own place, not in the table of facts.
OWN_PLACE = {"slug", "url", "citations", "created_at", "updated_at"}


def page_url(api_url: str | None) -> str:
    """The page of an API URL: the same path without ``/api/v1`` (``.../api/v1/chips/h20/`` -> ``/chips/h20/``),
    relative to this site, with its query string."""
    if not api_url:
        return ""
    parts = urlsplit(api_url)
    return urlunsplit(("", "", parts.path.replace(API_PREFIX, "/", 1), parts.query, ""))


def api_url(page_path: str) -> str:
    """The API URL of a page's path (the inverse of ``page_url``)."""
    prefix, _, rest = page_path.partition("/")
    return f"{prefix}{API_PREFIX}{rest}"


@dataclass
class Value:
    """One field's value, as the template shows it: ``kind`` picks how."""

    kind: str  # "none", "text", "link", "links", "external", "table", "list"
    text: str = ""
    href: str = ""
    items: list = field(default_factory=list)
    columns: list = field(default_factory=list)


@dataclass
class Fact:
    name: str  # the API's field name
    label: str
    value: Value


def label_of(name: str) -> str:
    """``released_on`` -> ``Released on``."""
    return name.replace("_", " ").capitalize()


def brief_text(record: dict) -> str:
    """A related record in brief, by its name or title (its slug otherwise)."""
    return record.get("name") or record.get("title") or record.get("slug") or ""


def record_title(record: dict) -> str:
    """What a page calls a record: its name or title; for an access grant, which has neither, who got (or was
    refused) access to what ("DeepSeek-V4 to Huawei Technologies: withheld")."""
    if "outcome" in record and "grantee_description" in record:
        model = brief_text(record["model"]) if record.get("model") else record.get("model_description")
        grantee = brief_text(record["grantee"]) if record.get("grantee") else record.get("grantee_description")
        return f"{model or 'a model'} to {grantee or 'an unnamed grantee'}: {record['outcome']}"
    return brief_text(record)


def present(value, serializer_field=None) -> Value:
    """One field's value, in words."""
    if value is None or value == "" or value == []:
        return Value("none", "not recorded")
    if isinstance(value, bool):
        return Value("text", "yes" if value else "no")
    if isinstance(value, dict) and "url" in value:
        return Value("link", brief_text(value), page_url(value["url"]))
    if isinstance(value, list) and all(isinstance(item, dict) and "url" in item for item in value):
        extra = [name for name in value[0] if name not in ("url", "slug", "name", "title")]
        if not extra:
            return Value("links", items=[Value("link", brief_text(item), page_url(item["url"])) for item in value])
        columns = ["record", *extra]
        rows = [
            [
                Value("link", brief_text(item), page_url(item["url"])),
                *(
                    _slug_link(name, item[name]) or present(item[name], _child(serializer_field, name))
                    for name in extra
                ),
            ]
            for item in value
        ]
        return Value("table", items=rows, columns=[label_of(name) for name in columns])
    if isinstance(value, list):
        child = getattr(serializer_field, "child", None)
        return Value("list", items=[present(item, child) for item in value])
    if isinstance(serializer_field, serializers.ChoiceField):
        return Value("text", str(serializer_field.choices.get(value, value)))
    if isinstance(serializer_field, serializers.URLField) or (
        isinstance(value, str) and value.startswith(("https://", "http://"))
    ):
        return Value("external", value, value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Value("text", f"{value:,}")
    return Value("text", str(value))


# Fields of brief records that hold a related record's slug, and the resource whose page it names.
SLUG_FIELDS = {"model": "model-releases", "grantee": "organizations", "grantor": "organizations"}


def _slug_link(name: str, value) -> Value | None:
    """A related record named by its slug in a brief record, as a link to its page."""
    if name in SLUG_FIELDS and isinstance(value, str) and value:
        return Value("link", value, f"/{SLUG_FIELDS[name]}/{value}/")
    return None


def _child(serializer_field, name: str):
    """The field ``name`` of the records a nested list serializer holds, if known."""
    child = getattr(serializer_field, "child", None)
    return getattr(child, "fields", {}).get(name) if child is not None else None


def facts(record: dict, fields) -> list[Fact]:
    """The record's fields, in the API's order, each as a label and a value (``fields``: the serializer's)."""
    return [
        Fact(name, label_of(name), present(value, fields.get(name)))
        for name, value in record.items()
        if name not in OWN_PLACE
    ]
