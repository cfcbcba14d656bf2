"""What an application's life looks like in the generated district: the states' and programmes' shares,
the delays between steps, the timeline's labels and decline reasons, the plan of one application (App) and
its route through the workflow."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

PASSWORD = "Bench-2026-pass"
FULL = {"enterprises": 20_000, "applications": 100_000}
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
START = dt.date(2025, 7, 1)  # the portal opened for applications

# Final states and their share of the applications (PROGRAMS.md's whole workflow).
STATE_WEIGHTS = {  # (about a week's approvals wait for the weekly notice; one notice period is open)
    "draft": 10,
    "submitted": 5,
    "formal_review": 5,
    "supplement_requested": 4,
    "expert_review": 4,
    "bureau_review": 6,
    "approved_pending_notice": 0.5,
    "in_public_notice": 0.8,
    "approved": 34.7,
    "declined": 18,
    "withdrawn": 12,
}
# How applications spread over the programmes (compute vouchers and R&D subsidies draw the most).
PROGRAMME_WEIGHTS = {
    "hp-compute-voucher": 10,
    "hp-vertical-model-compute": 3,
    "hp-model-genai-filing": 3,
    "hp-model-deepsynth-filing": 3,
    "hp-scenario-voucher": 5,
    "hp-data-space": 1,
    "hp-data-asset-entry": 4,
    "hp-data-trading": 3,
    "hp-revenue-growth": 6,
    "hp-transformation-center": 2,
    "hp-open-source": 2,
    "th-landing-scale": 1,
    "th-landing-revenue": 1,
    "th-scale-leap": 1,
    "th-scenario-demo": 4,
    "th-software-matching": 4,
    "th-rd-subsidy": 6,
    "th-consortium": 3,
    "th-dcmm": 5,
    "th-compute-subsidy": 8,
    "th-vc-subsidy": 4,
    "th-loan-interest": 4,
    "th-events": 5,
}
# Days each step takes after the previous one (uniform range).
DELAY = {
    "submit": (0.2, 8),
    "start_formal_review": (0.1, 3),
    "request_supplement": (0.5, 4),
    "resubmit": (1, 5),
    "pass_formal_review": (0.5, 4),
    "send_to_experts": (0.5, 4),
    "finish_expert_review": (5, 16),
    "approve": (2, 15),
    "decline": (1, 12),
    "decline_superseded": (1, 6),
    "publish_notice": (0.5, 7),
    "withdraw": (1, 20),
}
# How long ago (days) the last step of an application still in progress happened, at most.
RECENT = {
    "draft": 60,
    "submitted": 6,
    "formal_review": 7,
    "supplement_requested": 8,
    "expert_review": 12,
    "bureau_review": 14,
    "approved_pending_notice": 6,
}
ACTION_LABEL = {
    "submit": "提交申报并承诺所填信息真实、准确、完整",
    "start_formal_review": "",
    "resubmit": "已按补正通知补正材料",
    "pass_formal_review": "材料齐全，形式审查通过",
    "send_to_experts": "形式审查通过，提交专家评审",
    "finish_expert_review": "专家评审完成",
    "withdraw": "企业主动撤回",
}
DECLINE_REASONS = {
    "formal": "申报材料经补正仍不齐全，不符合申报条件。",
    "expert": "专家评审综合得分未达到支持线。",
    "bureau": "经实质审核，项目不符合政策支持条件。",
    "quota": "本年度资金额度或支持名额已满，按排名未予支持。",
}

# ---------------------------------------------------------------- the plan of one application


@dataclass(slots=True)
class Ent:
    id: int
    name: str
    code: str
    district: str
    above_scale: bool
    owner: int
    agent: int | None
    address: str
    legal: str


@dataclass(slots=True)
class Tpl:
    """An estimate the calculator made for one set of inputs (applications reuse them)."""

    inputs: dict
    estimate: dict
    amount: Decimal
    lines: dict[str, Decimal]


@dataclass(slots=True)
class App:
    programme: object
    ent: Ent
    state: str
    route: list[str]
    times: list[dt.datetime]
    created_at: dt.datetime
    decline_kind: str = ""
    tpl: Tpl | None = None
    award_lines: dict[str, Decimal] = field(default_factory=dict)  # decided amount per line
    buyer: Ent | None = None
    id: int = 0
    reference: str = ""
    reviewer: int | None = None
    window_id: int | None = None
    notice_key: tuple | None = None
    supplements: list[int] = field(default_factory=list)  # supplement request ids, in order

    def at(self, action: str) -> dt.datetime | None:
        for a, t in zip(self.route, self.times, strict=True):
            if a == action:
                return t
        return None

    @property
    def submitted_at(self) -> dt.datetime | None:
        return self.at("submit")


def route_for(state: str, competitive: bool, rng: random.Random) -> tuple[list[str], str]:
    """The transitions from draft to `state` (and, for a decline, which kind)."""
    formal = ["submit", "start_formal_review"] + (["request_supplement", "resubmit"] if rng.random() < 0.25 else [])
    passed = formal + (["send_to_experts"] if competitive else ["pass_formal_review"])
    bureau = passed + (["finish_expert_review"] if competitive else [])
    if state == "draft":
        return [], ""
    if state == "submitted":
        return ["submit"], ""
    if state == "formal_review":
        return formal, ""
    if state == "supplement_requested":
        return ["submit", "start_formal_review"] + (
            ["request_supplement", "resubmit"] if rng.random() < 0.1 else []
        ) + ["request_supplement"], ""
    if state == "expert_review":
        return passed, ""
    if state == "bureau_review":
        return bureau, ""
    if state == "approved_pending_notice":
        return bureau + ["approve"], ""
    if state == "in_public_notice":
        return bureau + ["approve", "publish_notice"], ""
    if state == "approved":
        return bureau + ["approve", "publish_notice", "finalize"], ""
    if state == "declined":
        kind = rng.choices(
            ["formal", "expert", "bureau", "objection", "superseded"], [25, 30 if competitive else 0, 40, 3, 2]
        )[0]
        if kind == "formal":
            return formal + ["decline"], kind
        if kind == "expert":
            return passed + ["decline"], kind
        if kind == "objection":
            return bureau + ["approve", "publish_notice", "uphold_objection"], kind
        if kind == "superseded":
            return bureau + ["approve", "decline_superseded"], kind
        return bureau + ["decline"], kind
    # withdrawn: from the draft or from any open stage
    cut = rng.choice([0, 1, 2, len(bureau)])
    return bureau[:cut] + ["withdraw"], ""
