"""Indexes for the free-text search of the API's ``q`` parameter (see datasets/search.py).

SQLite: one FTS5 table per searched model (``<table>_fts``, trigram tokenizer), whose content is the model's own
table, kept in step by triggers and filled from the rows already there. PostgreSQL: the pg_trgm extension and a
GIN trigram index on ``UPPER(column::text)`` for every searched column, the expression ``icontains`` compares.
(Django's TrigramExtension operation is not used: in Django 5.2 its reverse runs a PostgreSQL query on any
database.) Other databases get no index; ``q`` still works there, by scanning.

The SQL was built by ``datasets.search.sqlite_sql()`` and ``postgresql_sql()`` and is frozen here: a migration
must not change when the code does.
"""

from django.db import migrations

SQLITE_FORWARDS = [
    # Organization
    'CREATE VIRTUAL TABLE "datasets_organization_fts" USING fts5("slug", "name", "aliases", "description", content="datasets_organization", content_rowid="id", tokenize="trigram")',
    'CREATE TRIGGER "datasets_organization_fts_ai" AFTER INSERT ON "datasets_organization" BEGIN INSERT INTO "datasets_organization_fts"(rowid, "slug", "name", "aliases", "description") VALUES (new."id", new."slug", new."name", new."aliases", new."description"); END',
    """CREATE TRIGGER "datasets_organization_fts_ad" AFTER DELETE ON "datasets_organization" BEGIN INSERT INTO "datasets_organization_fts"("datasets_organization_fts", rowid, "slug", "name", "aliases", "description") VALUES ('delete', old."id", old."slug", old."name", old."aliases", old."description"); END""",
    """CREATE TRIGGER "datasets_organization_fts_au" AFTER UPDATE OF "id", "slug", "name", "aliases", "description" ON "datasets_organization" BEGIN INSERT INTO "datasets_organization_fts"("datasets_organization_fts", rowid, "slug", "name", "aliases", "description") VALUES ('delete', old."id", old."slug", old."name", old."aliases", old."description"); INSERT INTO "datasets_organization_fts"(rowid, "slug", "name", "aliases", "description") VALUES (new."id", new."slug", new."name", new."aliases", new."description"); END""",
    """INSERT INTO "datasets_organization_fts"("datasets_organization_fts") VALUES ('rebuild')""",
    # Source
    'CREATE VIRTUAL TABLE "datasets_source_fts" USING fts5("slug", "title", "publisher", content="datasets_source", content_rowid="id", tokenize="trigram")',
    'CREATE TRIGGER "datasets_source_fts_ai" AFTER INSERT ON "datasets_source" BEGIN INSERT INTO "datasets_source_fts"(rowid, "slug", "title", "publisher") VALUES (new."id", new."slug", new."title", new."publisher"); END',
    """CREATE TRIGGER "datasets_source_fts_ad" AFTER DELETE ON "datasets_source" BEGIN INSERT INTO "datasets_source_fts"("datasets_source_fts", rowid, "slug", "title", "publisher") VALUES ('delete', old."id", old."slug", old."title", old."publisher"); END""",
    """CREATE TRIGGER "datasets_source_fts_au" AFTER UPDATE OF "id", "slug", "title", "publisher" ON "datasets_source" BEGIN INSERT INTO "datasets_source_fts"("datasets_source_fts", rowid, "slug", "title", "publisher") VALUES ('delete', old."id", old."slug", old."title", old."publisher"); INSERT INTO "datasets_source_fts"(rowid, "slug", "title", "publisher") VALUES (new."id", new."slug", new."title", new."publisher"); END""",
    """INSERT INTO "datasets_source_fts"("datasets_source_fts") VALUES ('rebuild')""",
    # Chip
    'CREATE VIRTUAL TABLE "datasets_chip_fts" USING fts5("slug", "name", "memory_type", "notes", content="datasets_chip", content_rowid="id", tokenize="trigram")',
    'CREATE TRIGGER "datasets_chip_fts_ai" AFTER INSERT ON "datasets_chip" BEGIN INSERT INTO "datasets_chip_fts"(rowid, "slug", "name", "memory_type", "notes") VALUES (new."id", new."slug", new."name", new."memory_type", new."notes"); END',
    """CREATE TRIGGER "datasets_chip_fts_ad" AFTER DELETE ON "datasets_chip" BEGIN INSERT INTO "datasets_chip_fts"("datasets_chip_fts", rowid, "slug", "name", "memory_type", "notes") VALUES ('delete', old."id", old."slug", old."name", old."memory_type", old."notes"); END""",
    """CREATE TRIGGER "datasets_chip_fts_au" AFTER UPDATE OF "id", "slug", "name", "memory_type", "notes" ON "datasets_chip" BEGIN INSERT INTO "datasets_chip_fts"("datasets_chip_fts", rowid, "slug", "name", "memory_type", "notes") VALUES ('delete', old."id", old."slug", old."name", old."memory_type", old."notes"); INSERT INTO "datasets_chip_fts"(rowid, "slug", "name", "memory_type", "notes") VALUES (new."id", new."slug", new."name", new."memory_type", new."notes"); END""",
    """INSERT INTO "datasets_chip_fts"("datasets_chip_fts") VALUES ('rebuild')""",
    # ModelRelease
    'CREATE VIRTUAL TABLE "datasets_modelrelease_fts" USING fts5("slug", "name", "family", "huggingface_repo", "notes", content="datasets_modelrelease", content_rowid="id", tokenize="trigram")',
    'CREATE TRIGGER "datasets_modelrelease_fts_ai" AFTER INSERT ON "datasets_modelrelease" BEGIN INSERT INTO "datasets_modelrelease_fts"(rowid, "slug", "name", "family", "huggingface_repo", "notes") VALUES (new."id", new."slug", new."name", new."family", new."huggingface_repo", new."notes"); END',
    """CREATE TRIGGER "datasets_modelrelease_fts_ad" AFTER DELETE ON "datasets_modelrelease" BEGIN INSERT INTO "datasets_modelrelease_fts"("datasets_modelrelease_fts", rowid, "slug", "name", "family", "huggingface_repo", "notes") VALUES ('delete', old."id", old."slug", old."name", old."family", old."huggingface_repo", old."notes"); END""",
    """CREATE TRIGGER "datasets_modelrelease_fts_au" AFTER UPDATE OF "id", "slug", "name", "family", "huggingface_repo", "notes" ON "datasets_modelrelease" BEGIN INSERT INTO "datasets_modelrelease_fts"("datasets_modelrelease_fts", rowid, "slug", "name", "family", "huggingface_repo", "notes") VALUES ('delete', old."id", old."slug", old."name", old."family", old."huggingface_repo", old."notes"); INSERT INTO "datasets_modelrelease_fts"(rowid, "slug", "name", "family", "huggingface_repo", "notes") VALUES (new."id", new."slug", new."name", new."family", new."huggingface_repo", new."notes"); END""",
    """INSERT INTO "datasets_modelrelease_fts"("datasets_modelrelease_fts") VALUES ('rebuild')""",
    # AccessGrant
    'CREATE VIRTUAL TABLE "datasets_accessgrant_fts" USING fts5("slug", "model_description", "grantee_description", "purpose", "notes", content="datasets_accessgrant", content_rowid="id", tokenize="trigram")',
    'CREATE TRIGGER "datasets_accessgrant_fts_ai" AFTER INSERT ON "datasets_accessgrant" BEGIN INSERT INTO "datasets_accessgrant_fts"(rowid, "slug", "model_description", "grantee_description", "purpose", "notes") VALUES (new."id", new."slug", new."model_description", new."grantee_description", new."purpose", new."notes"); END',
    """CREATE TRIGGER "datasets_accessgrant_fts_ad" AFTER DELETE ON "datasets_accessgrant" BEGIN INSERT INTO "datasets_accessgrant_fts"("datasets_accessgrant_fts", rowid, "slug", "model_description", "grantee_description", "purpose", "notes") VALUES ('delete', old."id", old."slug", old."model_description", old."grantee_description", old."purpose", old."notes"); END""",
    """CREATE TRIGGER "datasets_accessgrant_fts_au" AFTER UPDATE OF "id", "slug", "model_description", "grantee_description", "purpose", "notes" ON "datasets_accessgrant" BEGIN INSERT INTO "datasets_accessgrant_fts"("datasets_accessgrant_fts", rowid, "slug", "model_description", "grantee_description", "purpose", "notes") VALUES ('delete', old."id", old."slug", old."model_description", old."grantee_description", old."purpose", old."notes"); INSERT INTO "datasets_accessgrant_fts"(rowid, "slug", "model_description", "grantee_description", "purpose", "notes") VALUES (new."id", new."slug", new."model_description", new."grantee_description", new."purpose", new."notes"); END""",
    """INSERT INTO "datasets_accessgrant_fts"("datasets_accessgrant_fts") VALUES ('rebuild')""",
    # ExportControl
    'CREATE VIRTUAL TABLE "datasets_exportcontrol_fts" USING fts5("slug", "title", "reference", "summary", "covered_items", content="datasets_exportcontrol", content_rowid="id", tokenize="trigram")',
    'CREATE TRIGGER "datasets_exportcontrol_fts_ai" AFTER INSERT ON "datasets_exportcontrol" BEGIN INSERT INTO "datasets_exportcontrol_fts"(rowid, "slug", "title", "reference", "summary", "covered_items") VALUES (new."id", new."slug", new."title", new."reference", new."summary", new."covered_items"); END',
    """CREATE TRIGGER "datasets_exportcontrol_fts_ad" AFTER DELETE ON "datasets_exportcontrol" BEGIN INSERT INTO "datasets_exportcontrol_fts"("datasets_exportcontrol_fts", rowid, "slug", "title", "reference", "summary", "covered_items") VALUES ('delete', old."id", old."slug", old."title", old."reference", old."summary", old."covered_items"); END""",
    """CREATE TRIGGER "datasets_exportcontrol_fts_au" AFTER UPDATE OF "id", "slug", "title", "reference", "summary", "covered_items" ON "datasets_exportcontrol" BEGIN INSERT INTO "datasets_exportcontrol_fts"("datasets_exportcontrol_fts", rowid, "slug", "title", "reference", "summary", "covered_items") VALUES ('delete', old."id", old."slug", old."title", old."reference", old."summary", old."covered_items"); INSERT INTO "datasets_exportcontrol_fts"(rowid, "slug", "title", "reference", "summary", "covered_items") VALUES (new."id", new."slug", new."title", new."reference", new."summary", new."covered_items"); END""",
    """INSERT INTO "datasets_exportcontrol_fts"("datasets_exportcontrol_fts") VALUES ('rebuild')""",
]

