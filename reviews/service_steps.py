"""办理环节 the steps of a programme's review path with their promised time (承诺时限, working days
of settings.REVIEWS_WORKDAYS, counted on the official calendar: portal.workdays), for the 办事指南
and the progress stepper of each application. The steps follow the workflow's states
(applications.workflow); nothing here moves an application."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.models import Application, ApplicationEvent
from applications.workflow import COMPETITIVE, State
from portal.workdays import add_workdays

from .services.common import workdays_for


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    states: tuple[str, ...]  # the application is at this step while in one of these states
    stage: str = ""  # the REVIEWS_WORKDAYS entry that promises its time ("" = no promise)
    by_applicant: bool = False
    competitive_only: bool = False

    @property
    def workdays(self) -> int | None:
        return workdays_for(self.stage) if self.stage else None


STEPS = (
    Step("submit", _("网上申报"), (State.DRAFT,), by_applicant=True),
    Step("formal_review", _("形式审查"), (State.SUBMITTED, State.FORMAL_REVIEW), stage="formal_review"),
    Step("supplement", _("补正材料（如需）"), (State.SUPPLEMENT_REQUESTED,), stage="supplement", by_applicant=True),
    Step("expert_review", _("专家评审"), (State.EXPERT_REVIEW,), stage="expert_review", competitive_only=True),
    Step("bureau_review", _("实质审核"), (State.BUREAU_REVIEW, State.APPROVED_PENDING_NOTICE), stage="bureau_review"),
    Step("notice", _("公示"), (State.IN_PUBLIC_NOTICE,), stage="notice"),
    Step("done", _("办结（核定或告知结果）"), (State.APPROVED, State.DECLINED, State.WITHDRAWN)),
)


def steps_for_path(review_path: str) -> list[Step]:
    return [s for s in STEPS if not s.competitive_only or review_path == COMPETITIVE]


def guide_steps(review_path: str) -> list[dict]:
    """承诺时限 per step of the path, for the 办事指南 (page and API)."""
    return [
        {"key": s.key, "label": str(s.label), "workdays": s.workdays, "by_applicant": s.by_applicant}
        for s in steps_for_path(review_path)
    ]


def _entered(app: Application) -> dict[str, dt.date]:
    """The day the application last entered each state (from its timeline)."""
    out: dict[str, dt.date] = {}
    for to_state, at in (
        ApplicationEvent.objects.filter(application=app)
        .exclude(to_state="")
        .order_by("created_at", "id")
        .values_list("to_state", "created_at")
    ):
        out[to_state] = timezone.localdate(at)
    return out


def application_steps(app: Application, *, today: dt.date | None = None) -> list[dict]:
    """The stepper of one application: each step of its path done, current or to come, with its
    promised time and, for the current step, its start and deadline (working days)."""
    today = today or timezone.localdate()
    steps = steps_for_path(app.programme.review_path)
    entered = _entered(app)
    position = next((i for i, s in enumerate(steps) if app.state in s.states), 0)
    rows = []
    for i, step in enumerate(steps):
        status = "done" if i < position else "current" if i == position else "todo"
        if step.key == "done" and i == position:
            status = "done"
        if step.key == "supplement" and status == "done" and State.SUPPLEMENT_REQUESTED not in entered:
            status = "skipped"
        started = max((entered[s] for s in step.states if s in entered), default=None)
        if step.key == "formal_review" and started is None and app.submitted_at:
            started = timezone.localdate(app.submitted_at)
        deadline = add_workdays(started, step.workdays) if (status == "current" and started and step.workdays) else None
        rows.append(
            {
                "key": step.key,
                "label": step.label,
                "status": status,
                "workdays": step.workdays,
                "by_applicant": step.by_applicant,
                "started_on": started if status != "todo" else None,
                "deadline": deadline,
                "overdue": bool(deadline and deadline < today),
                "outcome": app.get_state_display() if step.key == "done" and status == "done" else "",
            }
        )
    return rows
