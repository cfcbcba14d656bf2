"""The database of bench/bench_rush.py: its own PostgreSQL database (dropped and created anew),
migrated, the demo data and the catalogue loaded as bin/demo loads them (`manage.py demo_seed`), the
window of one programme set to close in an hour (the window service, as an administrator would), and
the enterprises of the rush: each registered in Huangpu with an owner (as the demo and the tests'
factories make them), and a draft opened earlier in the window through the applications services
with the first materials of the programme already uploaded (small PDFs); the rush uploads the last
three. Also the check, afterwards, of what the rush left in the database and on disk."""

from __future__ import annotations

import datetime as dt
import io
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PASSWORD = "Rush-2026-pass"
RUSHED_MATERIALS = 3  # uploaded during the rush: the programme's last three materials


@dataclass(frozen=True)
class Draft:
    index: int
    email: str
    enterprise: str
    application: int


@dataclass(frozen=True)
class Prepared:
    drafts: list[Draft]
    probe: Draft  # one more enterprise, for the sequential upload probe after the rush
    rushed: list[tuple[str, str]]  # (material code, label) uploaded in the rush
    programme: str
    window_closes_at: str
    verified: bool  # whether the enterprises carry a verification mark (when the model has one)


def _recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name or not name.replace("_", "").isalnum():
        raise SystemExit(f"not a database name for the benchmark: {name!r}")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def django_setup(*, url: str, storage: Path) -> None:
    """This process's Django: the development settings on the benchmark's database, tasks in-process
    (no Redis: the demo's letters are made here, not left for the worker of the rush)."""
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.dev"
    os.environ["DJANGO_DEBUG"] = "false"  # no query log in memory
    os.environ["PORTAL_PRIVATE_STORAGE"] = str(storage)
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"  # the demo's mail, unprinted
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()


def _credit_code(n: int) -> str:
    from portal.uscc import check_character

    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "91440112" + "".join(alphabet[int(c)] for c in f"{n:09d}")  # Huangpu, a made-up organisation code
    return body + check_character(body)


