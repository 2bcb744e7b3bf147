"""Fast appends to a model's table for bench/generate.py."""

from collections.abc import Iterable


class TableWriter:
    """Appends rows to one model's table with ``executemany``, in batches, inside the caller's transaction.

    Rows are dicts of attribute names (``developer_id``) to Python values; a column a row leaves out gets the
    model field's default, and the primary key is assigned here, counting up from the table's current
    maximum. Values go through the backend's own adapters (``connection.ops.adapt_*``), as ``bulk_create``
    would send them, but without building a model instance and compiling the SQL of every value, which
    made ``bulk_create`` three to four times slower here (``large``: several minutes more).
    """

    # Column types whose Python values the database drivers take as they are.
    PLAIN = {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "ForeignKey",
        "IntegerField",
        "PositiveBigIntegerField",
        "PositiveIntegerField",
        "SlugField",
        "TextField",
        "URLField",
    }

    def __init__(self, model):
        from django.db import connection
        from django.db.models import Max

        self.connection = connection
        meta = model._meta
        self.fields = list(meta.concrete_fields)
        self.names = [field.attname for field in self.fields]
        self.pk_name = meta.pk.attname
        self.next_pk = (model._default_manager.aggregate(top=Max("pk"))["top"] or 0) + 1
        self.defaults = {field.attname: field.get_default() for field in self.fields if field.attname != self.pk_name}
        self.adapters = [self._adapter(field) for field in self.fields]
        columns = ", ".join(connection.ops.quote_name(field.column) for field in self.fields)
        placeholders = ", ".join(["%s"] * len(self.fields))
        table = connection.ops.quote_name(meta.db_table)
        # Names from the model's own metadata, quoted; values are parameters.
        self.sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
        self.checked = False

    def _adapter(self, field):
        ops, kind = self.connection.ops, field.get_internal_type()
        if kind in self.PLAIN:
            return None
        if kind == "DateField":
            return ops.adapt_datefield_value
        if kind == "DateTimeField":
            return ops.adapt_datetimefield_value
        if kind == "DecimalField":
            return lambda value: ops.adapt_decimalfield_value(value, field.max_digits, field.decimal_places)
        return lambda value: field.get_db_prep_save(value, self.connection)

    def write(self, rows: Iterable[dict]) -> list[int]:
        """Insert ``rows``; returns their primary keys."""
        pks, params = [], []
        for row in rows:
            if not self.checked:
                unknown = set(row) - set(self.names)
                if unknown:
                    raise ValueError(f"unknown columns {sorted(unknown)} for {self.sql.split('(')[0]}")
                self.checked = True
            row = {**self.defaults, self.pk_name: self.next_pk, **row}
            pks.append(row[self.pk_name])
            self.next_pk = max(self.next_pk, row[self.pk_name]) + 1
            params.append(
                tuple(
                    value if adapt is None or value is None else adapt(value)
                    for adapt, value in zip(self.adapters, (row[name] for name in self.names), strict=True)
                )
            )
        if params:
            with self.connection.cursor() as cursor:
                cursor.executemany(self.sql, params)
        return pks
