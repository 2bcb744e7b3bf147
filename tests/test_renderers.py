"""The JSON renderer on orjson writes the same JSON as DRF's own."""

import datetime
import decimal

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer as DRFJSONRenderer

from api.renderers import JSONRenderer

SAMPLE = {
    "slug": "deepseek-v4",
    "name": "DeepSeek-V4 — 深度求索",
    "parameters_total": 1_000_000_000_000,
    "memory_bandwidth_tbps": decimal.Decimal("3.35"),
    "withdrawn_at": datetime.datetime(2025, 1, 31, 12, 30, 5, 123456, tzinfo=datetime.UTC),
    "released_on": datetime.date(2025, 1, 20),
    "label": gettext_lazy("Published"),
    "nested": [{"slug": "a", "quote": 'He said "no".\n'}, None, True, 1.5],
}


def test_same_bytes_as_drf():
    assert JSONRenderer().render(SAMPLE) == DRFJSONRenderer().render(SAMPLE)


def test_indented_answers_are_drfs():
    ours = JSONRenderer().render(SAMPLE, "application/json; indent=2", {})
    assert ours == DRFJSONRenderer().render(SAMPLE, "application/json; indent=2", {})
    assert b'\n  "slug"' in ours


def test_no_data_is_an_empty_body():
    assert JSONRenderer().render(None) == b""


def test_an_object_json_cannot_hold_is_refused():
    with pytest.raises(TypeError):
        JSONRenderer().render({"bad": object()})
