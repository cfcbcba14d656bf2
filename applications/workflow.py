"""The review workflow as data: every state an application can be in and every allowed transition,
for the two review paths of PROGRAMS.md. `applications.services.application_transition` is the one
place that moves an application between states, and it only follows this table.

standard:    formal review (形式审查) → substantive review (实质审核) → public notice (公示) → approved
competitive: formal review → expert review (专家评审) → bureau decision → public notice → approved
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

STANDARD = "standard"
COMPETITIVE = "competitive"
PATHS = (STANDARD, COMPETITIVE)


class State(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交，待形式审查")
    FORMAL_REVIEW = "formal_review", _("形式审查中")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("待补正")
    EXPERT_REVIEW = "expert_review", _("专家评审中")
    BUREAU_REVIEW = "bureau_review", _("实质审核中")
    APPROVED_PENDING_NOTICE = "approved_pending_notice", _("拟支持，待公示")
    IN_PUBLIC_NOTICE = "in_public_notice", _("公示中")
    APPROVED = "approved", _("已核定")
    DECLINED = "declined", _("未获支持")
    WITHDRAWN = "withdrawn", _("已撤回")


class Route(models.TextChoices):
    """How an application came to be: the enterprise applied (依申请); it applied on a form pre-filled
    from its facts (快申快享); or the bureau filed it from the enterprise's facts in a 免申即享 batch and
    the system submitted it on the enterprise's behalf."""

    APPLIED = "applied", _("依申请")
    QUICK = "quick", _("快申快享")
    AUTO = "auto", _("免申即享")


class EventAction(models.TextChoices):
    """办理记录 what a timeline entry records: every transition (its label is the transition's) and the
    other steps written to the timeline."""

    SUBMIT = "submit", _("提交申报")
    WITHDRAW = "withdraw", _("撤回申报")
    START_FORMAL_REVIEW = "start_formal_review", _("开始形式审查")
    REQUEST_SUPPLEMENT = "request_supplement", _("退回补正")
    RESUBMIT = "resubmit", _("补正后重新提交")
    PASS_FORMAL_REVIEW = "pass_formal_review", _("形式审查通过")
    SEND_TO_EXPERTS = "send_to_experts", _("形式审查通过，提交专家评审")
    FINISH_EXPERT_REVIEW = "finish_expert_review", _("专家评审完成")
    APPROVE = "approve", _("核定拟支持金额")
    DECLINE = "decline", _("不予支持")
    DECLINE_SUPERSEDED = "decline_superseded", _("从高不重复，不予支持")
    PUBLISH_NOTICE = "publish_notice", _("发布公示")
    UPHOLD_OBJECTION = "uphold_objection", _("异议成立，不予支持")
    FINALIZE = "finalize", _("公示期满，核定生效")
    CREATE = "create", _("创建申报草稿")
    ATTACHMENT_ADD = "attachment_add", _("上传申报材料")
    ATTACHMENT_REMOVE = "attachment_remove", _("删除申报材料")
    EXPERTS_ASSIGN = "experts_assign", _("指派评审专家")
    EXPERT_CONFLICT_REVOKE = "expert_conflict_revoke", _("专家回避，撤销评审")
    OBJECTION = "objection", _("收到公示异议")
    PARTY_CONFIRM = "party_confirm", _("合作方确认")
    DECISION_PROPOSE = "decision_propose", _("拟办核定意见")
    PROPOSAL_APPROVE = "proposal_approve", _("审批同意")
    PROPOSAL_RETURN = "proposal_return", _("审批退回")
    AUTO_SUBMIT = "auto_submit", _("免申即享，系统代为提交")
    AUTO_CONFIRM = "auto_confirm", _("企业确认免申即享奖励")
    AUTO_DECLINE = "auto_decline", _("企业放弃免申即享奖励")
    AUTO_LAPSE = "auto_lapse", _("逾期未确认，免申即享奖励失效")


# Who may fire a transition. "applicant" = a member of the application's enterprise;
# "assigned_reviewer" = a reviewer assigned to the application (checked by the caller's guard);
# "admin" = bureau administrator or system administrator; "system" = periodic tasks.
APPLICANT = "applicant"
REVIEWER = "reviewer"
ADMIN = "admin"
SYSTEM = "system"


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str
    actors: tuple[str, ...]
    paths: tuple[str, ...] = PATHS

    @property
    def label(self) -> str:
        return EventAction(self.name).label


