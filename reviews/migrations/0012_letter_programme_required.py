# After the backfill (its own migration: PostgreSQL alters no table with the update's pending
# foreign-key checks in the same transaction), every letter names its programme.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("reviews", "0011_letter_programme_backfill"),
    ]

    operations = [
        migrations.AlterField(
            model_name="letter",
            name="programme",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="vouchers.programme", verbose_name="申报项目"),
        ),
    ]
