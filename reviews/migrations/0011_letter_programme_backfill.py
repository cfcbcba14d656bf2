# Every existing letter is about an application: its programme is the application's. Nothing else
# of an existing letter changes (its number, snapshot, PDF and hash stay as issued).

from django.db import migrations
from django.db.models import OuterRef, Subquery


def backfill(apps, schema_editor):
    Letter = apps.get_model("reviews", "Letter")
    Application = apps.get_model("applications", "Application")
    Letter.objects.filter(programme__isnull=True, application__isnull=False).update(
        programme=Subquery(Application.objects.filter(pk=OuterRef("application_id")).values("programme_id")[:1]))


class Migration(migrations.Migration):

    dependencies = [
        ("reviews", "0010_letters_preapproval_clawback"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
