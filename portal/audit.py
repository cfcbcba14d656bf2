"""The one way to write the audit trail. Call it inside the service's transaction."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from .inserts import insert_row
from .jsonvalues import json_safe
from .models import AuditEvent

SYSTEM_ACTOR = "system"  # the actor_label of what the system did on its own (tasks, deadlines)


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR as portal.middleware.TrustedProxyMiddleware resolved it
    (settings.PORTAL_TRUSTED_PROXIES). The lockout (AXES_CLIENT_IP_CALLABLE) and the throttles read
    it here too."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str | int = "",
    before: dict | None = None,
    after: dict | None = None,
    ip: str | None = None,
    note: str = "",
) -> AuditEvent:
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or target.pk
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    # one statement (portal.inserts): a row is written for every change that matters, on hot paths too
    return insert_row(
        AuditEvent,
        {
            "created_at": timezone.now(),
            "actor_id": actor.pk if is_user else None,
            "actor_label": (getattr(actor, "email", "") or str(actor)) if is_user else SYSTEM_ACTOR,
            "action": action,
            "target_type": target_type,
            "target_id": str(target_id),
            "ip_address": ip,
            "before": json_safe(before),
            "after": json_safe(after),
            "note": note,
        },
    )
