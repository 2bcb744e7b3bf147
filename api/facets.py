"""Facet counts (Datasette's ``_facet``): for a list's ``?facet=<name>``, the values of one field among the records
that the request's other filters select, each with its label and the number of records, most frequent first.

A facet is counted under every filter of the request but its own (``developer`` and ``developer__not`` for the
``developer`` facet), so that a client showing the facet can offer the other values too. Each costs a constant
number of queries whatever the number of records: one GROUP BY, and one count of the records with no value
where the GROUP BY cannot hold them (relations, whose unpublished members count as no value, as the API shows
them). A relation's values are the published records' slugs, labelled with their names.
"""

from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.db.models.functions import ExtractYear

from api.nesting import label_field

__all__ = ["FACET_SIZE", "Facet"]

# Values listed per facet, as Datasette's default; ``truncated`` says when there were more.
FACET_SIZE = 30


@dataclass(frozen=True)
class Facet:
    """One facetable field of a resource: ``path`` is a column, a relation or (``year``) a date column."""

    path: str
    year: bool = False

    def counted(self, records: QuerySet) -> dict:
        """The facet over ``records`` (filtered, published): its values with label and count, and ``truncated``."""
        records = records.order_by()
        field = records.model._meta.get_field(self.path)
        if self.year:
            rows, nulls = self._years(records), None
        elif field.is_relation and field.related_model.__name__ == "Country":
            rows, nulls = self._codes(records, field)
        elif field.is_relation:
            rows, nulls = self._related(records, field)
        else:
            rows, nulls = self._values(records, field), None
        if nulls:
            rows.append({"value": None, "label": None, "count": nulls})
        rows.sort(key=lambda row: (-row["count"], row["value"] is None, str(row["value"])))
        truncated = len([row for row in rows if row["value"] is not None]) > FACET_SIZE
        if truncated:
            kept = [row for row in rows if row["value"] is not None][:FACET_SIZE]
            rows = [row for row in rows if row["value"] is None or row in kept]
        return {"values": rows, "truncated": truncated}

    def _values(self, records: QuerySet, field) -> list[dict]:
        # One GROUP BY; "" (no end reason, no country) is the null bucket, as the API shows no value.
        labels = dict(field.choices or ())
        counted = records.values(self.path).annotate(count=Count("pk")).order_by("-count", self.path)
        rows: dict = {}
        for row in counted[: FACET_SIZE + 2]:
            value = row[self.path] if row[self.path] != "" else None
            bucket = rows.setdefault(value, {"value": value, "label": labels.get(value, value), "count": 0})
            bucket["count"] += row["count"]
        return list(rows.values())

    def _years(self, records: QuerySet) -> list[dict]:
        counted = records.annotate(year=ExtractYear(self.path)).values("year").annotate(count=Count("pk"))
        rows = []
        for row in counted.order_by("-count", "year")[: FACET_SIZE + 2]:
            value = None if row["year"] is None else str(row["year"])
            rows.append({"value": value, "label": value, "count": row["count"]})
        return rows

    def _related(self, records: QuerySet, field) -> tuple[list[dict], int]:
        related = field.related_model
        label = label_field(related)
        published = related.objects.published()
        if field.many_to_many:
            links = field.remote_field.through.objects.filter(
                **{
                    f"{field.m2m_field_name()}__in": records.values("pk"),
                    f"{field.m2m_reverse_field_name()}__in": published,
                }
            )
            target = field.m2m_reverse_field_name()
            counted = links.values(f"{target}__slug", f"{target}__{label}").annotate(
                count=Count(field.m2m_field_name(), distinct=True)
            )
            having = links.values(field.m2m_field_name())
            nulls = records.exclude(pk__in=having).count()
        else:
            target = self.path
            counted = (
                records.filter(**{f"{self.path}__in": published})
                .values(f"{target}__slug", f"{target}__{label}")
                .annotate(count=Count("pk"))
            )
            nulls = records.exclude(**{f"{self.path}__in": published}).count()
        rows = [
            {"value": row[f"{target}__slug"], "label": row[f"{target}__{label}"], "count": row["count"]}
            for row in counted.order_by("-count", f"{target}__slug")[: FACET_SIZE + 1]
        ]
        return rows, nulls

    def _codes(self, records: QuerySet, field) -> tuple[list[dict], int]:
        """A to-many relation to countries: their codes, labelled with the countries' names."""
        through = field.remote_field.through.objects.filter(**{f"{field.m2m_field_name()}__in": records.values("pk")})
        target = field.m2m_reverse_field_name()
        labels = dict(field.related_model._meta.get_field("code").choices or ())
        counted = through.values(f"{target}__code").annotate(count=Count(field.m2m_field_name(), distinct=True))
        rows = [
            {"value": row[f"{target}__code"], "label": labels.get(row[f"{target}__code"]), "count": row["count"]}
            for row in counted.order_by("-count", f"{target}__code")[: FACET_SIZE + 1]
        ]
        return rows, records.exclude(pk__in=through.values(field.m2m_field_name())).count()
