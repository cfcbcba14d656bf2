# API tokens moved from DRF's authtoken (the token itself stored in plain text, never expiring) to
# django-rest-knox (a digest, an expiry). The old table would keep every issued token readable in
# the database and usable again by anyone who re-enabled the app: it is dropped. The tokens it held
# stop working with the move anyway; clients sign in again (POST /api/v1/auth/token/).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("portal", "0004_outbox"),
    ]

    operations = [
        migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", reverse_sql=migrations.RunSQL.noop),
    ]