_OPEN = (State.SUBMITTED, State.FORMAL_REVIEW, State.SUPPLEMENT_REQUESTED, State.EXPERT_REVIEW, State.BUREAU_REVIEW)

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition("submit", (State.DRAFT,), State.SUBMITTED, (APPLICANT,)),
        Transition("withdraw", (State.DRAFT, *_OPEN), State.WITHDRAWN, (APPLICANT,)),
        Transition("start_formal_review", (State.SUBMITTED,), State.FORMAL_REVIEW, (REVIEWER, ADMIN)),
        Transition("request_supplement", (State.FORMAL_REVIEW,), State.SUPPLEMENT_REQUESTED, (REVIEWER, ADMIN)),
        Transition("resubmit", (State.SUPPLEMENT_REQUESTED,), State.FORMAL_REVIEW, (APPLICANT,)),
        Transition(
            "pass_formal_review", (State.FORMAL_REVIEW,), State.BUREAU_REVIEW, (REVIEWER, ADMIN), paths=(STANDARD,)
        ),
        Transition(
            "send_to_experts", (State.FORMAL_REVIEW,), State.EXPERT_REVIEW, (REVIEWER, ADMIN), paths=(COMPETITIVE,)
        ),
        Transition(
            "finish_expert_review", (State.EXPERT_REVIEW,), State.BUREAU_REVIEW, (REVIEWER, ADMIN), paths=(COMPETITIVE,)
        ),
        Transition("approve", (State.BUREAU_REVIEW,), State.APPROVED_PENDING_NOTICE, (REVIEWER, ADMIN)),
        Transition(
            "decline",
            (State.FORMAL_REVIEW, State.EXPERT_REVIEW, State.BUREAU_REVIEW),
            State.DECLINED,
            (REVIEWER, ADMIN),
        ),
        # 从高不重复: a higher award of the same project under another programme supersedes this one.
        Transition(
            "decline_superseded",
            (State.APPROVED_PENDING_NOTICE, State.IN_PUBLIC_NOTICE),
            State.DECLINED,
            (REVIEWER, ADMIN),
        ),
        Transition("publish_notice", (State.APPROVED_PENDING_NOTICE,), State.IN_PUBLIC_NOTICE, (ADMIN,)),
        Transition("uphold_objection", (State.IN_PUBLIC_NOTICE,), State.DECLINED, (ADMIN,)),
        Transition("finalize", (State.IN_PUBLIC_NOTICE,), State.APPROVED, (SYSTEM, ADMIN)),
        # 免申即享: filed by the bureau from facts, submitted by the system on the enterprise's behalf; no
        # materials to check formally (the facts and their sources are the file), so it awaits the decision.
        Transition("auto_submit", (State.DRAFT,), State.BUREAU_REVIEW, (SYSTEM,), paths=(STANDARD,)),
        # the listed enterprise declines the award, or leaves it unconfirmed past the deadline: it lapses
        Transition(
            "auto_decline", (State.APPROVED_PENDING_NOTICE, State.IN_PUBLIC_NOTICE), State.WITHDRAWN, (APPLICANT,)
        ),
        Transition("auto_lapse", (State.APPROVED_PENDING_NOTICE, State.IN_PUBLIC_NOTICE), State.WITHDRAWN, (SYSTEM,)),
    ]
}

TERMINAL = frozenset({State.APPROVED, State.DECLINED, State.WITHDRAWN})
# The states grouped into the budget overview's columns (vouchers' budget pages show every state on a
# pool's page; applications.apps gives vouchers these).
BUDGET_GROUPS = (
    ("draft", _("草稿"), (State.DRAFT,)),
    (
        "in_review",
        _("审查中"),
        (State.SUBMITTED, State.FORMAL_REVIEW, State.SUPPLEMENT_REQUESTED, State.EXPERT_REVIEW, State.BUREAU_REVIEW),
    ),
    ("pending", _("拟支持/公示中"), (State.APPROVED_PENDING_NOTICE, State.IN_PUBLIC_NOTICE)),
    ("approved", _("已核定"), (State.APPROVED,)),
    ("declined", _("未获支持"), (State.DECLINED,)),
    ("withdrawn", _("已撤回"), (State.WITHDRAWN,)),
)
# States in which the applicant may still change inputs and attachments.
EDITABLE_BY_APPLICANT = frozenset({State.DRAFT, State.SUPPLEMENT_REQUESTED})


def allowed_transitions(state: str, path: str) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if state in t.sources and path in t.paths]
