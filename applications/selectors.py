"""Reads scoped to the actor. There is no other way to fetch a protected object."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import Role
from portal.permissions import district_q
from vouchers.models import Award

from .models import Application, ApplicationEvent, Attachment, Enterprise, EnterpriseMember, SupplementRequest
from .workflow import EventAction, State


def enterprise_of(user) -> Enterprise | None:
    membership = getattr(user, "membership", None) if getattr(user, "is_authenticated", False) else None
    return membership.enterprise if membership is not None else None


def is_owner_of(actor, enterprise_id: int) -> bool:
    """The actor is the active owner (法人/负责人) of the enterprise."""
    membership = getattr(actor, "membership", None) if getattr(actor, "is_authenticated", False) else None
    return (
        membership is not None
        and actor.is_active
        and membership.enterprise_id == enterprise_id
        and membership.member_role == EnterpriseMember.MemberRole.OWNER
    )


def applications_for_actor(*, actor) -> QuerySet[Application]:
    """Applications the actor may see: their own enterprise's; for bureau staff those of their
    district's policies (all for the system administrator). Experts and providers see none through
    this selector (the reviews app scopes experts to their assignments)."""
    qs = Application.objects.all()
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return qs.none()
    if actor.role in (Role.REVIEWER, Role.BUREAU_ADMIN, Role.SYSADMIN):
        return qs.filter(district_q(actor, "programme__policy__district"))
    if actor.role == Role.ENTERPRISE:
        # the enterprise's id read from the member table inside the same query (a user belongs to one
        # enterprise at most; none: NULL, no rows) — a scalar subquery, far cheaper to plan than a join
        own = EnterpriseMember.objects.filter(user=actor).values("enterprise_id")[:1]
        return qs.filter(enterprise_id=Subquery(own))
    return qs.none()


def application_get_for_actor(*, actor, pk: int) -> Application:
    try:
        return applications_for_actor(actor=actor).select_related("enterprise", "programme").get(pk=pk)
    except (Application.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def enterprise_get_for_actor(*, actor, pk: int) -> Enterprise:
    qs = Enterprise.objects.all()
    if actor.is_authenticated and actor.role in (Role.REVIEWER, Role.BUREAU_ADMIN, Role.SYSADMIN):
        pass
    else:
        own = enterprise_of(actor)
        qs = qs.filter(pk=own.pk) if own else qs.none()
    try:
        return qs.get(pk=pk)
    except (Enterprise.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# ---------------------------------------------------------------- the applicant's pages


def current_attachments(app: Application) -> QuerySet[Attachment]:
    """The application's files that count (not replaced or removed)."""
    return app.attachments.filter(superseded_at__isnull=True)


def open_supplement(app: Application) -> SupplementRequest | None:
    """The return for supplement (补正) the application is answering, if it awaits one: its latest
    unanswered request (the rows are the one record of what was asked and by when)."""
    if app.state != State.SUPPLEMENT_REQUESTED:
        return None
    return (
        SupplementRequest.objects.filter(application=app, answered_at__isnull=True)
        .prefetch_related("items")
        .order_by("-created_at", "-id")
        .first()
    )


def supplement_request_view(app: Application) -> dict | None:
    """The open request as the applicant sees it: each item (code, label, note), the deadline, the
    reviewer's message."""
    request = open_supplement(app)
    if request is None:
        return None
    items = [{"code": item.code, "label": item.label or item.code, "note": item.note} for item in request.items.all()]
    due = app.due_date or request.due_date
    return {
        "items": items,
        "due_date": due,
        "message": request.note,
        "requested_at": request.created_at,
        "overdue": due is not None and due < timezone.localdate(),
    }


def allowed_materials(app: Application) -> dict[str, str]:
    """Material codes an upload may be filed under: the programme's checklist, the items of an open
    supplement request, and 其他材料."""
    codes = {str(m["code"]): str(m.get("label_zh") or m["code"]) for m in app.programme.materials or []}
    request = supplement_request_view(app)
    for item in request["items"] if request else []:
        if item["code"]:
            codes.setdefault(item["code"], item["label"])
    codes.setdefault("other", str(_("其他材料")))
    return codes


def materials_checklist(app: Application) -> list[dict]:
    """申报材料清单: each required material of the programme with its current files, then other files."""
    files: dict[str, list[Attachment]] = {}
    for a in current_attachments(app).select_related("uploaded_by"):
        files.setdefault(a.material, []).append(a)
    rows = [
        {
            "code": str(m["code"]),
            "label": str(m.get("label_zh") or m["code"]),
            "required": True,
            "files": files.pop(str(m["code"]), []),
        }
        for m in app.programme.materials or []
    ]
    labels = allowed_materials(app)
    rows += [
        {"code": code, "label": labels.get(code, code), "required": False, "files": fs} for code, fs in files.items()
    ]
    return rows


def application_timeline(app: Application, *, actor) -> list[ApplicationEvent]:
    """办理记录: the applicant sees the entries marked visible to them; bureau staff see all. A return
    for supplement carries its request's items (`supplement_items`, read from the request's rows)."""
    qs = app.events.select_related("actor").order_by("created_at", "id")
    if getattr(actor, "role", None) not in (Role.REVIEWER, Role.BUREAU_ADMIN, Role.SYSADMIN):
        qs = qs.filter(visible_to_applicant=True)
    events = list(qs)
    requests = {r.pk: r for r in SupplementRequest.objects.filter(application=app).prefetch_related("items")}
    for event in events:
        request_pk = (
            event.data.get("supplement_request")
            if event.action == EventAction.REQUEST_SUPPLEMENT and isinstance(event.data, dict)
            else None
        )
        request = requests.get(request_pk) if isinstance(request_pk, int) else None
        event.supplement_items = list(request.items.all()) if request is not None else []
    return events


def attachment_get_for_actor(*, actor, application_pk: int, pk: int) -> Attachment:
    """A file of an application the actor may see (404 otherwise, also for another application's file)."""
    app = application_get_for_actor(actor=actor, pk=application_pk)
    try:
        return app.attachments.get(pk=pk)
    except (Attachment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def enterprise_people(enterprise: Enterprise) -> dict:
    """Members and pending invitations, for the enterprise page."""
    return {
        "members": list(enterprise.members.select_related("user").order_by("member_role", "created_at")),
        "invitations": [
            i
            for i in enterprise.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True).select_related(
                "invited_by"
            )
            if i.is_pending
        ],
    }


def application_awards(app: Application) -> list:
    """核定金额: the amounts decided for the application (not released), for the decision panel."""
    return list(Award.objects.filter(application=app).exclude(status=Award.Status.RELEASED).order_by("line", "pk"))


def basis_of(app: Application) -> dt.date:
    """测算基准日 the date the application is judged on (policy and parameters in force): fixed at
    submission (vouchers.lifecycle.basis_date); for one not yet submitted, what it would be today."""
    if app.basis_date is not None:
        return app.basis_date
    if app.period_end is not None:
        return app.period_end
    if app.submitted_at is not None:
        return timezone.localdate(app.submitted_at)
    return timezone.localdate()


def consent_document(app: Application) -> Attachment | None:
    """一事一议: the district government's consent (经区政府同意) uploaded with the application."""
    return current_attachments(app).filter(material="government_consent").order_by("-uploaded_at", "-id").first()
