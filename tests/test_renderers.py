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
    "pasted": "a line\u2028and a paragraph\u2029from a PDF",
}


def test_same_bytes_as_drf():
    assert JSONRenderer().render(SAMPLE) == DRFJSONRenderer().render(SAMPLE)


@pytest.mark.parametrize("indent", [0, 1, 2, 4, 8])
def test_indented_answers_are_drfs(indent):
    sample = {**SAMPLE, "empty": {"list": [], "object": {}}, "deep": [[{"a": [1, {"b": "  x\n  y"}]}]]}
    media_type = f"application/json; indent={indent}"
    ours = JSONRenderer().render(sample, media_type, {})
    assert ours == DRFJSONRenderer().render(sample, media_type, {})
    # indent=0 is DRF's compact JSON.
    assert (b"\n" + b" " * indent + b'"slug"' in ours) if indent else ours.startswith(b'{"slug"')


def test_the_browsable_apis_answer_is_drfs_indented_by_four():
    # DRF's browsable API asks its JSON renderer for the answer with ``indent`` 4 in the renderer context.
    ours = JSONRenderer().render(SAMPLE, "application/json", {"indent": 4})
    assert ours == DRFJSONRenderer().render(SAMPLE, "application/json", {"indent": 4})


def test_no_data_is_an_empty_body():
    assert JSONRenderer().render(None) == b""


def test_an_object_json_cannot_hold_is_refused():
    with pytest.raises(TypeError):
        JSONRenderer().render({"bad": object()})
