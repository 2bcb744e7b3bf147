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

from django.db.models import Aggregate, JSONField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, JSONObject

from datasets.querysets import published_lookup

__all__ = ["JSONArrayAgg", "brief_list", "brief_one", "citation_list", "code_list", "with_nested"]

# The names of the annotations that hold relation ``name`` and the citations.
NESTED = "{}_nested"
CITATIONS = "citations_nested"


class JSONArrayAgg(Aggregate):
    """The group's values as one JSON array."""

    function = "JSON_GROUP_ARRAY"
    output_field = JSONField()

    def as_postgresql(self, compiler, connection, **extra_context):
        # jsonb, which Django reads back as text and decodes like any JSONField (json would arrive decoded).
        return super().as_sql(compiler, connection, function="JSONB_AGG", **extra_context)


def _label_field(model) -> str:
    """The field a brief record shows beside its slug: ``title`` for export controls, ``name`` otherwise."""
    return "title" if any(field.name == "title" for field in model._meta.fields) else "name"


def _array(rows, group_by: str, value) -> Coalesce:
    """One JSON array per record: ``value`` over ``rows``, grouped by the column that points at it; an
    empty array (not null) for a record with none."""
    aggregated = rows.order_by().values(group_by).annotate(items=JSONArrayAgg(value)).values("items")
    return Coalesce(
        Subquery(aggregated, output_field=JSONField()), Value([], output_field=JSONField()), output_field=JSONField()
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
    label = _label_field(field.related_model)
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
    label = _label_field(field.related_model)
    related = field.related_model.objects.filter(published_lookup(), pk=OuterRef(field.attname))
    return Subquery(related.values(json=JSONObject(slug="slug", **{label: label}))[:1], output_field=JSONField())


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
