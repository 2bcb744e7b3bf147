"""Loading the curated dataset into a database: all or nothing, idempotent, with a count of what changed.

Input is Django's serialization format with natural keys: one JSON list of ``{"model": ..., "fields": ...}``
per file, files loaded in name order. That is what ``fixtures/`` holds, and what the ``records/`` folder of
a release holds (a release is recognised by its ``SHA256SUMS`` file, which is checked first). A record is
matched to the database by its natural key (slug; for citations, record + source + locator). Records
whose fields already match are not written again, so a second import of the same data changes nothing.
Fields a file leaves out (a release carries no curator notes) keep their value in the database.

The database is where curators' work lives: a file never silently overwrites it. Each import remembers what
it read (``ImportedVersion``), and the next one compares, field by field, three versions of each record: the
last imported one, the database's and the file's. Unchanged in the database: the file's value is applied.
Unchanged in the file: the database's value is kept (a change curators published, a citation they removed). Changed
on both sides to different values: a conflict, never overwritten; the report names it by slug and field, and a
published record gets the file's version as a revision in review, for a reviewer to decide. A record the
database holds that no import recorded counts as changed here. ``updated_at`` and ``version`` in a file are
ignored (the database keeps its own), and ``created_at`` is read for new records only.

Every record written is checked as a form would check it (``full_clean()``), a reference to a record that is
in neither the database nor the file is refused, and each created or updated record gets one history version
(with its many-to-many links) and, if the public sees the change, one entry in the change feed. Each table is
read once and records are written in batches (``_Loader``), so that the queries do not grow with the records.
"""

import dataclasses
import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from functools import cached_property, partial
from pathlib import Path

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from simple_history.models import HistoricalRecords

from datasets import services
from datasets.choices import ReviewStatusChoices
from datasets.models import ChangeTypeChoices, Citation, ImportedVersion, ReviewedRecord
from datasets.release_format import CHECKSUMS, DATAPACKAGE, RECORDS_DIR
from datasets.services import record_changes

# Records written per statement (fewer where the database limits the parameters of one statement).
BATCH_SIZE = 500
# Bookkeeping a file may carry but the database keeps for itself (``created_at`` counts for new records only).
IGNORED_FIELDS = {"updated_at", "version", "last_edited_by", "revision_of"}
# A reference in a last imported version to a record the database no longer holds.
MISSING = object()


class ImportRefused(Exception):
    """The data cannot be imported; nothing was written."""


