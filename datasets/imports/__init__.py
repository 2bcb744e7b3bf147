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
read once and records are written in batches, so that the queries do not grow with the records.

One module per concern, the public names re-exported here: ``run`` (the transaction, the feed, validation),
``files`` (checksums, files, entries, record checks), ``merge`` (the three-way comparison, ``Loader``),
``tables`` (the database as read once), ``writes`` (the batched writes and history), ``report``.
"""

from datasets.imports.files import fixture_files, load_directory
from datasets.imports.merge import IGNORED_FIELDS
from datasets.imports.report import ImportRefused, ImportReport
from datasets.imports.run import import_fixtures

__all__ = [
    "IGNORED_FIELDS",
    "ImportRefused",
    "ImportReport",
    "fixture_files",
    "import_fixtures",
    "load_directory",
]
