"""Related records and citations read in the same query as the records that refer to them.

A record of the API nests its related records in brief (slug, name, URL) and its citations. Read with
``prefetch_related``, every relation costs one more query per page: eleven for an export control. Here
each to-many relation and the citations become a correlated subquery in the page's own SELECT, which
returns them as a JSON array (``json_group_array`` on SQLite, ``jsonb_agg`` on PostgreSQL) through the
join table's index; a to-one relation is a subquery by primary key. A list then costs the same few queries whatever the
resource, and each subquery reads only the rows of the records on the page, so the cost stays flat as the
tables grow.

Only published related records and published sources are read: a to-one relation to an unpublished
record reads as None, unpublished members of a to-many relation are left out. The serializers sort the
arrays (by slug; citations by source and locator), as JSON aggregates promise no order.
"""

from collections.abc import Callable
from dataclasses import dataclass

import orjson
from django.db.models import (
    Aggregate,
    Case,
    CharField,
    Count,
    Expression,
    F,
    IntegerField,
    JSONField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat, JSONObject

from datasets.models import Chip, ExportControl, ModelRelease, Organization
from datasets.querysets import published_lookup

__all__ = [
    "COUNT",
    "DOSSIERS",
    "EXPAND_LIMIT",
    "JSONArrayAgg",
    "Reverse",
    "brief_list",
    "brief_one",
    "citation_list",
    "code_list",
    "count_help",
    "label_field",
    "reverse",
    "with_dossier",
    "with_nested",
]

# The names of the annotations that hold relation ``name`` and the citations.
NESTED = "{}_nested"
CITATIONS = "citations_nested"


class NestedJSONField(JSONField):
    """The JSON the nesting subqueries return, decoded with orjson (three times as fast as the standard library
    for the arrays of a page of 50 records: 150 of them); what orjson refuses is decoded as any JSONField."""

    def from_db_value(self, value, expression, connection):
        if not isinstance(value, str | bytes):
            return super().from_db_value(value, expression, connection)
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return super().from_db_value(value, expression, connection)


class JSONArrayAgg(Aggregate):
    """The group's values as one JSON array."""

    function = "JSON_GROUP_ARRAY"
    output_field = NestedJSONField()

    def as_postgresql(self, compiler, connection, **extra_context):
        # jsonb, which Django reads back as text and decodes like any JSONField (json would arrive decoded).
        return super().as_sql(compiler, connection, function="JSONB_AGG", **extra_context)


def label_field(model) -> str:
    """The field a brief record shows beside its slug: ``title`` for export controls, ``name`` otherwise."""
    return "title" if any(field.name == "title" for field in model._meta.fields) else "name"


def _array(rows, group_by: str, value) -> Coalesce:
    """One JSON array per record: ``value`` over ``rows``, grouped by the column that points at it; an
    empty array (not null) for a record with none."""
    aggregated = rows.order_by().values(group_by).annotate(items=JSONArrayAgg(value)).values("items")
    return Coalesce(
        Subquery(aggregated, output_field=NestedJSONField()),
        Value([], output_field=NestedJSONField()),
        output_field=NestedJSONField(),
    )


def brief_list(model, relation: str, extra: tuple[str, ...] = ()) -> Coalesce:
    """A many-to-many relation of ``model`` (either side: ``suspends`` or its reverse, ``suspended_by``) as a
    JSON array of the published related records in brief, with the ``extra`` fields of each."""
    field = model._meta.get_field(relation)
    if field.concrete:
        source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
        through = field.remote_field.through
    else:  # the reverse side of a many-to-many field
        source, target = field.field.m2m_reverse_field_name(), field.field.m2m_field_name()
        through = field.through
    rows = through.objects.filter(published_lookup(f"{target}__"), **{source: OuterRef("pk")})
    label = label_field(field.related_model)
    fields = {name: f"{target}__{name}" for name in ("slug", label, *extra)}
    return _array(rows, source, JSONObject(**fields))


def code_list(model, relation: str, code: str = "code") -> Coalesce:
    """A many-to-many relation to a reference table (countries) as a JSON array of its codes."""
    field = model._meta.get_field(relation)
    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    rows = field.remote_field.through.objects.filter(**{source: OuterRef("pk")})
    return _array(rows, source, f"{target}__{code}")


def citation_list(model) -> Coalesce:
    """A record's citations of published sources, as a JSON array of what the API shows of each."""
    rows = model.citations.rel.related_model.objects.filter(published_lookup("source__"), record=OuterRef("pk"))
    return _array(
        rows,
        "record",
        JSONObject(
            source="source__slug",
            title="source__title",
            publisher="source__publisher",
            url="source__url",
            published_on="source__published_on",
            date_precision="source__date_precision",
            locator="locator",
            quote="quote",
        ),
    )


def brief_one(model, relation: str) -> Subquery:
    """A to-one relation of ``model`` as the related record in brief, when it is published (else null).

    A subquery rather than a join: ``select_related`` over a filtered relation would be an INNER JOIN for
    a required foreign key, dropping the record itself when the related one is unpublished.
    """
    field = model._meta.get_field(relation)
    label = label_field(field.related_model)
    related = field.related_model.objects.filter(published_lookup(), pk=OuterRef(field.attname))
    return Subquery(related.values(json=JSONObject(slug="slug", **{label: label}))[:1], output_field=NestedJSONField())


def with_nested(queryset, *, to_one=(), to_many=(), codes=(), citations=True, extra=None):
    """``queryset`` with its relations and citations read in the same query (see the module's docstring).

    The serializers read relation ``x`` from the attribute ``x_nested``: a dict or None for a to-one
    relation, a list of dicts for a to-many one, a list of codes for ``codes``. ``extra`` names, per to-many
    relation, the fields its brief records show besides slug and name.
    """
    model = queryset.model
    extra = extra or {}
    annotations = {NESTED.format(name): brief_one(model, name) for name in to_one}
    annotations |= {NESTED.format(name): brief_list(model, name, extra.get(name, ())) for name in to_many}
    annotations |= {NESTED.format(name): code_list(model, name) for name in codes}
    if citations:
        annotations[CITATIONS] = citation_list(model)
    return queryset.annotate(**annotations)


# Dossiers: a record's reverse relations, read on its detail route in the same query (``with_dossier``).


def _published_slug(relation: str):
    """The slug of the record ``relation`` leads to, when it is published; null otherwise (as the API shows it)."""
    return Case(When(published_lookup(f"{relation}__"), then=F(f"{relation}__slug")), default=None)


def _control_brief() -> dict:
    return {
        name: name for name in ("slug", "title", "instrument", "jurisdiction", "effective_on", "ends_on", "end_reason")
    }


def _grant_brief() -> dict:
    fields = {name: name for name in ("slug", "access_type", "outcome", "claim_status", "starts_on", "ends_on")}
    return {**fields, **{name: _published_slug(name) for name in ("model", "grantee", "grantor")}}


@dataclass(frozen=True)
class Reverse:
    """One relation of a dossier: the published records that refer to a record, as brief ``fields``.

    ``rows(outer)`` gives the rows that point at the record whose key ``outer`` references, grouped by the
    column ``group``; ``prefix`` leads from a row to the referring record (``"exportcontrol__"`` through a join
    table, ``""`` when the rows are the records themselves). ``rows`` takes the reference rather than building
    ``OuterRef("pk")`` itself so that a capped array can ask for the first rows one subquery deeper.
    """

    rows: Callable[[Expression], QuerySet]
    group: str
    prefix: str
    fields: dict

    def array(self, cap: int | None = None) -> Coalesce:
        """The records as one JSON array per record; with ``cap``, only the first ``cap`` of them by slug."""
        rows = self.rows(OuterRef("pk"))
        if cap is not None:
            # By slug written as an expression, which no index gives: read the record's rows through the index
            # that finds them, then sort those few, rather than walk every published row in slug order until
            # ``cap`` of them point at the record (SQLite, without statistics, would: 300 ms a page at 100k).
            by_slug = Concat(F(f"{self.prefix}slug"), Value(""), output_field=CharField())
            first = self.rows(OuterRef(OuterRef("pk"))).order_by(by_slug).values("pk")[:cap]
            rows = rows.filter(pk__in=first)
        value = {
            name: (F(f"{self.prefix}{path}") if isinstance(path, str) else path) for name, path in self.fields.items()
        }
        return _array(rows, self.group, JSONObject(**value))

    def count(self) -> Coalesce:
        """How many records refer to the record (all of them, whatever the cap of the array)."""
        counted = self.rows(OuterRef("pk")).order_by().values(self.group).annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def reverse(model, relation: str, fields: dict) -> Reverse:
    """The published records pointing at ``model`` through ``relation`` (a reverse foreign key or either side of
    a many-to-many), as ``fields`` (name: field path or expression on the related record)."""
    field = model._meta.get_field(relation)
    if field.one_to_many:
        related, pointer = field.related_model, field.field.name
        return Reverse(
            lambda outer: related.objects.filter(published_lookup(), **{pointer: outer}), pointer, "", fields
        )
    if field.concrete:
        source, target, through = field.m2m_field_name(), field.m2m_reverse_field_name(), field.remote_field.through
    else:
        source, target, through = field.field.m2m_reverse_field_name(), field.field.m2m_field_name(), field.through
    return Reverse(
        lambda outer: through.objects.filter(published_lookup(f"{target}__"), **{source: outer}),
        source,
        f"{target}__",
        fields,
    )


def controls_on_training_chips() -> Reverse:
    """For a model release: the published measures that cover one of its published training chips."""

    def rows(outer):
        # The links of a published chip the release (one level further out than these rows) was trained on.
        covering = ExportControl.covered_chips.through.objects.filter(
            published_lookup("chip__"), chip__trained_models=OuterRef(outer)
        ).values("exportcontrol")
        return ExportControl.objects.published().filter(pk__in=covering).annotate(one=Value(1))

    return Reverse(rows, "one", "", _control_brief())


_DATED_MODEL = {"slug": "slug", "name": "name", "released_on": "released_on"}

# Per model: the reverse relations its own route shows, by name.
DOSSIERS: dict[type, dict[str, Reverse]] = {
    Organization: {
        "model_releases": reverse(Organization, "model_releases", _DATED_MODEL),
        "grants_given": reverse(Organization, "grants_given", _grant_brief()),
        "grants_received": reverse(Organization, "grants_received", _grant_brief()),
        "export_controls_targeting": reverse(Organization, "export_controls_targeting", _control_brief()),
        "export_controls_issued": reverse(Organization, "export_controls_issued", _control_brief()),
        "chips": reverse(Organization, "chips", {"slug": "slug", "name": "name"}),
    },
    Chip: {
        "export_controls": reverse(Chip, "export_controls", _control_brief()),
        "trained_models": reverse(Chip, "trained_models", _DATED_MODEL),
    },
    ModelRelease: {
        "access_grants": reverse(ModelRelease, "access_grants", _grant_brief()),
        "controls_on_training_chips": controls_on_training_chips(),
    },
}

# How many records an expanded relation lists on a list's record (``?expand=``); its count says how many in all.
EXPAND_LIMIT = 20
COUNT = "{}_count"


def count_help(name: str) -> str:
    """What ``<name>_count`` says, in the schema."""
    return f"With `expand={name}`: how many records `{name}` holds in all (it lists at most {EXPAND_LIMIT})."


def with_dossier(queryset, names=None, cap: int | None = None):
    """``queryset`` with the reverse relations of its records (``DOSSIERS``; only ``names``, if given), each as
    ``<name>_nested``; with ``cap`` (a list's ``?expand=``), each capped at its first ``cap`` records by slug
    and counted, as ``<name>_count``."""
    relations = DOSSIERS[queryset.model]
    annotations = {}
    for name in relations if names is None else names:
        annotations[NESTED.format(name)] = relations[name].array(cap)
        if cap is not None:
            annotations[COUNT.format(name)] = relations[name].count()
    return queryset.annotate(**annotations)
