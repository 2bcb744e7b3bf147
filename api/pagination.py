"""Limit/offset pagination that refuses bad values instead of quietly replacing them."""

import re

from django.db.models import Max, QuerySet
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from api.conditional import kept_per_question

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    """``limit`` (1 to 500, default 50) and ``offset`` (0 or more, default 0).

    DRF's own class trims a too-large limit and ignores one that does not parse; a client would then get
    fewer records than it asked for without knowing. Here either is a 400 naming the parameter.
    """

    default_limit = DEFAULT_LIMIT
    max_limit = MAX_LIMIT
    limit_query_description = f"Number of records per page, 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT})."
    offset_query_description = "Number of records to skip before the page starts (default 0)."

    def paginate_queryset(self, queryset, request, view=None):
        self.validate(request)
        return super().paginate_queryset(queryset, request, view)

    def get_count(self, queryset) -> int:
        """How many records match: exact, and counted once per question and state of the data.

        A count walks every match (at 2M records, 25,000 grants by country or 48,000 measures in force take tens
        of milliseconds, where the page itself takes one), and it depends only on the question (the path and
        every parameter but the paging) and on the public data, whose every change the feed records. So it is
        kept (``api.conditional.kept_per_question``): the next page of the same list, and the same list asked
        again, reuse it until the data changes. Not a guess, never stale.
        """
        if not isinstance(queryset, QuerySet) and not hasattr(queryset, "model"):
            return super().get_count(queryset)
        # A queryset, or the view's prepared keys (``api.views.PreparedPage``): counted by the ORM when not kept.
        kind = f"count|{queryset.db}|{queryset.model._meta.label}"
        paging = (self.limit_query_param, self.offset_query_param)
        return kept_per_question(
            kind, self.request, lambda: super(LimitOffsetPagination, self).get_count(queryset), paging
        )

    def parsers(self) -> dict:
        """The paging parameters, each with its parser: the only ones a list takes besides its filters."""
        return {self.limit_query_param: self._parse_limit, self.offset_query_param: self._parse_offset}

    def validate(self, request) -> None:
        """Refuse bad paging parameters (a 400 naming each), before any record is read."""
        self.check_parameters(request, self.parsers())

    @staticmethod
    def check_parameters(request, parsers: dict) -> None:
        """Parse every paging parameter up front, so that a 400 reports every bad one at once."""
        errors = {}
        for name, parse in parsers.items():
            try:
                parse(request)
            except ValueError as exc:
                errors[name] = [str(exc)]
        if errors:
            raise ValidationError(errors)

    def get_limit(self, request):
        return self._parse_limit(request)

    def get_offset(self, request):
        return self._parse_offset(request)

    def _parse_limit(self, request) -> int:
        raw = _single_value(request, self.limit_query_param)
        if raw == "":
            return self.default_limit
        value = _whole_number(raw)
        if value is None or not 1 <= value <= self.max_limit:
            raise ValueError(f"Enter a whole number from 1 to {self.max_limit}.")
        return value

    def _parse_offset(self, request) -> int:
        raw = _single_value(request, self.offset_query_param)
        if raw == "":
            return 0
        value = _whole_number(raw)
        if value is None or value < 0:
            raise ValueError("Enter a whole number, 0 or more.")
        return value

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.limit_query_param: {"minimum": 1, "maximum": self.max_limit, "default": self.default_limit},
            self.offset_query_param: {"minimum": 0, "default": 0},
        }
        for parameter in parameters:
            parameter["schema"].update(bounds[parameter["name"]])
            # An empty value means the default, as when the parameter is absent.
            parameter["allowEmptyValue"] = True
        return parameters

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        properties = response["properties"]
        describe_page(
            properties,
            count="Number of records that match the query, on all pages.",
            results="The records on this page.",
            path="/api/v1/model-releases/?limit=50",
            offsets=(150, 50),
        )
        properties["withdrawn"] = {
            "type": "array",
            "description": "With `updated_since`: the records withdrawn since then (no longer served), in the "
            "order they were withdrawn; empty otherwise. A mirror deletes its copies of these.",
            "items": {
                "type": "object",
                "required": ["slug", "url", "withdrawn_at"],
                "properties": {
                    "slug": {"type": "string", "description": "Slug of the withdrawn record."},
                    "url": {"type": "string", "format": "uri", "description": "Its former URL (now a 404)."},
                    "withdrawn_at": {"type": "string", "format": "date-time", "description": "When."},
                },
            },
        }
        properties["status_unverified"] = {
            "type": "array",
            "items": {"type": "string"},
            "description": "With `in_force_on` or `active_on`: the slugs of the records on this page whose status "
            "was last checked (`status_checked_on`) before that date, or never. For these the answer is what the "
            "sources said up to then, not verified for the date asked. Empty otherwise.",
        }
        properties["facets"] = {
            "type": "object",
            "description": "With `facet`: per field named, its values among the records that every other "
            "parameter selects, most frequent first; empty otherwise.",
            "additionalProperties": {
                "type": "object",
                "required": ["values", "truncated"],
                "properties": {
                    "values": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["value", "label", "count"],
                            "properties": {
                                "value": {
                                    "type": "string",
                                    "nullable": True,
                                    "description": "A slug, enum value, country code or year; null: no value.",
                                },
                                "label": {"type": "string", "nullable": True, "description": "Its name, for people."},
                                "count": {"type": "integer", "description": "How many records have it."},
                            },
                        },
                    },
                    "truncated": {"type": "boolean", "description": "Whether there were more values than listed."},
                },
            },
        }
        response["required"] = ["count", "next", "previous", "results", "withdrawn", "status_unverified", "facets"]
        return response