class _DryRunRollback(Exception):
    """Raised inside the import transaction to undo a dry run."""


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would have done), per model label.

    ``kept``: records where the database's values were kept against the file's (changed here since the last
    import, unchanged in the file), with the fields; ``conflicts``: records changed on both sides, with the
    fields, and the revision opened for a reviewer (or why none was).
    """

    created: Counter = dataclasses.field(default_factory=Counter)
    updated: Counter = dataclasses.field(default_factory=Counter)
    unchanged: Counter = dataclasses.field(default_factory=Counter)
    kept: list = dataclasses.field(default_factory=list)
    conflicts: list = dataclasses.field(default_factory=list)

    def lines(self) -> list[str]:
        kept = Counter(label for label, _, _ in self.kept)
        conflicts = Counter(label for label, _, _, _ in self.conflicts)
        labels = sorted(set(self.created) | set(self.updated) | set(self.unchanged) | set(kept) | set(conflicts))
        lines = [
            f"{label}: {self.created[label]} created, {self.updated[label]} updated, {self.unchanged[label]} unchanged"
            + (f", {kept[label]} kept" if kept[label] else "")
            + (f", {conflicts[label]} in conflict" if conflicts[label] else "")
            for label in labels
        ]
        for label, key, names in self.kept:
            lines.append(
                f"kept {label} {key}: {', '.join(names)} changed here since the last import and not in the file; "
                "the database's value stays"
            )
        for label, key, names, outcome in self.conflicts:
            lines.append(
                f"conflict {label} {key}: {', '.join(names)} changed both here and in the file; "
                f"not overwritten, {outcome}"
            )
        return lines

    @property
    def changed(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values())


def load_directory(directory: Path) -> Path:
    """Where the loadable files of ``directory`` are: a release's ``records/`` once its checksums hold,
    otherwise the directory itself (fixtures)."""
    sums_file = directory / CHECKSUMS
    if not sums_file.exists():
        if (directory / RECORDS_DIR).is_dir() or (directory / DATAPACKAGE).exists():
            raise ImportRefused(
                f"{directory} looks like a release (it has {RECORDS_DIR}/ or datapackage.json) but its {CHECKSUMS} "
                "is missing, so its files cannot be checked: download the release again, with its checksums"
            )
        return directory
    listed = {}
    for number, line in enumerate(sums_file.read_text(encoding="utf-8").splitlines(), start=1):
        digest, _, name = line.partition("  ")
        if len(digest) != 64 or not name:
            raise ImportRefused(f"{CHECKSUMS} line {number} is not '<sha256>  <file>'")
        listed[name] = digest
    present = {path.relative_to(directory).as_posix() for path in directory.rglob("*") if path.is_file()} - {CHECKSUMS}
    if present - set(listed):
        raise ImportRefused(f"files not listed in {CHECKSUMS}: {', '.join(sorted(present - set(listed)))}")
    for name, digest in sorted(listed.items()):
        path = directory / name
        if not path.is_file():
            raise ImportRefused(f"{name} is listed in {CHECKSUMS} but missing")
        if hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            raise ImportRefused(f"{name} does not match its checksum in {CHECKSUMS}")
    return directory / RECORDS_DIR


def fixture_files(directory: Path) -> list[Path]:
    """The fixture files of a directory, in load order (their names sort in dependency order)."""
    files = sorted(directory.glob("*.json"))
    if not files:
        raise ImportRefused(f"no *.json fixture files in {directory}")
    return files


def _read_entries(path: Path) -> list[dict]:
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ImportRefused(f"{path.name}: not a readable JSON file ({error})") from error
    if not isinstance(entries, list) or not all(isinstance(e, dict) and "model" in e for e in entries):
        raise ImportRefused(f"{path.name}: expected a list of serialized records with a 'model' key")
    return entries


def import_fixtures(directory: Path, *, dry_run: bool = False, validate=None) -> ImportReport:
    """Load every fixture file of ``directory`` in one transaction.

    ``validate``, if given, is called inside the transaction after loading and returns a list of problems;
    any problem undoes the whole import. A dry run does everything, then undoes it, and reports.
    """
    report = ImportReport()
    load_dir = load_directory(Path(directory))
    files = fixture_files(load_dir)
    try:
        with transaction.atomic():
            # A release holds public records only, so it is silent about links to unpublished records:
            # those links are kept rather than read as removed.
            loader = _Loader(report, keep_hidden_links=load_dir != Path(directory))
            for path in files:
                loader.load(path)
            loader.hand_conflicts_to_review()
            # One feed entry per record, the first change winning (a record published by this import whose
            # citations were loaded after it is "published", not also "updated").
            first_change: dict = {}
            for model, slug, change in loader.events:
                first_change.setdefault((model, slug), change)
            record_changes([(model, slug, change) for (model, slug), change in first_change.items()])
            problems = validate() if validate else []
            if problems:
                raise ImportRefused("the data does not validate:\n" + "\n".join(problems))
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        pass
    except IntegrityError as error:  # a constraint the database checks at commit (foreign keys are deferred)
        raise ImportRefused(f"the data conflicts with the database: {error}") from error
    return report


@dataclass
class _Change:
    """A record that the import creates or updates."""

    obj: models.Model
    key: tuple
    created: bool
    was_public: bool
    changed: set  # for an update: attnames of the concrete fields whose value changes
    links: dict  # many-to-many field -> the target pks the record is to have (for the fields the file lists)
    later: list  # (field, related model, natural key): references to records this file creates


class _Table:
    """One model's rows as the import knows them, each read with one query: natural key -> pk always, and the
    concrete values of every row once asked for (the models being loaded)."""

    def __init__(self, model):
        self.model = model
        self.attnames = [field.attname for field in model._meta.concrete_fields]
        self.index = {attname: number for number, attname in enumerate(self.attnames)}
        self.pks = _natural_keys(model)
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


class _Links:
    """The rows of a many-to-many field's through table, read with one query: record pk -> {target pk: row pk}."""

    def __init__(self, field):
        self.through = field.remote_field.through
        self.source = self.through._meta.get_field(field.m2m_field_name()).attname
        self.target = self.through._meta.get_field(field.m2m_reverse_field_name()).attname
        self.of: dict = {}
        for pk, source, target in self.through._base_manager.values_list("pk", self.source, self.target):
            self.of.setdefault(source, {})[target] = pk


