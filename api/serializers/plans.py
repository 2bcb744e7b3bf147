"""Representation plans: what a record serializer does for each record, worked out once per shape.

DRF represents a record by walking its serializer's fields, which it builds again for every serializer made
(one per request): ``ModelSerializer`` reads the model's fields, deep-copies the declared ones and binds each,
about as long as the query that reads the page. Then, for every field of every record, it goes through
``Field.get_attribute`` (a generic walk over ``source_attrs`` with its checks) before the field's own
``to_representation``. A plan is that walk done once: per field, its name, a getter for its source and the
function that writes its value (the bound field's own ``to_representation``, a nested plan for a nested
serializer, a record URL put together from its slug). Plans are kept per serializer class and set of fields,
so a request builds no field, and each value of each record costs a lookup and a call.

The answer is DRF's, byte for byte: a value that is missing goes through the field's own ``get_attribute``
(DRF's default, null or leave-out rules), None stays None, and every value is written by the field that
DRF would call, or by the same rule (``RecordURLField``: the route's path around the slug; text: ``str``).
``tests/test_representation_plans.py`` compares both for every resource, list and detail, ``expand`` and
``fields``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from copy import deepcopy
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.encoding import iri_to_uri
from rest_framework import fields as drf_fields
from rest_framework import serializers
from rest_framework.fields import HiddenField, SerializerMethodField, SkipField
from rest_framework.relations import RelatedField
from rest_framework.settings import api_settings
from rest_framework.utils.serializer_helpers import BindingDict

# Fields whose representation is ``str(value)``: their own ``to_representation`` does just that.
TEXT_FIELDS = (drf_fields.CharField, drf_fields.URLField, drf_fields.SlugField, drf_fields.EmailField)


@dataclass(frozen=True)
class Step:
    """One field of a plan: where its value is, and how it is written."""

    name: str
    source_attrs: tuple[str, ...]
    # Writes a value that is not None: (value, links) -> representation; ``links`` makes record URLs.
    write: Callable[[Any, Links], Any]
    # The bound field, asked for a value its source does not have (its default, null, or left out).
    field: drf_fields.Field

    def read(self, instance):
        """The value, as ``Field.get_attribute`` finds it (a model's callable called, a dict read by key)."""
        for attr in self.source_attrs:
            try:
                instance = instance[attr] if isinstance(instance, Mapping) else getattr(instance, attr)
            except ObjectDoesNotExist:
                return None
            if callable(instance) and drf_fields.is_simple_callable(instance):
                instance = instance()
        return instance


class Links:
    """Record URLs for one request: absolute on the request's scheme and host, paths without a request."""

    def __init__(self, request):
        self.prefix = get_script_prefix()
        # build_absolute_uri() of a path: scheme and host in front, then iri_to_uri; a path around a slug
        # ([-a-zA-Z0-9_]+) needs no quoting, so the origin is quoted once.
        self.origin = iri_to_uri(request._current_scheme_host) if request is not None else ""
        # The time zone date-times are written in, as DRF's DateTimeField reads it for each value.
        self.timezone = timezone.get_current_timezone() if settings.USE_TZ else None
        self.around: dict[str, tuple[str, str]] = {}

    def url(self, view_name: str, kwarg: str, slug) -> str:
        around = self.around.get(view_name)
        if around is None:
            from api.serializers.base import path_around_slug

            head, tail = path_around_slug(view_name, kwarg, self.prefix)
            around = self.around[view_name] = (f"{self.origin}{head}", tail)
        return f"{around[0]}{slug}{around[1]}"


class Plan:
    """A serializer's fields as steps. ``represent`` gives what ``Serializer.to_representation`` gives."""

    def __init__(self, steps: tuple[Step, ...]):
        self.steps = steps
        # Most fields read one attribute (or key): read here directly; the others through Step.read. A field
        # whose writer gives text back as it is (``same_text``) is not called for text.
        self.fast = tuple(
            (
                step.name,
                step.source_attrs[0] if len(step.source_attrs) == 1 else None,
                step.write,
                same_text(step.field),
                step,
            )
            for step in steps
        )

    def represent(self, instance, links: Links) -> dict:
        out = {}
        mapping = type(instance) is dict or isinstance(instance, Mapping)
        for name, attr, write, text_as_is, step in self.fast:
            try:
                if attr is None:
                    value = step.read(instance)
                elif mapping:
                    value = instance[attr]
                else:
                    value = getattr(instance, attr)
                    if callable(value) and drf_fields.is_simple_callable(value):
                        value = value()
            except ObjectDoesNotExist:
                value = None
            except (KeyError, AttributeError):
                try:
                    value = step.field.get_attribute(instance)
                except SkipField:
                    continue
            if value is None:
                out[name] = None
            elif text_as_is and value.__class__ is str:
                out[name] = value
            else:
                out[name] = write(value, links)
        return out


def same_text(field) -> bool:
    """Whether ``field`` writes any text value as it is: text fields (``str()``), and choice fields whose every
    choice is text standing for itself (DRF maps a value to its choice's key, here the same text)."""
    if type(field) in TEXT_FIELDS:
        return True
    if type(field) is drf_fields.ChoiceField:
        mapping = field.choice_strings_to_values
        return all(type(key) is str and mapping[key] == key and type(mapping[key]) is str for key in mapping)
    return False


def writer(field) -> Callable[[Any, Links], Any]:
    """How ``field`` writes a value that is not None."""
    from api.serializers.base import RecordListSerializer, RecordURLField, SortedListSerializer, sort_key

    if isinstance(field, RecordURLField):
        view_name, kwarg, lookup = field.view_name, field.lookup_url_kwarg, field.lookup_field

        def url(value, links):
            slug = value[lookup] if isinstance(value, dict) else getattr(value, lookup)
            return links.url(view_name, kwarg, slug)

        return url
    if isinstance(field, serializers.ListSerializer) and type(field) in (
        serializers.ListSerializer,
        SortedListSerializer,
        RecordListSerializer,
    ):
        child = plan_of(field.child)
        if child is None:
            return None
        if type(field) is SortedListSerializer:
            key, represent = sort_key(field.child), child.represent

            def sorted_items(value, links):
                return [represent(item, links) for item in sorted(value, key=key)]

            return sorted_items

        def items(value, links):
            iterable = value.all() if hasattr(value, "all") and not isinstance(value, list | tuple) else value
            return [child.represent(item, links) for item in iterable]

        return items
    if isinstance(field, serializers.Serializer) and type(field).to_representation in (
        serializers.Serializer.to_representation,
        *_plain_representations(),
    ):
        nested = plan_of(field)
        return nested.represent if nested is not None else None
    if isinstance(field, serializers.BaseSerializer | RelatedField | SerializerMethodField | HiddenField):
        # Another serializer, a relation, a method of the serializer: what they write may depend on the
        # request (the serializer's context), which a plan does not hold.
        return None
    if type(field) in TEXT_FIELDS:
        return lambda value, links: str(value)
    iso = drf_fields.ISO_8601
    if type(field) is drf_fields.DateField and str(getattr(field, "format", api_settings.DATE_FORMAT)).lower() == iso:
        return write_date
    if (
        type(field) is drf_fields.DateTimeField
        and str(getattr(field, "format", api_settings.DATETIME_FORMAT)).lower() == iso
        and not hasattr(field, "timezone")
    ):
        return functools.partial(write_datetime, field.to_representation)
    write = field.to_representation
    return lambda value, links: write(value)


def write_date(value, links):
    """DRF's DateField in ISO 8601 (text, as a JSON array holds dates, is left as it is; empty text is null)."""
    if not value:
        return None
    return value if isinstance(value, str) else value.isoformat()


def write_datetime(drf_write, value, links):
    """DRF's DateTimeField in ISO 8601 for an aware date-time: in the request's time zone, UTC written ``Z``;
    anything else as DRF's own field writes it."""
    if links.timezone is None or isinstance(value, str) or value.tzinfo is None:
        return drf_write(value)
    text = value.astimezone(links.timezone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _plain_representations() -> tuple:
    from api.serializers.base import RecordSerializer

    return (RecordSerializer.to_representation,)


def plan_of(serializer) -> Plan | None:
    """The plan of a bound serializer's readable fields, kept per class and set of field names; None when a
    field's value may depend on the request (then DRF represents the record)."""
    fields = [field for field in serializer.fields.values() if not field.write_only]
    key = (type(serializer), tuple(field.field_name for field in fields))
    try:
        return _PLANS[key]
    except KeyError:
        pass
    if serializer.context.get("request") is not None:
        # Fields bound to this request's serializer would keep it (its request, its page of records) for as long
        # as the plan is kept: plan unbound copies of them instead.
        fields = [field for field in detached(serializer).fields.values() if not field.write_only]
    writers = [writer(field) for field in fields]
    plan = None
    if all(write is not None for write in writers):
        steps = zip(fields, writers, strict=True)
        plan = Plan(tuple(Step(field.field_name, tuple(field.source_attrs), write, field) for field, write in steps))
    if len(_PLANS) >= MAX_PLANS:
        # ``?fields=`` makes a new set of fields per combination asked: the kept plans stay few.
        _PLANS.clear()
    _PLANS[key] = plan
    return plan


def detached(serializer):
    """A serializer of the same class and fields as ``serializer``, bound to no request: each field copied
    unbound (DRF copies a field from the arguments it was made with)."""
    copy = type(serializer)(context={"request": None})
    fields = BindingDict(copy)
    for name, field in serializer.fields.items():
        fields[name] = deepcopy(field)
    copy.__dict__["fields"] = fields
    return copy


def default_plan(serializer_class) -> Plan | None:
    """The plan of ``serializer_class`` with its declared fields, built once, without a request."""
    try:
        return _DEFAULTS[serializer_class]
    except KeyError:
        return _DEFAULTS.setdefault(serializer_class, plan_of(serializer_class(context={"request": None})))


MAX_PLANS = 256
_PLANS: dict[tuple, Plan | None] = {}
_DEFAULTS: dict[type, Plan | None] = {}
