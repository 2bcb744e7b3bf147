"""A source's date precision. On SQLite, adding a NOT NULL column rebuilds the table, which drops the search
triggers of ``datasets_source_fts`` (0007_search_indexes): they are created again here, frozen from 0007."""

from django.db import migrations, models

SQLITE_SOURCE_SEARCH = [
    'CREATE TRIGGER "datasets_source_fts_ai" AFTER INSERT ON "datasets_source" BEGIN INSERT INTO "datasets_source_fts"(rowid, "slug", "title", "publisher") VALUES (new."id", new."slug", new."title", new."publisher"); END',
    """CREATE TRIGGER "datasets_source_fts_ad" AFTER DELETE ON "datasets_source" BEGIN INSERT INTO "datasets_source_fts"("datasets_source_fts", rowid, "slug", "title", "publisher") VALUES ('delete', old."id", old."slug", old."title", old."publisher"); END""",
    """CREATE TRIGGER "datasets_source_fts_au" AFTER UPDATE OF "id", "slug", "title", "publisher" ON "datasets_source" BEGIN INSERT INTO "datasets_source_fts"("datasets_source_fts", rowid, "slug", "title", "publisher") VALUES ('delete', old."id", old."slug", old."title", old."publisher"); INSERT INTO "datasets_source_fts"(rowid, "slug", "title", "publisher") VALUES (new."id", new."slug", new."title", new."publisher"); END""",
    """INSERT INTO "datasets_source_fts"("datasets_source_fts") VALUES ('rebuild')""",
]


def recreate_source_search(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_SOURCE_SEARCH:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("datasets", "0012_status_checked_on"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalsource",
            name="date_precision",
            field=models.CharField(
                choices=[("day", "Day"), ("month", "Month"), ("year", "Year")],
                default="day",
                help_text="How precise published_on is: a month-precision date is stored as the first of that month.",
                max_length=8,
            ),
        ),
        migrations.AddField(
            model_name="source",
            name="date_precision",
            field=models.CharField(
                choices=[("day", "Day"), ("month", "Month"), ("year", "Year")],
                default="day",
                help_text="How precise published_on is: a month-precision date is stored as the first of that month.",
                max_length=8,
            ),
        ),
        migrations.RunPython(recreate_source_search, migrations.RunPython.noop),
    ]
