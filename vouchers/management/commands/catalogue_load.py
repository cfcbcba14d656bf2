from django.core.management.base import BaseCommand

from vouchers.services.catalogue import catalogue_load


class Command(BaseCommand):
    help = "Load the shipped programme catalogue (both policies). Idempotent: loading twice changes nothing."

    def handle(self, *args, **options):
        counts = catalogue_load()
        if options["verbosity"]:
            self.stdout.write(
                f"catalogue: {counts['policies']} policies, {counts['programmes']} programmes, "
                f"{counts['parameters']} parameter values; {counts['changed']} rows written")