class _Loader:
    """Loads fixture files one after the other, counting what changed and collecting the public changes.

    Every table is read once (natural keys, rows, links), references are resolved from memory, and the
    changes of a file are written in batches: the number of queries grows with the number of models and
    batches, not with the number of records.
    """

    def __init__(self, report: ImportReport, *, keep_hidden_links: bool):
        self.report = report
        self.events: list[tuple] = []
        self._tables: dict = {}
        self._links: dict = {}
        self._bases: dict = {}
        # The versions to remember as the last imported ones, and the records in conflict.
        self.new_bases: list[tuple] = []
        self.conflicts: list[tuple] = []
        self.now = timezone.now()
        # The records that were not published when the import started, by pk, per reviewed model.
        self.hidden = _unpublished_pks() if keep_hidden_links else {}

    def table(self, model) -> _Table:
        if model not in self._tables:
            self._tables[model] = _Table(model)
        return self._tables[model]

    def links(self, field) -> _Links:
        if field not in self._links:
            self._links[field] = _Links(field)
        return self._links[field]

    def load(self, path: Path) -> None:
        entries = [_parse(path, entry) for entry in _read_entries(path)]
        in_file: dict = {}
        for model, key, _ in entries:
            if key in in_file.setdefault(model, set()):
                raise ImportRefused(f"{path.name}: {_describe(model, key)} is listed twice")
            in_file[model].add(key)
        changes = [change for entry in entries if (change := self._compare(path, *entry, in_file)) is not None]
        self._write(path, changes)
        self.write_bases()
        self.events += self._record_history(changes, f"Imported from {path.parent.name}/{path.name}")

    def _compare(self, path: Path, model, key: tuple, fields: dict, in_file: dict) -> _Change | None:
        """The record as the file gives it, resolved, compared with the database and the last imported version,
        and checked; None if there is nothing of the file's to write."""
        table = self.table(model)
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
                    raise ImportRefused(f"{path.name}: {_describe(model, key)}: {name} is not a list")
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
                        f"{path.name}: {_describe(model, key)}: {{{name!r}: {error.messages}}}"
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
        _validate(path, obj, key, pending={field.name for field, _, _ in later})
        (self.report.created if pk is None else self.report.updated)[label] += 1
        return _Change(obj, key, pk is None, was_public, changed, links, later)

    def _three_way(self, model, pk, current: dict, fields: dict, base, values: dict, links: dict, later: list):
        """Where the file differs from the database, field by field: the fields to apply (changed in the file,
        not here: by attname, and by name for relations), those kept (changed here, not in the file) and those
        in conflict (changed on both sides), the last two by name."""
        pending = {field for field, _, _ in later}
        applied, kept, conflicts = set(), [], []
        for name, raw in fields.items():
            field = model._meta.get_field(name)
            if field.many_to_many:
                here = set(self.links(field).of.get(pk, {}).keys())
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
        table = self.table(field.related_model)
        if _has_natural_key(field.related_model) and isinstance(raw, list | tuple):
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
        table = self.table(related)
        if _has_natural_key(related) and isinstance(raw, list | tuple):
            target_key = tuple(raw)
            target = table.pks.get(target_key)
        else:
            try:
                target_key = (related._meta.pk.to_python(raw),)
            except ValidationError as error:
                raise ImportRefused(f"{path.name}: {_describe(model, key)}: {field.name}: {error.messages}") from error
            target = target_key[0] if target_key[0] in table.known_pks else None
        if target is None and target_key not in in_file.get(related, ()):
            raise ImportRefused(
                f"{path.name}: {_describe(model, key)} refers to a missing record "
                f"({field.name}: {_describe(related, target_key)})"
            )
        return target, target_key

    def _keep_hidden_links(self, model, pk, fields: dict, current: dict, values: dict, links: dict) -> None:
        """Put back the record's current links to records that were not published (a release omits them)."""
        if not self.hidden:
            return
        for field, targets in links.items():
            if field.related_model in self.hidden:
                targets.update(self.links(field).of.get(pk, {}).keys() & self.hidden[field.related_model])
        for field in model._meta.concrete_fields:
            hidden = self.hidden.get(field.related_model, ())
            if field.is_relation and fields.get(field.name, ...) is None and current[field.attname] in hidden:
                values[field.attname] = current[field.attname]

    def _write(self, path: Path, changes: list[_Change]) -> None:
        """Insert the new records, then update the changed ones and their links, in batches."""
        by_model: dict = {}
        for change in changes:
            by_model.setdefault(type(change.obj), []).append(change)
        for model, group in by_model.items():
            created = [change for change in group if change.created]
            _write_batches(path, created, _insert)
            for change in created:
                self.table(model).remember(change.key, change.obj)
        # References to records that this file creates: their pks exist now. A new record that holds one is
        # written again, with just those fields.
        for change in changes:
            for field, related, target_key in change.later:
                target = self.table(related).pks[target_key]
                if field.many_to_many:
                    change.links[field].add(target)
                else:
                    setattr(change.obj, field.attname, target)
                    change.changed.add(field.attname)
        for model, group in by_model.items():
            updated = [change for change in group if not change.created and change.changed]
            completed = [change for change in group if change.created and change.changed]
            for batch in (updated, completed):
                if batch:
                    _write_batches(path, batch, partial(_update, names=_field_names(model, batch)))
            for change in group:
                self.table(model).remember(change.key, change.obj)
        self._write_links(changes)

    def _write_links(self, changes: list[_Change]) -> None:
        """Bring the many-to-many links the files list to what they say: new links in bulk, removed ones deleted."""
        added: dict = {}
        removed: dict = {}
        for change in changes:
            for field, targets in change.links.items():
                links = self.links(field)
                have = links.of.get(change.obj.pk, {})
                for target in sorted(targets - have.keys(), key=str):
                    added.setdefault(field, []).append(
                        links.through(**{links.source: change.obj.pk, links.target: target})
                    )
                removed.setdefault(field, []).extend((change.obj.pk, target) for target in have.keys() - targets)
        for field, pairs in removed.items():
            links = self.links(field)
            pks = [links.of[source].pop(target) for source, target in pairs]
            for start in range(0, len(pks), BATCH_SIZE):
                links.through._base_manager.filter(pk__in=pks[start : start + BATCH_SIZE]).delete()
        for field, rows in added.items():
            links = self.links(field)
            links.through._base_manager.bulk_create(rows, batch_size=BATCH_SIZE)
            for row in rows:
                links.of.setdefault(getattr(row, links.source), {})[getattr(row, links.target)] = row.pk

    def _record_history(self, changes: list[_Change], reason: str) -> list[tuple]:
        """Keep the imported changes in the records' history (one version per record, with its links), and
        return what the public sees differently: records published, updated or withdrawn, and records whose
        citations changed."""
        for created in (True, False):
            by_model: dict = {}
            for change in changes:
                if change.created is created:
                    by_model.setdefault(type(change.obj), []).append(change.obj)
            for model, objects in by_model.items():
                versions = model.history.bulk_history_create(objects, update=not created, default_change_reason=reason)
                if versions:
                    self._record_history_links(model, objects, versions)
        events = []
        for change in changes:
            obj = change.obj
            if isinstance(obj, ReviewedRecord):
                record_model, slug, is_public = type(obj), obj.slug, obj.review_status == ReviewStatusChoices.PUBLISHED
                was_public = change.was_public
            elif isinstance(obj, Citation):  # a citation: its record changed if that record is public
                record_model = obj._meta.get_field("record").related_model
                table = self.table(record_model)
                slug = table.value(obj.record_id, "slug")
                is_public = was_public = table.value(obj.record_id, "review_status") == ReviewStatusChoices.PUBLISHED
            else:
                continue
            if is_public and not was_public:
                events.append((record_model, slug, ChangeTypeChoices.PUBLISHED))
            elif is_public:
                events.append((record_model, slug, ChangeTypeChoices.UPDATED))
            elif was_public:
                events.append((record_model, slug, ChangeTypeChoices.WITHDRAWN))
        return events

    def _record_history_links(self, model, objects: list, versions: list) -> None:
        """The many-to-many rows of new history versions, as django-simple-history keeps them on a save."""
        for field in model.history.model._history_m2m_fields:
            history_links = HistoricalRecords.m2m_models[field]
            links = self.links(field)
            rows = [
                history_links(history_id=version.pk, id=row_pk, **{links.source: obj.pk, links.target: target})
                for obj, version in zip(objects, versions, strict=True)
                for target, row_pk in sorted(links.of.get(obj.pk, {}).items(), key=lambda link: link[1])
            ]
            history_links.objects.bulk_create(rows, batch_size=BATCH_SIZE)


