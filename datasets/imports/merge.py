"""The three-way merge: each record of a file compared, field by field, with the database's and with the
last imported version (``ImportedVersion``); what the file changed and the database did not is applied, what
the database changed and the file did not is kept, what both changed is a conflict handed to review."""

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from datasets import services
from datasets.choices import ReviewStatusChoices
from datasets.imports.files import parse_entry, read_entries, validate_record
from datasets.imports.report import ImportRefused, ImportReport, describe
from datasets.imports.tables import Tables, has_natural_key, unpublished_pks
from datasets.imports.writes import BATCH_SIZE, Change, record_history, write_changes
from datasets.models import AccessGrant, Citation, ImportedVersion, ReviewedRecord

# Bookkeeping a file may carry but the database keeps for itself (``created_at`` counts for new records only).
IGNORED_FIELDS = {"updated_at", "version", "last_edited_by", "revision_of"}
# A reference in a last imported version to a record the database no longer holds.
MISSING = object()


class Loader:
    """Loads fixture files one after the other, counting what changed and collecting the public changes.

    Every table is read once (natural keys, rows, links), references are resolved from memory, and the
    changes of a file are written in batches: the number of queries grows with the number of models and
    batches, not with the number of records.
    """

    def __init__(self, report: ImportReport, *, keep_hidden_links: bool):
        self.report = report
        self.events: list[tuple] = []
        self.tables = Tables()
        self._bases: dict = {}
        # The versions to remember as the last imported ones, and the records in conflict.
        self.new_bases: list[tuple] = []
        self.conflicts: list[tuple] = []
        self.now = timezone.now()
        # The records that were not published when the import started, by pk, per reviewed model.
        self.hidden = unpublished_pks() if keep_hidden_links else {}
        # Curated fixtures are written by curators, who may leave a default out; a release is loaded as it is.
        self.fills_defaults = not keep_hidden_links

    def load(self, path: Path) -> None:
        entries = [parse_entry(path, entry) for entry in read_entries(path)]
        in_file: dict = {}
        for model, key, _ in entries:
            if key in in_file.setdefault(model, set()):
                raise ImportRefused(f"{path.name}: {describe(model, key)} is listed twice")
            in_file[model].add(key)
        changes = [change for entry in entries if (change := self._compare(path, *entry, in_file)) is not None]
        write_changes(self.tables, path, changes)
        self.write_bases()
        self.events += record_history(self.tables, changes, f"Imported from {path.parent.name}/{path.name}")

    def _compare(self, path: Path, model, key: tuple, fields: dict, in_file: dict) -> Change | None:
        """The record as the file gives it, resolved, compared with the database and the last imported version,
        and checked; None if there is nothing of the file's to write."""
        table = self.tables.table(model)
        pk = table.pks.get(key)
        label = model._meta.label_lower
        fields = {
            name: raw
            for name, raw in fields.items()
            if name not in IGNORED_FIELDS and not (pk is not None and name == "created_at")
        }
        base_key = json.dumps(list(key))
        base = self.bases(model).get(base_key, (None, None))[1]
        values, links, later = {}, {}, []
        for name, raw in fields.items():
            field = model._meta.get_field(name)
            if field.many_to_many:
                if not isinstance(raw, list):
                    raise ImportRefused(f"{path.name}: {describe(model, key)}: {name} is not a list")
                links[field] = set()
                for item in raw:
                    target, target_key = self._target(path, model, key, field, item, in_file)
                    if target is None:
                        later.append((field, field.related_model, target_key))
                    else:
                        links[field].add(target)
            elif field.is_relation:
                values[field.attname] = None
                if raw is not None:
                    values[field.attname], target_key = self._target(path, model, key, field, raw, in_file)
                    if values[field.attname] is None:
                        later.append((field, field.related_model, target_key))
            else:
                try:
                    values[field.attname] = field.to_python(raw)
                except ValidationError as error:
                    raise ImportRefused(
                        f"{path.name}: {describe(model, key)}: {{{name!r}: {error.messages}}}"
                    ) from error
        if pk is None:
            if base is not None and issubclass(model, Citation):
                # Imported before, removed here since (by a reviewed revision): it stays removed. (A record is
                # loaded again: only a draft the public never saw can have been deleted, and others may refer
                # to it.)
                changed_in_file = [name for name, raw in fields.items() if _file_changed(model, name, raw, base)]
                if changed_in_file:
                    self.report.conflicts.append(
                        (label, "/".join(key), changed_in_file, "deleted here; the file's version was not loaded")
                    )
                else:
                    self.report.kept.append((label, "/".join(key), ["the record (deleted)"]))
                return None
            # Positional arguments in field order: the fast way to make a model instance (as from_db() does).
            args = [values[f.attname] if f.attname in values else f.get_default() for f in model._meta.concrete_fields]
            obj, changed, was_public = model(*args), set(), False
            if isinstance(obj, ReviewedRecord):
                obj.updated_at = self.now
                obj.created_at = obj.created_at or self.now
            self.new_bases.append((model, base_key, fields))
        else:
            current = table.row(pk)
            self._keep_hidden_links(model, pk, fields, current, values, links)
            applied, kept, conflicts = self._three_way(model, pk, current, fields, base, values, links, later)
            if kept:
                self.report.kept.append((label, "/".join(key), kept))
            if conflicts:
                self.conflicts.append((model, pk, key, conflicts, fields))
            elif base != fields:
                self.new_bases.append((model, base_key, fields))
            changed = {attname for attname in applied if attname in values}
            links = {field: targets for field, targets in links.items() if field.name in applied}
            later = [entry for entry in later if entry[0].name in applied]
            if not changed and not links and not later:
                if not kept and not conflicts:
                    self.report.unchanged[label] += 1
                return None
            obj = model(*table.rows[pk])
            obj._state.adding = False
            for attname in changed:
                setattr(obj, attname, values[attname])
            if isinstance(obj, ReviewedRecord):
                obj.updated_at = self.now
                changed.add("updated_at")
            was_public = current.get("review_status") == ReviewStatusChoices.PUBLISHED
        if self.fills_defaults and pk is None and isinstance(obj, AccessGrant) and "grantor" not in fields:
            # A new grant whose entry names no grantor at all gets the model's developer, as in the admin. An
            # explicit null stays null, and a release (whose grantors a public import must not invent) is loaded
            # as it is.
            services.fill_default_grantor(obj)
        validate_record(path, obj, key, pending={field.name for field, _, _ in later})
        (self.report.created if pk is None else self.report.updated)[label] += 1
        return Change(obj, key, pk is None, was_public, changed, links, later)

    def _three_way(self, model, pk, current: dict, fields: dict, base, values: dict, links: dict, later: list):
        """Where the file differs from the database, field by field: the fields to apply (changed in the file,
        not here: by attname, and by name for relations), those kept (changed here, not in the file) and those
        in conflict (changed on both sides), the last two by name."""
        pending = {field for field, _, _ in later}
        applied, kept, conflicts = set(), [], []
        for name, raw in fields.items():
            field = model._meta.get_field(name)
            if field.many_to_many:
                here = set(self.tables.links(field).of.get(pk, {}).keys())
                same = field not in pending and links[field] == here
            else:
                here = current[field.attname]
                same = field not in pending and values[field.attname] == here
            if same:
                continue
            if not _file_changed(model, name, raw, base):
                kept.append(name)
            elif self._resolve(field, base[name]) == here:
                applied.update((name, field.attname))
            else:
                conflicts.append(name)
        return applied, kept, conflicts

    def _resolve(self, field, raw):
        """A value of a last imported version as the database holds it: references as pks (``MISSING`` for a
        record that is gone), many-to-many as a set of pks."""
        if field.many_to_many:
            targets = {self._lookup(field, item) for item in raw}
            return MISSING if MISSING in targets else targets
        if field.is_relation:
            return None if raw is None else self._lookup(field, raw)
        try:
            return field.to_python(raw)
        except ValidationError:
            return MISSING

    def _lookup(self, field, raw):
        table = self.tables.table(field.related_model)
        if has_natural_key(field.related_model) and isinstance(raw, list | tuple):
            return table.pks.get(tuple(raw), MISSING)
        return raw if raw in table.known_pks else MISSING

    def bases(self, model) -> dict:
        """The last imported version of each record of ``model``: natural key (JSON) -> (pk, fields)."""
        if model not in self._bases:
            rows = ImportedVersion.objects.filter(model=model._meta.label_lower).values_list("pk", "key", "fields")
            self._bases[model] = {key: (pk, fields) for pk, key, fields in rows}
        return self._bases[model]

    def write_bases(self) -> None:
        """Remember what this file said of each record it loaded without conflict (one statement per batch)."""
        new, changed = [], []
        for model, key, fields in self.new_bases:
            pk = self.bases(model).get(key, (None, None))[0]
            version = ImportedVersion(
                pk=pk, model=model._meta.label_lower, key=key, fields=fields, imported_at=self.now
            )
            (new if pk is None else changed).append(version)
            self.bases(model)[key] = (pk, fields)
        if new:
            # Raw inserts, as for the records (bulk_create's per-object preparation doubled this step's time).
            meta = ImportedVersion._meta
            columns = [meta.get_field(name) for name in ("model", "key", "fields", "imported_at")]
            size = max(connection.ops.bulk_batch_size(columns, new), 1)
            for start in range(0, len(new), size):
                ImportedVersion._base_manager._insert(new[start : start + size], fields=columns, raw=True)
        ImportedVersion.objects.bulk_update(changed, ["fields", "imported_at"], batch_size=BATCH_SIZE)
        self.new_bases = []

    def hand_conflicts_to_review(self) -> None:
        """Report each conflict; a published record gets the file's values of the conflicting fields as a
        revision in review (nobody's writing: any reviewer may publish or discard it)."""
        for model, pk, key, names, fields in self.conflicts:
            label, slug = model._meta.label_lower, "/".join(key)
            record = model._base_manager.get(pk=pk)
            outcome = "edit the citation to settle it"
            if isinstance(record, ReviewedRecord) and record.review_status != ReviewStatusChoices.PUBLISHED:
                outcome = f"the record is {record.review_status} here: settle it there"
            elif isinstance(record, ReviewedRecord):
                try:
                    revision = self._revision(record, names, fields)
                except services.TransitionError as error:
                    outcome = f"and no revision was opened: {error}"
                else:
                    outcome = f"the file's version is in review as {revision.slug}"
                    self.new_bases.append((model, json.dumps(list(key)), fields))
            self.report.conflicts.append((label, slug, names, outcome))
        self.write_bases()

    def _revision(self, record: ReviewedRecord, names: list[str], fields: dict) -> ReviewedRecord:
        model = type(record)
        revision = services.start_revision(record, None)
        relations = {}
        for name in names:
            field = model._meta.get_field(name)
            value = self._resolve(field, fields[name])
            if value is MISSING:
                raise services.TransitionError(f"the file's {name} refers to a missing record")
            if field.many_to_many:
                relations[field] = value
            else:
                setattr(revision, field.attname, value)

        def set_relations():
            for field, targets in relations.items():
                getattr(revision, field.name).set(targets)

        services.save_edit(
            revision, None, revision.version, reason="The imported file's version", related=set_relations
        )
        return services.submit_for_review(revision, None)

    def _target(self, path: Path, model, key: tuple, field, raw, in_file: dict) -> tuple:
        """The pk of the record a reference names (None if this file creates it) and its key; a reference to a
        record that is neither in the database nor in the file is refused."""
        related = field.related_model
        table = self.tables.table(related)
        if has_natural_key(related) and isinstance(raw, list | tuple):
            target_key = tuple(raw)
            target = table.pks.get(target_key)
        else:
            try:
                target_key = (related._meta.pk.to_python(raw),)
            except ValidationError as error:
                raise ImportRefused(f"{path.name}: {describe(model, key)}: {field.name}: {error.messages}") from error
            target = target_key[0] if target_key[0] in table.known_pks else None
        if target is None and target_key not in in_file.get(related, ()):
            raise ImportRefused(
                f"{path.name}: {describe(model, key)} refers to a missing record "
                f"({field.name}: {describe(related, target_key)})"
            )
        return target, target_key

    def _keep_hidden_links(self, model, pk, fields: dict, current: dict, values: dict, links: dict) -> None:
        """Put back the record's current links to records that were not published (a release omits them)."""
        if not self.hidden:
            return
        for field, targets in links.items():
            if field.related_model in self.hidden:
                targets.update(self.tables.links(field).of.get(pk, {}).keys() & self.hidden[field.related_model])
        for field in model._meta.concrete_fields:
            hidden = self.hidden.get(field.related_model, ())
            if field.is_relation and fields.get(field.name, ...) is None and current[field.attname] in hidden:
                values[field.attname] = current[field.attname]


def _file_changed(model, name: str, raw, base: dict | None) -> bool:
    """Whether the file's value of a field differs from the last imported version's (no such version: it does)."""
    if base is None or name not in base:
        return True
    return _normalised(model._meta.get_field(name), raw) != _normalised(model._meta.get_field(name), base[name])


def _normalised(field, raw):
    """A file's value as comparable: equal values written differently ("80.0", "80") compare equal."""
    if field.many_to_many:
        return {tuple(item) if isinstance(item, list) else item for item in raw}
    if field.is_relation:
        return tuple(raw) if isinstance(raw, list) else raw
    try:
        return field.to_python(raw)
    except ValidationError:
        return raw
