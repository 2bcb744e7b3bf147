from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("datasets", "0013_source_date_precision"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="exportcontrol",
            name="datasets_control_in_force_idx",
        ),
        migrations.AlterField(
            model_name="chip",
            name="tpp",
            field=models.PositiveIntegerField(
                blank=True,
                db_index=True,
                help_text="Total Processing Performance as the US rules define it (2 x MacTOPS x bit length), the highest over the precisions with a published dense figure (BF16 x 16, FP8 x 8), rounded to a whole number; stated by hand only where no such figure is published.",
                null=True,
            ),
        ),
        migrations.AlterField(
            model_name="historicalchip",
            name="tpp",
            field=models.PositiveIntegerField(
                blank=True,
                db_index=True,
                help_text="Total Processing Performance as the US rules define it (2 x MacTOPS x bit length), the highest over the precisions with a published dense figure (BF16 x 16, FP8 x 8), rounded to a whole number; stated by hand only where no such figure is published.",
                null=True,
            ),
        ),
        migrations.AddIndex(
            model_name="exportcontrol",
            index=models.Index(
                fields=["review_status", "slug", "effective_on", "ends_on", "end_reason"],
                name="datasets_control_in_force_idx",
            ),
        ),
    ]
