"""manage.py profile_facts_import 研发费用.xlsx --department tax --source "国家税务总局广州市税务局" [--period 2025]
[--actor admin@example.cn]

一企一档: a department's file of enterprise facts (CSV in UTF-8 or XLSX; header: 统一社会信用代码, 所属期间 and
fact columns), checked as a whole and imported with its source and batch (proactive.services_facts).
The same file again changes nothing; the import is audited under --actor (a bureau administrator)."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from portal.models import User
from proactive.models import Department
from proactive.services_facts import facts_import
from proactive.tasks import matching_request


class Command(BaseCommand):
    help = "Import a department's file of enterprise facts (一企一档)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="a .csv or .xlsx file")
        parser.add_argument("--department", required=True, choices=Department.values)
        parser.add_argument("--source", required=True, help="where the data comes from")
        parser.add_argument("--period", default="", help="the period of every row when the file has none")
        parser.add_argument("--actor", required=True, help="e-mail of the bureau administrator importing")

    def handle(self, *args, **options):
        path = Path(options["path"])
        actor = User.objects.filter(email__iexact=options["actor"]).first()
        if actor is None:
            raise CommandError(f"no user with the e-mail {options['actor']}")
        try:
            batch, new = facts_import(
                actor=actor,
                data=path.read_bytes(),
                file_name=path.name,
                department=options["department"],
                source=options["source"],
                period=options["period"],
                on_commit=lambda: matching_request("facts"),
            )
        except OSError as error:
            raise CommandError(str(error)) from None
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        except ValidationError as error:
            raise CommandError("\n".join(error.messages)) from None
        if not new:
            when = timezone.localtime(batch.created_at)
            self.stdout.write(f"already imported as batch {batch.pk} on {when:%Y-%m-%d %H:%M}: nothing changed")
            return
        self.stdout.write(
            f"batch {batch.pk}: {batch.rows} rows, {batch.created} facts added, {batch.changed} "
            f"changed, {batch.unchanged} unchanged, {batch.unknown} codes not registered"
        )
