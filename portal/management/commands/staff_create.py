"""manage.py staff_create --email ops@example.gov.cn --role sysadmin [--full-name 张三] [--password-stdin]
manage.py staff_create --email reviewer@example.gov.cn --role reviewer --district huangpu

Creates a staff account (审核人员 reviewer, 评审专家 expert, 主管部门管理员 bureau administrator or
系统管理员 system administrator) with its role — a reviewer, expert or bureau administrator with its
district (所属区域, the policies it works on) — a confirmed TOTP authenticator and recovery codes,
and an audit row. The first system administrator of a new installation is made this way (not with
createsuperuser: its account would have no role and no second factor). The password is read from
standard input with --password-stdin, asked for on a terminal, or else generated and printed."""

from __future__ import annotations

import getpass
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from portal.models import STAFF_ROLES, Jurisdiction, Role
from portal.services_staff import password_generate, staff_create

from ._enrolment import enrolment_print


class Command(BaseCommand):
    help = (
        "Create a staff account with its role, TOTP two-factor enrolment and recovery codes (audited). "
        "Use it for the first system administrator: --role sysadmin."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--role", required=True, choices=sorted(str(r) for r in STAFF_ROLES))
        parser.add_argument(
            "--district",
            default="",
            choices=["", *Jurisdiction.values],
            help="所属区域 of a reviewer, expert or bureau administrator (none for sysadmin)",
        )
        parser.add_argument("--full-name", default="")
        parser.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
        parser.add_argument("--no-qr", action="store_true", help="do not draw the QR code in the terminal")

    def _password(self, options) -> tuple[str, bool]:
        if options["password_stdin"]:
            return sys.stdin.readline().rstrip("\n"), False
        if sys.stdin.isatty():
            first = getpass.getpass("Password (empty: generate one): ")
            if not first:
                return password_generate(), True
            if getpass.getpass("Password (again): ") != first:
                raise CommandError("The passwords differ.")
            return first, False
        return password_generate(), True

    def handle(self, *args, **options):
        password, generated = self._password(options)
        try:
            user, enrolment = staff_create(
                email=options["email"],
                role=options["role"],
                full_name=options["full_name"],
                password=password,
                district=options["district"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {user.email} ({Role(user.role).label}, role {user.role}"
                f"{f', district {user.district}' if user.district else ''}"
                f"{', Django admin' if user.is_superuser else ''})."
            )
        )
        if generated:
            self.stdout.write(f"  password: {password}   (generated: change it after the first login)")
        enrolment_print(self.stdout, enrolment, qr=not options["no_qr"])
