"""Reads of 快申快享, scoped to the actor: the enterprise's document library (its own members only) and
the administrators' watch of promised payment dates (bureau administrators, their district)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils import timezone

from applications.models import Application
from applications.selectors import allowed_materials, current_attachments, enterprise_of
from applications.workflow import State
from portal.permissions import district_q, may_keep_document_library, may_watch_payment_promises
from portal.workdays import WorkCalendar
from vouchers.models import Award

from .library_rules import is_valid_on
from .models_library import LibraryDocument, LibraryMaterial

AT_RISK = "at_risk"
OVERDUE = "overdue"
WATCHES = (AT_RISK, OVERDUE)
# states with no payment to come: not watched
NOT_PAYABLE = (State.DRAFT, State.DECLINED, State.WITHDRAWN)


def library_for_actor(*, actor) -> QuerySet[LibraryDocument]:
    """The current files (not replaced or removed) of the actor's own enterprise; none for anyone else."""
    own = enterprise_of(actor)
    if own is None or not may_keep_document_library(actor, member_of=True):
        return LibraryDocument.objects.none()
    return LibraryDocument.objects.filter(enterprise=own, replaced_at__isnull=True, removed_at__isnull=True)


def library_document_get_for_actor(*, actor, pk: Any) -> LibraryDocument:
    try:
        return library_for_actor(actor=actor).get(pk=pk)
    except (LibraryDocument.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def library_offers(*, actor, application: Application) -> list[dict[str, Any]]:
    """For each material of the application's checklist the library keeps: its valid current files not
    already in the application (by content), to copy in with one click."""
    if application.enterprise_id != getattr(enterprise_of(actor), "pk", None):
        return []
    materials = allowed_materials(application)
    wanted = [code for code in materials if code in LibraryMaterial.values]
    if not wanted:
        return []
    have = set(current_attachments(application).values_list("material", "sha256"))
    today = timezone.localdate()
    rows = []
    for doc in library_for_actor(actor=actor).filter(material__in=wanted):
        if (doc.material, doc.sha256) in have or not is_valid_on(doc.valid_until, today):
            continue
        rows.append({"document": doc, "material_label": materials[doc.material]})
    return rows


def promises_for_actor(*, actor) -> QuerySet[Application]:
    """Applications of the actor's district with a promised payment date, still to be paid (no payment
    recorded on any of their awards) and not ended without one."""
    if not may_watch_payment_promises(actor):
        return Application.objects.none()
    paid = Award.objects.filter(application=OuterRef("pk"), disbursed__gt=0)
    return (
        Application.objects.filter(district_q(actor, "programme__policy__district"), payment_promised_on__isnull=False)
        .exclude(state__in=NOT_PAYABLE)
        .exclude(Exists(paid))
    )


def promise_watch(*, actor, watch: str, today: dt.date | None = None) -> QuerySet[Application]:
    """at_risk: promised within the next PORTAL_PAYMENT_AT_RISK_WORKDAYS working days (today included);
    overdue: promised before today. Soonest promise first."""
    today = today or timezone.localdate()
    qs = promises_for_actor(actor=actor).select_related("enterprise", "programme")
    if watch == OVERDUE:
        qs = qs.filter(payment_promised_on__lt=today)
    else:
        horizon = WorkCalendar.around(today).add_workdays(today, settings.PORTAL_PAYMENT_AT_RISK_WORKDAYS)
        qs = qs.filter(payment_promised_on__gte=today, payment_promised_on__lte=horizon)
    return qs.order_by("payment_promised_on", "pk")


def workdays_left(rows, today: dt.date | None = None) -> dict[int, int]:
    """Working days from today to each application's promise (negative: past it), one calendar read."""
    today = today or timezone.localdate()
    calendar = WorkCalendar.around(today)
    return {app.pk: calendar.workdays_between(today, app.payment_promised_on) for app in rows}