def _parse(path: Path, entry: dict) -> tuple:
    """(model, natural key, fields) of one serialized record, its model and field names checked."""
    try:
        if not isinstance(entry["model"], str):
            raise TypeError(entry["model"])
        model = apps.get_model(entry["model"])
    except (LookupError, TypeError, ValueError) as error:
        raise ImportRefused(f"{path.name}: unknown model {entry['model']!r}") from error
    if not issubclass(model, ReviewedRecord | Citation):
        raise ImportRefused(f"{path.name}: {model._meta.label_lower} is not a registry record or citation")
    fields = entry.get("fields", {})
    if not isinstance(fields, dict):
        raise ImportRefused(f"{path.name}: {model._meta.label_lower}: 'fields' is not an object")
    if entry.get("pk") is not None:
        raise ImportRefused(f"{path.name}: {model._meta.label_lower}: records are matched by natural key, not 'pk'")
    for name in fields:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist as error:
            raise ImportRefused(f"{path.name}: {model._meta.label_lower} has no field {name!r}") from error
        if not field.many_to_many and (not field.concrete or field.primary_key):
            raise ImportRefused(f"{path.name}: {model._meta.label_lower}: {name!r} cannot be imported")
    if issubclass(model, Citation):
        record, source = fields.get("record"), fields.get("source")
        if not isinstance(record, list) or not isinstance(source, list):
            raise ImportRefused(f"{path.name}: {model._meta.label_lower}: record and source must be natural keys")
        return model, (*record, *source, fields.get("locator", "")), fields
    return model, (fields.get("slug", ""),), fields


