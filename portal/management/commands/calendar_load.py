"""manage.py calendar_load 2027.yaml — enter the State Council's arrangement of a year from a file.

YAML:
    year: 2027
    document: 国办发明电〔2026〕x号
    rest_days:          # bridged rest days (statutory holidays may be listed too)
      - 2027-02-05..2027-02-11 春节
      - {date: 2027-10-04, to: 2027-10-07, name: 国庆节}
    workdays:           # make-up working days (Saturdays or Sundays)
      - 2027-02-20 春节

CSV: columns date, kind (rest/休息 or workday/上班), name; year and document in columns of their own or
as --year and --document."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from portal.models import User
from portal.services_calendar import arrangement_read, calendar_arrangement_set


class Command(BaseCommand):
    help = (
        "Enter the State Council's holiday arrangement (调休) of a year from a YAML or CSV file; the year "
        "is then confirmed and every open deadline recomputed."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the arrangement file (.yaml/.yml or .csv)")
        parser.add_argument("--year", type=int, help="the year (overrides the file's)")
        parser.add_argument("--document", help="the notice's number, e.g. 国办发明电〔2026〕x号 (overrides the file's)")
        parser.add_argument("--actor", help="e-mail of the administrator entering it (default: the system)")
        parser.add_argument(
            "--unconfirmed",
            action="store_true",
            help="enter the days but leave the year provisional (not yet the official notice)",
        )

    def handle(self, *args, **options):
        actor = None
        if options.get("actor"):
            actor = User.objects.filter(email__iexact=options["actor"]).first()
            if actor is None:
                raise CommandError(f"no user with the e-mail {options['actor']}")
        try:
            data = arrangement_read(options["path"])
        except OSError as error:
            raise CommandError(str(error)) from None
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        year = options.get("year") or data.get("year")
        if not year:
            raise CommandError("the year is missing: give it in the file or as --year")
        try:
            entry = calendar_arrangement_set(
                actor=actor,
                year=year,
                rest_days=data["rest_days"],
                workdays=data["workdays"],
                document=options.get("document") or data.get("document") or "",
                note=data.get("note") or "",
                confirmed=not options["unconfirmed"],
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        days = entry.days.all()
        if options["verbosity"]:
            self.stdout.write(
                f"calendar {entry.year} ({entry.document}): {days.filter(is_workday=False).count()} "
                f"rest days, {days.filter(is_workday=True).count()} make-up working days; "
                f"{'confirmed' if entry.confirmed else 'provisional'}"
            )
