"""manage.py staff_otp_reset --email reviewer@example.gov.cn --reason "phone lost, ticket 1234"

The supported way back in after a lost authenticator: removes the account's authenticators,
recovery codes and API token, issues a new authenticator and codes, and records the reset with its
reason in the audit trail. Check the person's identity before running it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from portal.models import User
from portal.services_staff import staff_otp_reset

from ._enrolment import enrolment_print


class Command(BaseCommand):
    help = "Reset an account's two-factor login (new TOTP secret and recovery codes), audited with a reason."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--reason", required=True, help="why (kept in the audit trail)")
        parser.add_argument("--no-qr", action="store_true", help="do not draw the QR code in the terminal")

    def handle(self, *args, **options):
        user = User.objects.filter(email__iexact=options["email"].strip()).first()
        if user is None:
            raise CommandError(f"No account with the e-mail address {options['email']}.")
        try:
            enrolment = staff_otp_reset(user=user, reason=options["reason"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Two-factor login of {user.email} reset: the old authenticator, recovery codes and API token "
                "no longer work."
            )
        )
        enrolment_print(self.stdout, enrolment, qr=not options["no_qr"])
