"""催办 reminder e-mails about work past (or at) its deadline: each reviewer about the applications
assigned to them, administrators about everything overdue and unanswered objections. Sent through
portal.notifications (inbox + e-mail), once per recipient and day."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from applications.workflow import State
from portal.models import Role, User
from portal.notifications import notify_users

from ..models import Objection
from ..selectors import QueueFilters, calendar_for_queue, objections_for, queue_for, queue_rows, queue_values
from .common import link

LIST_MAX = 20


def _lines(rows: list[dict[str, Any]]) -> str:
    out = [
        f"- {r['reference']} {r['programme_name_zh']}（{r['enterprise_name']}）"
        f"：{State(r['state']).label}，期限 {r['deadline']:%Y-%m-%d}"
        for r in rows[:LIST_MAX]
    ]
    if len(rows) > LIST_MAX:
        out.append(_("……共 %(n)d 件") % {"n": len(rows)})
    return "\n".join(out)


def deadline_reminders_send(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Remind each reviewer and administrator of what is overdue or due today. Idempotent per day."""
    today = timezone.localdate(now or timezone.now())
    calendar = calendar_for_queue(today)
    sent = {"reviewers": 0, "admins": 0}
    staff = User.objects.filter(is_active=True, role__in=[Role.REVIEWER, Role.BUREAU_ADMIN]).order_by("pk")
    overdue_link = link("reviews:overdue")
    for user in staff:
        is_admin = user.role == Role.BUREAU_ADMIN
        qs = queue_for(actor=user, filters=QueueFilters(scope="" if is_admin else "mine"), calendar=calendar)
        rows = [
            r
            for r in queue_rows(queue_values(qs), actor=user, calendar=calendar)
            if r["deadline"] is not None
            and r["deadline"] <= today
            and (is_admin or r["state"] != State.SUPPLEMENT_REQUESTED)
        ]
        objections = (
            list(
                objections_for(actor=user)
                .filter(status=Objection.Status.OPEN, due_date__lte=today)
                .order_by("due_date")
            )
            if is_admin
            else []
        )
        if not rows and not objections:
            continue
        body = _("以下事项已逾期或今日到期，请及时办理：\n%(lines)s") % {"lines": _lines(rows)} if rows else ""
        if objections:
            body += "\n" + _("公示异议待核查 %(n)d 件（最早期限 %(due)s）。") % {
                "n": len(objections),
                "due": objections[0].due_date.isoformat(),
            }
        notify_users(
            user_ids=[user.pk],
            kind="reminder",
            subject=_("办理提醒：%(n)d 件事项已逾期或今日到期") % {"n": len(rows) + len(objections)},
            body=body.strip(),
            link=overdue_link,
            dedupe_key=f"reminder:{today.isoformat()}",
        )
        sent["admins" if is_admin else "reviewers"] += 1
    return sent
