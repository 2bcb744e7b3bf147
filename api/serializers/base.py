"""The building blocks of the API's record shapes: read-only model serializers, record URLs, citations and
nested records (``api.nesting`` reads them in the page's own query)."""

import functools
import operator
from collections.abc import Callable

from django.db import models
from django.urls import get_script_prefix
from django.urls import reverse as django_reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.nesting import CITATIONS, NESTED
from api.serializers.plans import Links, default_plan, plan_of
from datasets.choices import DatePrecisionChoices
from datasets.resources import resource_of

TIMESTAMPS = ("created_at", "updated_at")


@extend_schema_field(OpenApiTypes.INT64)
class BigIntegerField(serializers.IntegerField):
    """A 64-bit integer (parameter counts reach 10^12): documented as int64 so that clients use a long."""


class RecordSerializer(serializers.ModelSerializer):
    """Base of the model serializers: every field is read-only, as the API is.

    Read-only fields also drop the write-side bounds DRF copies from the model (max_length, min/max
    values), which describe what a write may send, and which for integer columns depend on the database
    backend (64-bit on SQLite, 32-bit on PostgreSQL): the schema is then the same whatever the database.
    """

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.BigIntegerField: BigIntegerField,
    }

    def get_extra_kwargs(self):
        extra_kwargs = super().get_extra_kwargs()
        for name in self.Meta.fields:
            extra_kwargs.setdefault(name, {})["read_only"] = True
        return extra_kwargs

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        meta = cls.__dict__.get("Meta")
        if meta is not None and not hasattr(meta, "list_serializer_class"):
            meta.list_serializer_class = RecordListSerializer

    def to_representation(self, instance):
        """DRF's representation, by the serializer's plan (``api.serializers.plans``): the same answer without
        building the fields for each request or walking them generically for each record."""
        represent = self.representer()
        return super().to_representation(instance) if represent is None else represent(instance)

    def representer(self):
        """``instance -> representation`` by this serializer's plan for this request, or None when DRF's own
        walk of the fields must represent it (a field whose value may depend on the request, or no request)."""
        plan = self.__dict__.get("_plan", False)
        if plan is False:
            # Fields changed for this request (``?expand=``, ``?fields=``) make a plan of their own.
            plan = self._plan = plan_of(self) if "fields" in self.__dict__ else default_plan(type(self))
        if plan is None or "request" not in self.context:
            return None
        root = self.root
        links = root.__dict__.get("_links")
        if links is None:
            links = root._links = Links(self.context["request"])
        return functools.partial(plan.represent, links=links)

    def include_extra_kwargs(self, kwargs, extra_kwargs):
        allow_blank = kwargs.get("allow_blank", False)
        kwargs = super().include_extra_kwargs(kwargs, extra_kwargs)
        # DRF drops allow_blank from read-only fields, but "" is a value responses hold (an organization
        # with no country, a measure with no end reason): keep it, so that the schema allows it.
        if allow_blank:
            kwargs["allow_blank"] = True
        return kwargs


class RecordListSerializer(serializers.ListSerializer):
    """A page of records (every ``RecordSerializer``'s ``many=True``): each record by the child's plan, looked up
    once per page rather than once per record."""

    def to_representation(self, data):
        represent = self.child.representer()
        if represent is None:
            return super().to_representation(data)
        iterable = data.all() if isinstance(data, models.manager.BaseManager) else data
        return [represent(item) for item in iterable]


class RecordURLField(serializers.HyperlinkedIdentityField):
    """A record's canonical URL: absolute when there is a request, a path when there is none (release
    files), and never carrying the request's ``?format=`` along (DRF's default), so that a record's URL is
    the same in JSON, CSV and the browsable API."""

    def get_url(self, obj, view_name, request, format):
        # A record, or a related record in brief read as a dict (api.nesting).
        slug = obj[self.lookup_field] if isinstance(obj, dict) else getattr(obj, self.lookup_field)
        head, tail = path_around_slug(view_name, self.lookup_url_kwarg, get_script_prefix())
        path = f"{head}{slug}{tail}"
        return request.build_absolute_uri(path) if request is not None else path


