# 补正 returns now belong to applications (its migration 0008 takes the tables over): state only here.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('reviews', '0007_default_approval_chains'),
        ('applications', '0008_supplement_requests_belong_to_applications'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
        migrations.RemoveField(
            model_name='supplementrequest',
            name='application',
        ),
        migrations.RemoveField(
            model_name='supplementrequest',
            name='requested_by',
        ),
        migrations.DeleteModel(
            name='SupplementItem',
        ),
        migrations.DeleteModel(
            name='SupplementRequest',
        ),
        ]),
    ]
