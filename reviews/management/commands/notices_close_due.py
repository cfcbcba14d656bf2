"""公示期满处理 now: finalise the awards of every public notice whose period is over (no open objection)
and close the notices left with none in notice — the scheduled run's work, on demand. Audited: in
the name of the administrator given with --as, else of the system. Idempotent."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from portal.models import User
from reviews.services.notices import notices_close_due


class Command(BaseCommand):
    help = "Finalise the awards of public notices whose period is over and close them (audited)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--as",
            dest="email",
            default="",
            help="the bureau administrator (e-mail) the run is recorded under; default: the system",
        )

    def handle(self, *args, email: str = "", **options):
        actor = None
        if email:
            actor = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
            if actor is None:
                raise CommandError(f"no active user {email}")
        try:
            result = notices_close_due(actor=actor)
        except PermissionDenied as exc:
            raise CommandError(f"{email}: {exc}") from None
        finalized, waiting, closed = result["finalized"], result["waiting_objections"], result["closed_notices"]
        self.stdout.write(
            f"finalized: {len(finalized)} {finalized}; waiting for objections: {len(waiting)} {waiting}; "
            f"notices closed: {len(closed)} {closed}"
        )
