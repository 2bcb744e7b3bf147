"""The two curation roles, as groups with model permissions.

Curators create and edit records (drafts), cite sources, and submit them for review. Reviewers may also
publish and withdraw (the ``review_<model>`` permissions). Nobody gets a password here: accounts are made
with ``manage.py create_curator``.
"""

from django.db import migrations

RECORDS = ["organization", "source", "chip", "modelrelease", "accessgrant", "exportcontrol"]
CITATIONS = [
    "organizationcitation",
    "chipcitation",
    "modelreleasecitation",
    "accessgrantcitation",
    "exportcontrolcitation",
]


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations ran; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editing = [f"{action}_{model}" for model in RECORDS + CITATIONS for action in ("add", "change", "delete", "view")]
    curator_codenames = [*editing, "view_country"]
    reviewer_codenames = [*curator_codenames, *(f"review_{model}" for model in RECORDS)]
    for name, codenames in (("Curators", curator_codenames), ("Reviewers", reviewer_codenames)):
        group, _ = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(content_type__app_label="datasets", codename__in=codenames)
        missing = set(codenames) - set(permissions.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"permissions missing for the {name} group: {sorted(missing)}")
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Curators", "Reviewers"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("datasets", "0004_review_history_feed"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
