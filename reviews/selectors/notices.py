"""Public notices 公示 and objections 异议, for the public and for staff."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Count,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from applications.models import Application
from applications.workflow import COMPETITIVE, State
from portal.permissions import district_q, require_bureau_admin
from vouchers.models import ApplicationWindow, Programme

from ..models import (
    CollectiveDecision,
    Objection,
    PublicNotice,
    PublicNoticeEntry,
)
from ..services.common import is_admin
from .decision import ZERO


def public_notices() -> QuerySet[PublicNotice]:
    return PublicNotice.objects.select_related("programme__policy", "window").order_by("-published_at", "-id")


def public_notice_get(*, pk: int) -> PublicNotice:
    try:
        return (
            public_notices()
            .prefetch_related(Prefetch("entries", queryset=PublicNoticeEntry.objects.order_by("id")))
            .get(pk=pk)
        )
    except (PublicNotice.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def notice_public_entries(notice: PublicNotice) -> list[dict[str, Any]]:
    """What the public page lists: enterprise name, programme and amount (nothing confidential)."""
    return [
        {
            "application_id": e.application_id,
            "enterprise_name": e.enterprise_name,
            "programme_name": e.programme_name,
            "project_title": e.project_title,
            "line": e.line,
            "amount": e.amount,
            "status": e.status,
            "status_label": e.get_status_display(),
        }
        for e in notice.entries.all()
    ]


def objections_for(*, actor) -> QuerySet[Objection]:
    """Objections with the objectors' contact details: bureau administrators only, of their district."""
    if not is_admin(actor):
        raise PermissionDenied(_("异议及异议人信息仅主管部门管理员可以查看。"))
    return (
        Objection.objects.filter(district_q(actor, "notice__programme__policy__district"))
        .select_related("notice", "application__enterprise", "resolved_by")
        .order_by("status", "due_date", "pk")
    )


def objection_get(*, actor, pk: int) -> Objection:
    try:
        return objections_for(actor=actor).get(pk=pk)
    except (Objection.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def notices_for_staff(*, actor) -> QuerySet[PublicNotice]:
    """The published notices an administrator manages: those of their district (all for the system
    administrator). The public list is public_notices()."""
    require_bureau_admin(actor)
    return public_notices().filter(district_q(actor, "programme__policy__district"))


def _count_of(model, **filters) -> Coalesce:
    """The number of `model` rows pointing at the notice (a correlated count on the notice index)."""
    rows = model.objects.filter(notice=OuterRef("pk"), **filters).order_by().values("notice").annotate(n=Count("pk"))
    return Coalesce(Subquery(rows.values("n"), output_field=IntegerField()), 0)


def notice_rows_for_staff(*, actor) -> QuerySet[PublicNotice]:
    """The administrators' list of published notices (newest first): only the columns its rows show,
    with each notice's number of entries and of open objections (`entry_count`, `open_count`)."""
    return (
        notices_for_staff(actor=actor)
        .select_related(None)
        .only("id", "title", "starts_on", "ends_on", "workdays", "status", "published_at")
        .annotate(
            entry_count=_count_of(PublicNoticeEntry),
            open_count=_count_of(Objection, status=Objection.Status.OPEN),
        )
    )


def notice_get_for_staff(*, actor, pk: int) -> PublicNotice:
    try:
        return (
            notices_for_staff(actor=actor)
            .prefetch_related(Prefetch("entries", queryset=PublicNoticeEntry.objects.order_by("id")))
            .get(pk=pk)
        )
    except (PublicNotice.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def notices_with_open_objections() -> QuerySet[PublicNotice]:
    return public_notices().annotate(
        open_objections=Exists(Objection.objects.filter(notice=OuterRef("pk"), status=Objection.Status.OPEN))
    )


# the columns a pending application's row shows (not its inputs, estimate, description, nor a copy
# of its programme's catalogue entry per row: the groups' programmes and batches are read once each)
PENDING_READ = (
    "id",
    "reference",
    "title",
    "programme_id",
    "window_id",
    "enterprise_id",
    "enterprise__id",
    "enterprise__name",
)


def pending_notice_groups(*, actor) -> list[dict[str, Any]]:
    """Approved applications waiting to be published (of the actor's district), grouped by programme
    and batch, each with its decided amount (the current decision's) and, for a competitive programme,
    whether a collective decision (集体决策) covers it; each group with its total. Three queries: the
    rows, then the groups' programmes and their batches once each."""
    groups: dict[tuple[int, int | None], dict[str, Any]] = {}
    # the current decision joined as a relation (a column, so its amount comes back as the field's Decimal)
    current = FilteredRelation("decisions", condition=Q(decisions__current=True))
    covering = CollectiveDecision.applications.through.objects.filter(application_id=OuterRef("pk"))
    apps = list(
        Application.objects.filter(
            district_q(actor, "programme__policy__district"), state=State.APPROVED_PENDING_NOTICE
        )
        .select_related("enterprise")
        .only(*PENDING_READ)
        .annotate(current_decision=current, decided_amount=F("current_decision__amount"), collective=Exists(covering))
        .order_by("programme_id", "window_id", "pk")
    )
    programmes = Programme.objects.in_bulk({a.programme_id for a in apps})
    windows = ApplicationWindow.objects.in_bulk({a.window_id for a in apps if a.window_id})
    for app in apps:
        g = groups.setdefault(
            (app.programme_id, app.window_id),
            {
                "programme": programmes[app.programme_id],
                "window": windows.get(app.window_id) if app.window_id else None,
                "applications": [],
                "total": ZERO,
                "competitive": programmes[app.programme_id].review_path == COMPETITIVE,
                "uncovered": 0,
            },
        )
        g["applications"].append(app)
        g["total"] += app.decided_amount or ZERO
        if g["competitive"] and not app.collective:
            g["uncovered"] += 1
    return list(groups.values())