# Stands for the slug in a reversed URL. Slugs match the route's [-a-zA-Z0-9_]+, which needs no quoting in a
# path, so a record's path is the route's path around its slug: one reverse() per route, not one per record
# (a page of 50 records nests a hundred URLs or more).
SLUG_MARK = "0slug0"


@functools.cache
def path_around_slug(view_name: str, kwarg: str, script_prefix: str) -> tuple[str, str]:
    """The path of route ``view_name`` before and after its slug (``script_prefix`` keys the cache: reverse()
    puts it in front)."""
    head, _, tail = django_reverse(view_name, kwargs={kwarg: SLUG_MARK}).partition(SLUG_MARK)
    return head, tail


def detail_route(resource) -> str:
    """The name of a resource's record route (``datasets.resources``): "api:model-release-detail"."""
    return f"api:{resource.basename}-detail"


def record_path(resource, slug: str) -> str:
    """The path of a record of ``resource`` (the script prefix in front), without reversing a route."""
    head, tail = path_around_slug(detail_route(resource), "slug", get_script_prefix())
    return f"{head}{slug}{tail}"


def record_url(model) -> RecordURLField:
    """The absolute API URL of a record of ``model``, by slug."""
    return RecordURLField(
        view_name=detail_route(resource_of(model)),
        lookup_field="slug",
        help_text="Absolute URL of this record in the API.",
    )


class SortedListSerializer(serializers.ListSerializer):
    """Nested records read as a JSON array (``api.nesting``), which has no order of its own: sorted by
    ``sort_keys`` of the child serializer's Meta (the slug by default), as the related model orders them."""

    def to_representation(self, data):
        return super().to_representation(sorted(data, key=sort_key(self.child)))


def sort_key(serializer) -> Callable:
    """The sort key of nested records read as dicts: the values of the serializer's ``Meta.sort_keys`` (the slug
    by default), in that order."""
    keys = getattr(getattr(serializer, "Meta", None), "sort_keys", ("slug",))
    if len(keys) == 1:  # a 1-tuple, as itemgetter gives for several keys: two null values compare equal
        (key,) = keys
        return lambda item: (item[key],)
    return operator.itemgetter(*keys)


class CitationSerializer(serializers.Serializer):
    """A published source cited in support of a record, with where in it and what it says."""

    source = serializers.CharField(read_only=True, help_text="Slug of the cited source.")
    title = serializers.CharField(read_only=True, help_text="Title of the source document.")
    publisher = serializers.CharField(read_only=True, help_text="Who published the source document.")
    url = serializers.URLField(read_only=True, help_text="Where the source can be read.")
    published_on = serializers.DateField(
        read_only=True, allow_null=True, help_text="Publication date of the source, if known."
    )
    date_precision = serializers.ChoiceField(
        choices=DatePrecisionChoices.choices,
        read_only=True,
        help_text="How precise published_on is: a month-precision date is stored as the first of that month.",
    )
    locator = serializers.CharField(
        read_only=True, help_text='Where in the source: page, section or paragraph (e.g. "p. 4"); may be empty.'
    )
    quote = serializers.CharField(
        read_only=True, help_text="A short quotation from the source that supports the record; may be empty."
    )

    class Meta:
        list_serializer_class = SortedListSerializer
        sort_keys = ("source", "locator")


class SortedListField(serializers.ListField):
    """Values read as a JSON array (``api.nesting``), sorted."""

    def to_representation(self, data):
        return super().to_representation(sorted(data))


def citations_field() -> CitationSerializer:
    return CitationSerializer(
        many=True, read_only=True, source=CITATIONS, help_text="The published sources that support this record."
    )


def nested(serializer_class, relation: str, **kwargs):
    """A relation read by ``api.nesting.with_nested``: a brief record (or None), or a sorted list of them."""
    return serializer_class(source=NESTED.format(relation), read_only=True, **kwargs)
