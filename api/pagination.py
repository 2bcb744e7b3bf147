"""Limit/offset pagination that refuses bad values instead of quietly replacing them."""

import re

from rest_framework import pagination
from rest_framework.exceptions import ValidationError

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
        # Both parameters are checked up front so that a 400 reports every bad one at once.
        errors = {}
        for name, parse in ((self.limit_query_param, self._parse_limit), (self.offset_query_param, self._parse_offset)):
            try:
                parse(request)
            except ValueError as exc:
                errors[name] = [str(exc)]
        if errors:
            raise ValidationError(errors)
        return super().paginate_queryset(queryset, request, view)

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
        properties["count"]["description"] = "Number of records that match the query, on all pages."
        properties["next"]["description"] = "URL of the next page; null on the last page."
        properties["previous"]["description"] = "URL of the previous page; null on the first page."
        properties["results"]["description"] = "The records on this page."
        properties["next"]["example"] = "http://127.0.0.1:8000/api/v1/model-releases/?limit=50&offset=150"
        properties["previous"]["example"] = "http://127.0.0.1:8000/api/v1/model-releases/?limit=50&offset=50"
        response["required"] = ["count", "next", "previous", "results"]
        return response


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