def prepare(*, url: str, storage: Path, enterprises: int, programme_code: str, small_pdf) -> Prepared:
    _recreate_database(url)
    django_setup(url=url, storage=storage)
    from django.contrib.auth.hashers import make_password
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from applications.models import District, Enterprise, EnterpriseMember, Industry
    from applications.services import application_create, attachment_add
    from portal.models import Role, User
    from vouchers.selectors import programme_get, window_open_for
    from vouchers.services.catalogue import window_change

    call_command("migrate", interactive=False, verbosity=0)
    # the catalogue, the demo cast and a window of every programme (its list of logins is not ours to print)
    call_command("demo_seed", verbosity=0, stdout=io.StringIO())
    programme = programme_get(code=programme_code)
    admin = User.objects.filter(role=Role.BUREAU_ADMIN, is_active=True).order_by("pk").first()
    window = window_open_for(programme=programme)
    if window is None or admin is None:
        raise SystemExit(f"demo_seed opened no window of {programme_code}")
    # 申报截止前一小时 the last hour before the window closes
    window = window_change(actor=admin, window=window, closes_at=timezone.now() + dt.timedelta(hours=1))

    try:  # 实名核验 (issue 12): where the model has it, verified as the tests' factories make them
        from applications.models import EligibilityFact, FactRecord, FactSource, VerificationState, VerifiedVia

        verified = {
            "verification_state": VerificationState.VERIFIED,
            "verified_via": VerifiedVia.BUREAU,
            "verified_at": timezone.now(),
        }
    except ImportError:
        verified = {}
    password = make_password(PASSWORD)  # one hash for all: 200 hashes would take minutes here
    with transaction.atomic():
        made = Enterprise.objects.bulk_create(
            [
                Enterprise(
                    name=f"广州冲刺{i:03d}号智能科技有限公司",
                    credit_code=_credit_code(900_000 + i),
                    registered_district=District.HUANGPU,
                    tax_district=District.HUANGPU,
                    stats_district=District.HUANGPU,
                    industry=Industry.AI,
                    is_above_scale=True,
                    legal_representative=f"法人{i:03d}",
                    contact_name=f"联系人{i:03d}",
                    contact_phone=f"020-8{i:07d}",
                    contact_email=f"rush{i:03d}@bench.example.cn",
                    address=f"广州市黄埔区科学大道{i}号",
                    **verified,
                )
                for i in range(enterprises + 1)
            ]
        )
        users = User.objects.bulk_create(
            [
                User(
                    username=f"rush{i:03d}@bench.example.cn",
                    email=f"rush{i:03d}@bench.example.cn",
                    full_name=f"冲刺法人{i:03d}",
                    role=Role.ENTERPRISE,
                    email_confirmed_at=timezone.now(),
                    password=password,
                )
                for i in range(enterprises + 1)
            ]
        )
        EnterpriseMember.objects.bulk_create(
            [
                EnterpriseMember(enterprise=e, user=u, member_role=EnterpriseMember.MemberRole.OWNER)
                for e, u in zip(made, users, strict=True)
            ]
        )
        if verified:  # and their eligibility facts, as the bureau verified them
            FactRecord.objects.bulk_create(
                [
                    FactRecord(enterprise=e, fact=fact, value=e.fact_value(fact), source=FactSource.BUREAU)
                    for e in made
                    for fact in EligibilityFact.values
                ]
            )

    materials = list(programme.materials or [])
    if len(materials) < RUSHED_MATERIALS:
        raise SystemExit(f"{programme_code} asks for fewer than {RUSHED_MATERIALS} materials")
    earlier, rushed = materials[:-RUSHED_MATERIALS], materials[-RUSHED_MATERIALS:]
    drafts = []
    for i, (enterprise, user) in enumerate(zip(made, users, strict=True)):
        saved = application_create(actor=user, programme=programme)
        for m in earlier:
            upload = SimpleUploadedFile(
                f"{m['label_zh']}.pdf",
                small_pdf(f"{enterprise.credit_code} {m['code']}"),
                content_type="application/pdf",
            )
            attachment_add(actor=user, application=saved.application, material=m["code"], upload=upload)
        drafts.append(Draft(i, user.email, enterprise.name, saved.application.pk))
    from django.db import connections

    connections.close_all()
    return Prepared(
        drafts=drafts[:-1],
        probe=drafts[-1],
        programme=programme_code,
        rushed=[(m["code"], m.get("label_zh") or m["code"]) for m in rushed],
        window_closes_at=timezone.localtime(window.closes_at).isoformat(timespec="seconds"),
        verified=bool(verified),
    )


def check(*, prepared: Prepared, storage: Path, file_size: int) -> dict:
    """What the rush left: applications submitted, their materials (the rushed ones at full size and
    on disk), and no stored file without its row (nothing half-written)."""
    from django.db import connections
    from django.db.models import Count, Q

    from applications.models import Application, Attachment
    from applications.workflow import State

    ids = [d.application for d in prepared.drafts]
    apps = Application.objects.filter(pk__in=ids)
    codes = [code for code, _label in prepared.rushed]
    current = Attachment.objects.filter(application_id__in=ids, superseded_at__isnull=True)
    rushed = current.filter(material__in=codes)
    per_app = apps.select_related("programme").annotate(
        n=Count("attachments", filter=Q(attachments__superseded_at__isnull=True))
    )
    folder = storage / "attachments"
    stored = {p.relative_to(storage).as_posix() for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()
    rows = set(Attachment.objects.values_list("file", flat=True))
    on_disk = sum(1 for name in rushed.values_list("file", flat=True) if Path(storage, name).is_file())
    result = {
        "applications": len(ids),
        "submitted": apps.filter(state=State.SUBMITTED, declared_at__isnull=False).count(),
        "still_draft": apps.filter(state=State.DRAFT).count(),
        "rushed_uploads_stored": rushed.count(),
        "rushed_uploads_full_size": rushed.filter(size=file_size).count(),
        "rushed_uploads_on_disk": on_disk,
        "applications_with_all_materials": sum(1 for a in per_app if a.n >= len(a.programme.materials or [])),
        "files_without_a_row": len(stored - rows),
    }
    connections.close_all()
    return result
