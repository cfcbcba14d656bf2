from pathlib import Path

from django.core.management.base import BaseCommand

from vouchers.services.catalogue import catalogue_load


class Command(BaseCommand):
    help = "Load the shipped programme catalogue (both policies). Idempotent: loading twice changes nothing."

    def add_arguments(self, parser):
        parser.add_argument(
            "--directory",
            type=Path,
            default=None,
            help="load the policy files of this folder instead (e.g. a successor policy beside "
            "the old one: put both files there)",
        )

    def handle(self, *args, **options):
        counts = catalogue_load(options.get("directory"))
        if options["verbosity"]:
            self.stdout.write(
                f"catalogue: {counts['policies']} policies, {counts['programmes']} programmes, "
                f"{counts['parameters']} parameter values; {counts['changed']} rows written"
            )
