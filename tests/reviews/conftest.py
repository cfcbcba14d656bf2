"""Fixtures of the review workflow: a controllable clock, applications in any state with their
materials, budget pools and batches (ApplicationWindow) of the shipped catalogue."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from applications.models import Application, ApplicationEvent, Attachment, EnterpriseMember, ProjectClaim
from applications.workflow import State
from vouchers.models import ApplicationWindow, BudgetPool

from ..factories import member

SHANGHAI = ZoneInfo("Asia/Shanghai")
PDF = b"%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
_refs = itertools.count(1)


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


class Clock:
    """timezone.now() under the test's control (every module reads it through django.utils.timezone)."""

    def __init__(self, now: dt.datetime):
        self.now = now

    def set(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock():
    c = Clock(at(2026, 3, 10))
    with mock.patch.object(timezone, "now", c):
        yield c


@pytest.fixture(autouse=True)
def _private_storage_for_every_test(private_storage):
    """Every test here stores its files in the private directory of tests/conftest.py's fixture."""
    return private_storage


def attach(app: Application, material: str, user=None) -> Attachment:
    return Attachment.objects.create(
        application=app,
        material=material,
        file=ContentFile(PDF, name=f"{material}.pdf"),
        original_name=f"{material}.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256=hashlib.sha256(PDF).hexdigest(),
        uploaded_by=user or app.created_by,
    )


def make_app(
    enterprise,
    programme,
    *,
    state: str = State.SUBMITTED,
    inputs: dict | None = None,
    materials: str | list[str] = "all",
    submitted_at: dt.datetime | None = None,
    window=None,
    claims: list[tuple[str, str]] = (),
    project_key: str = "",
    by=None,
    title: str = "",
) -> Application:
    """An application as the applicant side leaves it after submission (with its 'submit' event)."""
    if by is None:
        first = enterprise.members.select_related("user").first()
        by = first.user if first else member(enterprise, EnterpriseMember.MemberRole.OWNER)
    submitted_at = submitted_at or timezone.now()
    app = Application.objects.create(
        reference=f"GZAI-T-{next(_refs):06d}",
        enterprise=enterprise,
        programme=programme,
        window=window,
        state=state,
        title=title or f"{programme.name_zh}项目",
        project_key=project_key,
        inputs=inputs or {},
        submitted_at=submitted_at if state != State.DRAFT else None,
        created_by=by,
        declared_at=submitted_at,
        declared_by=by,
    )
    if state != State.DRAFT:
        ev = ApplicationEvent.objects.create(
            application=app, actor=by, action="submit", from_state=State.DRAFT, to_state=State.SUBMITTED
        )
        ApplicationEvent.objects.filter(pk=ev.pk).update(created_at=submitted_at)
    codes = [m["code"] for m in programme.materials] if materials == "all" else list(materials)
    for code in codes:
        attach(app, code, by)
    for kind, value in claims:
        ProjectClaim.objects.create(application=app, kind=kind, value=value)
    return app


def make_pool(programme, year: int, amount: str = "100000000") -> BudgetPool:
    pool, _ = BudgetPool.objects.get_or_create(
        programme=programme, fiscal_year=year, defaults={"amount": Decimal(amount)}
    )
    return pool


def make_window(programme, name: str = "2026年第一批", opens=None, closes=None) -> ApplicationWindow:
    return ApplicationWindow.objects.create(
        programme=programme, name=name, opens_at=opens or at(2026, 1, 5), closes_at=closes or at(2026, 12, 20)
    )


def assign_to(app: Application, reviewer) -> None:
    from reviews.models import ReviewAssignment

    ReviewAssignment.objects.update_or_create(application=app, defaults={"reviewer": reviewer, "assigned_by": reviewer})


def snapshot(app: Application) -> tuple:
    """What must not change when a request is refused."""
    from applications.models import SupplementRequest
    from reviews.models import Decision, ExpertAssignment, ExpertScore, Objection
    from vouchers.models import Award

    app.refresh_from_db()
    return (
        app.state,
        app.due_date,
        app.events.count(),
        Decision.objects.filter(application=app).count(),
        Award.objects.filter(application=app).count(),
        SupplementRequest.objects.filter(application=app).count(),
        ExpertAssignment.objects.filter(application=app).count(),
        ExpertScore.objects.filter(assignment__application=app).count(),
        Objection.objects.filter(application=app).count(),
    )
