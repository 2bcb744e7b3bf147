"""The database as an import reads it: each table and each many-to-many field's links read with one query,
then kept in memory (and up to date with what the import writes), so that references resolve without a
query per record."""

from functools import cached_property

from django.apps import apps

from datasets.models import Citation, ReviewedRecord
from datasets.querysets import published_lookup


class Table:
    """One model's rows as the import knows them, each read with one query: natural key -> pk always, and the
    concrete values of every row once asked for (the models being loaded)."""

    def __init__(self, model):
        self.model = model
        self.attnames = [field.attname for field in model._meta.concrete_fields]
        self.index = {attname: number for number, attname in enumerate(self.attnames)}
        self.pks = natural_keys(model)
        self._rows: dict | None = None

    @cached_property
    def known_pks(self) -> set:
        """Every pk, for references given by pk rather than by natural key (Django's format allows both)."""
        return set(self.pks.values())

    @property
    def rows(self) -> dict:
        """pk -> the row's concrete values, in ``attnames`` order."""
        if self._rows is None:
            pk = self.index[self.model._meta.pk.attname]
            self._rows = {row[pk]: row for row in self.model._base_manager.values_list(*self.attnames)}
        return self._rows

    def row(self, pk) -> dict:
        return dict(zip(self.attnames, self.rows[pk], strict=True))

    def value(self, pk, attname: str):
        return self.rows[pk][self.index[attname]]

    def remember(self, key: tuple, obj) -> None:
        """Take a record the import wrote into account for what follows."""
        self.pks[key] = obj.pk
        if "known_pks" in self.__dict__:
            self.known_pks.add(obj.pk)
        if self._rows is not None:
            self._rows[obj.pk] = tuple(getattr(obj, attname) for attname in self.attnames)


class Links:
    """The rows of a many-to-many field's through table, read with one query: record pk -> {target pk: row pk}."""

    def __init__(self, field):
        self.through = field.remote_field.through
        self.source = self.through._meta.get_field(field.m2m_field_name()).attname
        self.target = self.through._meta.get_field(field.m2m_reverse_field_name()).attname
        self.of: dict = {}
        for pk, source, target in self.through._base_manager.values_list("pk", self.source, self.target):
            self.of.setdefault(source, {})[target] = pk


class Tables:
    """The tables and links an import has read, each on first use."""

    def __init__(self):
        self._tables: dict = {}
        self._links: dict = {}

    def table(self, model) -> Table:
        if model not in self._tables:
            self._tables[model] = Table(model)
        return self._tables[model]

    def links(self, field) -> Links:
        if field not in self._links:
            self._links[field] = Links(field)
        return self._links[field]


def natural_keys(model) -> dict[tuple, object]:
    """Natural key -> pk of every row of ``model`` (one query)."""
    manager = model._base_manager
    if issubclass(model, ReviewedRecord):
        return {(slug,): pk for slug, pk in manager.values_list("slug", "pk")}
    if issubclass(model, Citation):
        return {
            (record, source, locator): pk
            for record, source, locator, pk in manager.values_list("record__slug", "source__slug", "locator", "pk")
        }
    if has_natural_key(model):
        return {tuple(obj.natural_key()): obj.pk for obj in manager.all()}
    return {(pk,): pk for pk in manager.values_list("pk", flat=True)}


def has_natural_key(model) -> bool:
    return hasattr(model, "natural_key") and hasattr(model._default_manager, "get_by_natural_key")


def unpublished_pks() -> dict:
    """The pks of the records that are not published, per reviewed model."""
    return {
        model: set(model._base_manager.exclude(published_lookup()).values_list("pk", flat=True))
        for model in apps.get_app_config("datasets").get_models()
        if issubclass(model, ReviewedRecord)
    }
