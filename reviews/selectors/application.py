"""One application as staff see it: its supplement history and current decision."""

from __future__ import annotations

from typing import Any

from applications.models import Application, ApplicationEvent, Attachment, SupplementRequest
from applications.selectors import application_get_for_actor
from applications.workflow import EventAction

from ..models import (
    Decision,
)
from .queue import require_staff_reviewer


def review_application_get(*, actor, pk: int) -> Application:
    require_staff_reviewer(actor)
    app = application_get_for_actor(actor=actor, pk=pk)
    return app


def supplement_history(application: Application) -> list[dict[str, Any]]:
    """Each return for supplement with its items and the resubmission that answered it (one history)."""
    requests = list(
        SupplementRequest.objects.filter(application=application)
        .prefetch_related("items")
        .select_related("requested_by")
    )
    resubmits = list(
        ApplicationEvent.objects.filter(application=application, action=EventAction.RESUBMIT).order_by(
            "created_at", "id"
        )
    )
    answered = [next((e for e in resubmits if e.created_at >= sr.created_at), None) for sr in requests]
    file_ids = {pk for e in answered if e for pks in (e.data.get("files") or {}).values() for pk in pks}
    names = (
        dict(Attachment.objects.filter(application=application, pk__in=file_ids).values_list("pk", "original_name"))
        if file_ids
        else {}
    )
    out = []
    for sr, answer in zip(requests, answered, strict=True):
        data = answer.data if answer else {}
        items = [
            {
                "item": i,
                "label": i.label,
                "note": i.note,  # each item beside what answered it
                "answer": (data.get("answers") or {}).get(i.code, ""),
                "files": [names[pk] for pk in (data.get("files") or {}).get(i.code, []) if pk in names],
            }
            for i in sr.items.all()
        ]
        out.append({"request": sr, "items": items, "answer": answer})
    return out


def current_decision(application: Application) -> Decision | None:
    return Decision.objects.filter(application=application, current=True).select_related("decided_by").first()
