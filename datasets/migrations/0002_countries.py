"""Fill the country table from the ISO 3166-1 list in datasets.countries."""

from django.db import migrations


def load_countries(apps, schema_editor):
    from datasets.countries import COUNTRIES

    Country = apps.get_model("datasets", "Country")
    for code, name in COUNTRIES:
        Country.objects.update_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("datasets", "0001_initial")]

    operations = [migrations.RunPython(load_countries, migrations.RunPython.noop)]