SQLITE_BACKWARDS = [
    # ExportControl
    'DROP TRIGGER IF EXISTS "datasets_exportcontrol_fts_au"',
    'DROP TRIGGER IF EXISTS "datasets_exportcontrol_fts_ad"',
    'DROP TRIGGER IF EXISTS "datasets_exportcontrol_fts_ai"',
    'DROP TABLE IF EXISTS "datasets_exportcontrol_fts"',
    # AccessGrant
    'DROP TRIGGER IF EXISTS "datasets_accessgrant_fts_au"',
    'DROP TRIGGER IF EXISTS "datasets_accessgrant_fts_ad"',
    'DROP TRIGGER IF EXISTS "datasets_accessgrant_fts_ai"',
    'DROP TABLE IF EXISTS "datasets_accessgrant_fts"',
    # ModelRelease
    'DROP TRIGGER IF EXISTS "datasets_modelrelease_fts_au"',
    'DROP TRIGGER IF EXISTS "datasets_modelrelease_fts_ad"',
    'DROP TRIGGER IF EXISTS "datasets_modelrelease_fts_ai"',
    'DROP TABLE IF EXISTS "datasets_modelrelease_fts"',
    # Chip
    'DROP TRIGGER IF EXISTS "datasets_chip_fts_au"',
    'DROP TRIGGER IF EXISTS "datasets_chip_fts_ad"',
    'DROP TRIGGER IF EXISTS "datasets_chip_fts_ai"',
    'DROP TABLE IF EXISTS "datasets_chip_fts"',
    # Source
    'DROP TRIGGER IF EXISTS "datasets_source_fts_au"',
    'DROP TRIGGER IF EXISTS "datasets_source_fts_ad"',
    'DROP TRIGGER IF EXISTS "datasets_source_fts_ai"',
    'DROP TABLE IF EXISTS "datasets_source_fts"',
    # Organization
    'DROP TRIGGER IF EXISTS "datasets_organization_fts_au"',
    'DROP TRIGGER IF EXISTS "datasets_organization_fts_ad"',
    'DROP TRIGGER IF EXISTS "datasets_organization_fts_ai"',
    'DROP TABLE IF EXISTS "datasets_organization_fts"',
]