def _natural_keys(model) -> dict[tuple, object]:
    """Natural key -> pk of every row of ``model`` (one query)."""
    manager = model._base_manager
    if issubclass(model, ReviewedRecord):
        return {(slug,): pk for slug, pk in manager.values_list("slug", "pk")}
    if issubclass(model, Citation):
        return {
            (record, source, locator): pk
            for record, source, locator, pk in manager.values_list("record__slug", "source__slug", "locator", "pk")
        }
    if _has_natural_key(model):
        return {tuple(obj.natural_key()): obj.pk for obj in manager.all()}
    return {(pk,): pk for pk in manager.values_list("pk", flat=True)}


def _has_natural_key(model) -> bool:
    return hasattr(model, "natural_key") and hasattr(model._default_manager, "get_by_natural_key")


def _unpublished_pks() -> dict:
    """The pks of the records that are not published, per reviewed model."""
    return {
        model: set(
            model._base_manager.exclude(review_status=ReviewStatusChoices.PUBLISHED).values_list("pk", flat=True)
        )
        for model in apps.get_app_config("datasets").get_models()
        if issubclass(model, ReviewedRecord)
    }


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


def _describe(model, key: tuple) -> str:
    return f"{model._meta.label_lower} {'/'.join(map(str, key))}"


def _validate(path: Path, obj, key: tuple, *, pending: set) -> None:
    """Check one record as a form would (choices, lengths, formats). Its relations were resolved from the
    tables read at the start (so full_clean need not query each one); only their presence is checked here.
    ``pending`` names the references to records this file creates, set once those exist."""
    errors: dict = {}
    relations = {field.name for field in obj._meta.concrete_fields if field.is_relation}
    try:
        obj.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        errors = error.message_dict
    for field in obj._meta.concrete_fields:
        if field.null or field.primary_key or field.name in errors or field.name in pending:
            continue
        if getattr(obj, field.attname) is None:  # full_clean() passes None in a blank field: the database would not
            errors[field.name] = [str(field.error_messages["null"])]
    if errors:
        raise ImportRefused(f"{path.name}: {_describe(type(obj), key)}: {errors}")