class SearchPagination(LimitOffsetPagination):
    """The pages of a search across resources: limit and offset, count, next and previous, results."""

    default_limit = 20

    def get_paginated_response_schema(self, schema):
        response = pagination.LimitOffsetPagination.get_paginated_response_schema(self, schema)
        describe_page(
            response["properties"],
            count="Number of records found, on all pages.",
            results="The records found, best matches first.",
            path="/api/v1/search/?q=huawei&limit=20",
            offsets=(40, 20),
        )
        response["required"] = ["count", "next", "previous", "results"]
        return response


def describe_page(properties: dict, *, count: str, results: str, path: str, offsets: tuple[int, int]) -> None:
    """The descriptions and examples of a page's count, next, previous and results (schema properties)."""
    properties["count"]["description"] = count
    properties["next"]["description"] = "URL of the next page; null on the last page."
    properties["previous"]["description"] = "URL of the previous page; null on the first page."
    properties["results"]["description"] = results
    properties["next"]["example"] = f"http://127.0.0.1:8000{path}&offset={offsets[0]}"
    properties["previous"]["example"] = f"http://127.0.0.1:8000{path}&offset={offsets[1]}"


def _single_value(request, name: str) -> str:
    """The parameter's value ("" when absent); given more than once, an error rather than the last one."""
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise ValueError("Give this parameter once: it takes a single value.")
    return values[0] if values else ""


def _whole_number(raw: str) -> int | None:
    """The integer written in ``raw`` (ASCII digits, optional sign), or None."""
    text = raw.strip()
    return int(text) if WHOLE_NUMBER.fullmatch(text) else None


class FeedPagination(LimitOffsetPagination):
    """The change feed's pages: ``after`` (the last ``seq`` the client has seen, default 0) and ``limit``
    (1 to 500, default 100). A cursor rather than an offset, so that changes arriving between two requests
    neither repeat nor go missing."""

    default_limit = 100
    cursor_query_param = "after"

    def parsers(self) -> dict:
        return {self.limit_query_param: self._parse_limit, self.cursor_query_param: self._parse_after}

    def paginate_queryset(self, queryset, request, view=None):
        self.validate(request)
        self.request = request
        self.limit = self._parse_limit(request)
        self.last_seq = queryset.model._default_manager.aggregate(last=Max("seq"))["last"] or 0
        self.page = list(queryset.filter(seq__gt=self._parse_after(request)).order_by("seq")[: self.limit])
        return self.page

    def _parse_after(self, request) -> int:
        raw = _single_value(request, self.cursor_query_param)
        if raw == "":
            return 0
        value = _whole_number(raw)
        if value is None or value < 0:
            raise ValueError("Enter a whole number, 0 or more: the last seq you have seen.")
        return value

    def get_paginated_response(self, data):
        next_url = None
        if len(self.page) == self.limit:
            next_url = replace_query_param(
                self.request.build_absolute_uri(), self.cursor_query_param, self.page[-1].seq
            )
        return Response({"results": data, "next": next_url, "last_seq": self.last_seq})

    def get_schema_operation_parameters(self, view):
        limit = {
            "name": self.limit_query_param,
            "required": False,
            "in": "query",
            "allowEmptyValue": True,
            "description": f"Number of changes per page, 1 to {self.max_limit} (default {self.default_limit}).",
            "schema": {"type": "integer", "minimum": 1, "maximum": self.max_limit, "default": self.default_limit},
        }
        after = {
            "name": self.cursor_query_param,
            "required": False,
            "in": "query",
            "allowEmptyValue": True,
            "description": "Only changes after this seq: the last seq you have seen (default 0, the beginning).",
            "schema": {"type": "integer", "minimum": 0, "default": 0},
        }
        return [after, limit]

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results", "next", "last_seq"],
            "properties": {
                "results": {**schema, "description": "Changes in feed order (by seq)."},
                "next": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": "The next page (after the last seq here); null when this page is not full.",
                },
                "last_seq": {
                    "type": "integer",
                    "description": "The newest seq in the whole feed when this page was made.",
                },
            },
        }