POSTGRESQL_FORWARDS = [
    'CREATE EXTENSION IF NOT EXISTS "pg_trgm"',
    # Organization
    'CREATE INDEX "datasets_organization_slug_trgm" ON "datasets_organization" USING gin ((UPPER("slug"::text)) gin_trgm_ops)',
    'CREATE INDEX "datasets_organization_name_trgm" ON "datasets_organization" USING gin ((UPPER("name"::text)) gin_trgm_ops)',
    'CREATE INDEX "datasets_organization_aliases_trgm" ON "datasets_organization" USING gin ((UPPER("aliases"::text)) gin_trgm_ops)',
    'CREATE INDEX "datasets_organization_description_trgm" ON "datasets_organization" USING gin ((UPPER("description"::text)) gin_trgm_ops)',
    # Source
    'CREATE INDEX "datasets_source_slug_trgm" ON "datasets_source" USING gin ((UPPER("slug"::text)) gin_trgm_ops)',
    'CREATE INDEX "datasets_source_title_trgm" ON "datasets_source" USING gin ((UPPER("title"::text)) gin_trgm_ops)',
    'CREATE INDEX "datasets_source_publisher_trgm" ON "datasets_source" USING gin ((UPPER("publisher"::text)) gin_trgm_ops)',
    # Chip
    'CREATE INDEX "datasets_chip_slug_trgm" ON "datasets_chip" USING gin ((UPPER("slug"::text)) gin_trgm_ops)',
    'CREATE INDEX "datasets_chip_name_trgm" ON "datasets_chip" USING gin ((UPPER("name"::text)) gin_trgm_ops)',
    'CREATE INDEX "datasets_chip_memory_type_trgm" ON "datasets_chip" USING gin ((UPPER("memory_type"::text)) gin_trgm_ops)',
    'CREATE INDEX "datasets_chip_notes_trgm" ON "datasets_chip" USING gin ((UPPER("notes"::text)) gin_trgm_ops)',
    # ModelRelease
    'CREATE INDEX "datasets_modelrelease_slug_trgm" ON "datasets_modelrelease" USING gin ((UPPER("slug"::text)) gin_trgm_ops)',
    'CREATE INDEX "datasets_modelrelease_name_trgm" ON "datasets_modelrelease" USING gin ((UPPER("name"::text)) gin_trgm_ops)',
    'CREATE INDEX "datasets_modelrelease_family_trgm" ON "datasets_modelrelease" USING gin ((UPPER("family"::text)) gin_trgm_ops)',
    'CREATE INDEX "datasets_modelrelease_huggingface_repo_trgm" ON "datasets_modelrelease" USING gin ((UPPER("huggingface_repo"::text)) gin_trgm_ops)',
    'CREATE INDEX "datasets_modelrelease_notes_trgm" ON "datasets_modelrelease" USING gin ((UPPER("notes"::text)) gin_trgm_ops)',
    # AccessGrant
    'CREATE INDEX "datasets_accessgrant_slug_trgm" ON "datasets_accessgrant" USING gin ((UPPER("slug"::text)) gin_trgm_ops)',
    'CREATE INDEX "datasets_accessgrant_model_description_trgm" ON "datasets_accessgrant" USING gin ((UPPER("model_description"::text)) gin_trgm_ops)',
    'CREATE INDEX "datasets_accessgrant_grantee_description_trgm" ON "datasets_accessgrant" USING gin ((UPPER("grantee_description"::text)) gin_trgm_ops)',
    'CREATE INDEX "datasets_accessgrant_purpose_trgm" ON "datasets_accessgrant" USING gin ((UPPER("purpose"::text)) gin_trgm_ops)',
    'CREATE INDEX "datasets_accessgrant_notes_trgm" ON "datasets_accessgrant" USING gin ((UPPER("notes"::text)) gin_trgm_ops)',
    # ExportControl
    'CREATE INDEX "datasets_exportcontrol_slug_trgm" ON "datasets_exportcontrol" USING gin ((UPPER("slug"::text)) gin_trgm_ops)',
    'CREATE INDEX "datasets_exportcontrol_title_trgm" ON "datasets_exportcontrol" USING gin ((UPPER("title"::text)) gin_trgm_ops)',
    'CREATE INDEX "datasets_exportcontrol_reference_trgm" ON "datasets_exportcontrol" USING gin ((UPPER("reference"::text)) gin_trgm_ops)',
    'CREATE INDEX "datasets_exportcontrol_summary_trgm" ON "datasets_exportcontrol" USING gin ((UPPER("summary"::text)) gin_trgm_ops)',
    'CREATE INDEX "datasets_exportcontrol_covered_items_trgm" ON "datasets_exportcontrol" USING gin ((UPPER("covered_items"::text)) gin_trgm_ops)',
]