def _write_batches(path: Path, changes: list[_Change], write) -> None:
    """``write`` the changes' records in batches. A batch the database refuses is retried record by record to
    name the culprit; either way the import stops (and, with it, the transaction)."""
    for start in range(0, len(changes), BATCH_SIZE):
        batch = changes[start : start + BATCH_SIZE]
        try:
            with transaction.atomic():
                write([change.obj for change in batch])
        except IntegrityError as error:
            for change in batch:
                try:
                    with transaction.atomic():
                        write([change.obj])
                except IntegrityError as record_error:
                    raise ImportRefused(
                        f"{path.name}: {_describe(type(change.obj), change.key)}: {record_error}"
                    ) from error
            raise ImportRefused(f"{path.name}: {error}") from error


def _insert(objs: list) -> None:
    """INSERT new records and set their pks. Raw, as Django's loaddata saves: the file's timestamps are kept
    (bulk_create() would set the ``auto_now`` ones to the current time)."""
    model = type(objs[0])
    meta = model._meta
    fields = [field for field in meta.concrete_fields if not field.generated and field is not meta.auto_field]
    size = max(connection.ops.bulk_batch_size(fields, objs), 1)
    if not connection.features.can_return_rows_from_bulk_insert:
        size = 1  # the database tells the pk of one inserted row only
    for start in range(0, len(objs), size):
        batch = objs[start : start + size]
        returned = model._base_manager._insert(
            batch, fields=fields, returning_fields=meta.db_returning_fields, raw=True
        )
        for obj, values in zip(batch, returned, strict=True):
            for field, value in zip(meta.db_returning_fields, values, strict=True):
                setattr(obj, field.attname, value)
            obj._state.adding = False
            obj._state.db = connection.alias


def _update(objs: list, names: list[str]) -> None:
    type(objs[0])._base_manager.bulk_update(objs, names)


def _field_names(model, changes: list[_Change]) -> list[str]:
    attnames = set().union(*(change.changed for change in changes))
    return [field.name for field in model._meta.concrete_fields if field.attname in attnames]