POSTGRESQL_BACKWARDS = [
    # ExportControl
    'DROP INDEX IF EXISTS "datasets_exportcontrol_slug_trgm"',
    'DROP INDEX IF EXISTS "datasets_exportcontrol_title_trgm"',
    'DROP INDEX IF EXISTS "datasets_exportcontrol_reference_trgm"',
    'DROP INDEX IF EXISTS "datasets_exportcontrol_summary_trgm"',
    'DROP INDEX IF EXISTS "datasets_exportcontrol_covered_items_trgm"',
    # AccessGrant
    'DROP INDEX IF EXISTS "datasets_accessgrant_slug_trgm"',
    'DROP INDEX IF EXISTS "datasets_accessgrant_model_description_trgm"',
    'DROP INDEX IF EXISTS "datasets_accessgrant_grantee_description_trgm"',
    'DROP INDEX IF EXISTS "datasets_accessgrant_purpose_trgm"',
    'DROP INDEX IF EXISTS "datasets_accessgrant_notes_trgm"',
    # ModelRelease
    'DROP INDEX IF EXISTS "datasets_modelrelease_slug_trgm"',
    'DROP INDEX IF EXISTS "datasets_modelrelease_name_trgm"',
    'DROP INDEX IF EXISTS "datasets_modelrelease_family_trgm"',
    'DROP INDEX IF EXISTS "datasets_modelrelease_huggingface_repo_trgm"',
    'DROP INDEX IF EXISTS "datasets_modelrelease_notes_trgm"',
    # Chip
    'DROP INDEX IF EXISTS "datasets_chip_slug_trgm"',
    'DROP INDEX IF EXISTS "datasets_chip_name_trgm"',
    'DROP INDEX IF EXISTS "datasets_chip_memory_type_trgm"',
    'DROP INDEX IF EXISTS "datasets_chip_notes_trgm"',
    # Source
    'DROP INDEX IF EXISTS "datasets_source_slug_trgm"',
    'DROP INDEX IF EXISTS "datasets_source_title_trgm"',
    'DROP INDEX IF EXISTS "datasets_source_publisher_trgm"',
    # Organization
    'DROP INDEX IF EXISTS "datasets_organization_slug_trgm"',
    'DROP INDEX IF EXISTS "datasets_organization_name_trgm"',
    'DROP INDEX IF EXISTS "datasets_organization_aliases_trgm"',
    'DROP INDEX IF EXISTS "datasets_organization_description_trgm"',
    'DROP EXTENSION IF EXISTS "pg_trgm"',
]

FORWARDS = {"sqlite": SQLITE_FORWARDS, "postgresql": POSTGRESQL_FORWARDS}
BACKWARDS = {"sqlite": SQLITE_BACKWARDS, "postgresql": POSTGRESQL_BACKWARDS}


def create_search_indexes(apps, schema_editor):
    for statement in FORWARDS.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def drop_search_indexes(apps, schema_editor):
    for statement in BACKWARDS.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("datasets", "0006_change_resource_choices")]

    operations = [migrations.RunPython(create_search_indexes, drop_search_indexes)]
