"""The review workflow: queues, assignment, decisions, 四眼 proposals, collective decisions, public
notices and objections, 合作方 two-party awards (API and pages)."""

from __future__ import annotations

from .bodies import collective, decision, objection
from .cases import (
    ADMIN_LIST,
    ADMIN_OBJ,
    API_ADMIN,
    API_ADMIN_LIST,
    API_ADMIN_OBJ,
    API_SIGNED_IN,
    API_STAFF_LIST,
    API_STAFF_OBJ,
    PUBLIC,
    STAFF_LIST,
    STAFF_OBJ,
    Case,
    case,
    pk,
)

REVIEWS: dict[str, list[Case]] = {
    # ------------------------------------------------------------------ API: reviews
    "api-reviews-queue": [case(GET=API_STAFF_LIST)],
    "api-reviews-overdue": [case(GET=API_STAFF_LIST)],
    # bulk: another district's application is reported refused ("not found"), one by one
    "api-reviews-assign": [
        case(
            POST=API_ADMIN_LIST,
            data=lambda c: {"application_ids": [c.a_submitted.pk], "reviewer": c.users["reviewer"].pk},
        )
    ],
    "api-reviews-claim": [
        case(POST="anon:403 REV,reviewer_th:ok *:403", data=lambda c: {"application_ids": [c.a_submitted.pk]})
    ],
    "api-reviews-send-to-experts": [
        case(POST=API_STAFF_LIST, data=lambda c: {"application_ids": [c.a_formal.pk], "note": "材料齐全。"})
    ],
    "api-reviews-formal": [
        case(
            pk("a_formal"),
            POST="anon:403 reviewer:ok admin:ok TH:404 *:403",
            data=lambda c: {
                "action": "return",
                "note": "请补充",
                "items": [{"code": "payment_proof", "note": "须加盖银行印章"}],
            },
        )
    ],
    "api-reviews-experts": [
        case(
            pk("a_expert"),
            GET=API_STAFF_OBJ,
            POST="anon:403 admin:ok TH:404 *:403",
            data=lambda c: {"expert_ids": [c.users["expert"].pk]},
        )
    ],
    "api-reviews-experts-finish": [case(pk("a_expert"), POST="anon:403 reviewer:ok admin:ok TH:404 *:403")],
    "api-reviews-decision": [
        case(pk("a_bureau"), GET=API_STAFF_OBJ, POST="anon:403 reviewer:ok admin:ok TH:404 *:403", data=decision)
    ],
    "api-reviews-ranking": [case(pk("window_competitive"), GET=API_STAFF_OBJ)],
    "api-reviews-batch-commit": [
        case(
            pk("window_competitive"),
            POST=API_ADMIN_OBJ,
            data=lambda c: {"mode": "rank", "application_ids": [c.a_expert.pk], "comment": "按排名择优。"},
        )
    ],
    # 四眼 the proposals and their steps: the next step of the cast's proposal is 复核 by an administrator,
    # never the reviewer who proposed it; the Tianhe bureau sees none of Huangpu's
    "api-reviews-proposals": [case(GET=API_STAFF_LIST)],
    "api-reviews-proposals-approve": [
        case(POST="anon:403 STAFF,TH:ok *:403", data=lambda c: {"proposal_ids": [c.proposal.pk], "comment": "同意。"})
    ],
    "api-reviews-proposal": [case(pk("proposal"), GET=API_STAFF_OBJ)],
    "api-reviews-proposal-approve": [
        case(pk("proposal"), POST="anon:403 admin:ok TH:404 *:403", data=lambda c: {"comment": "同意。"})
    ],
    "api-reviews-proposal-return": [
        case(
            pk("proposal"),
            POST="anon:403 admin:ok TH:404 *:403",
            data=lambda c: {"reason": "核定依据不足，请补充说明。"},
        )
    ],
    "api-reviews-approval-chains": [case(GET=API_STAFF_LIST)],
    "api-reviews-collective-decisions": [case(GET=API_ADMIN_LIST, POST=API_ADMIN, data=collective)],
    "api-reviews-notices-pending": [case(GET=API_ADMIN_LIST)],
    "api-reviews-notices": [
        case(
            GET=PUBLIC,
            POST=API_ADMIN_LIST,  # Tianhe: none of these ids is its (400)
            data=lambda c: {"application_ids": [c.a_bureau.pk]},
        )
    ],
    "api-reviews-notice": [case(pk("notice"), GET=PUBLIC)],
    "api-reviews-notices-close-due": [case(POST=API_ADMIN_LIST)],  # each district closes its own
    "api-reviews-objection-create": [case(pk("notice"), POST=PUBLIC, data=objection)],
    "api-reviews-objections": [case(GET=API_ADMIN_LIST)],
    "api-reviews-objection-resolve": [
        case(pk("objection"), POST=API_ADMIN_OBJ, data=lambda c: {"upheld": False, "reason": "经核查，异议不成立。"})
    ],
    # ------------------------------------------------------------------ API: 合作方 two-party awards
    "api-parties": [case(GET=API_SIGNED_IN)],
    "api-party-awards": [case(GET=API_SIGNED_IN)],
    "api-party-confirm": [case(pk("b_two_party"), POST="anon:403 A:ok *:404")],
    # ------------------------------------------------------------------ review pages
    "reviews:queue": [case(GET=STAFF_LIST, POST=STAFF_LIST)],
    "reviews:queue_bulk": [
        # Tianhe: a Huangpu reviewer is no choice of its form, a Huangpu application "not found" (redirect)
        case(
            label="assign",
            GET="*:405",
            POST="anon:login admin,TH:ok *:403",
            data=lambda c: {"action": "assign", "ids": [c.a_submitted.pk], "reviewer": c.users["reviewer"].pk},
        ),
        case(
            label="claim",
            GET="*:405",
            POST="anon:login REV,reviewer_th:ok *:403",
            data=lambda c: {"action": "claim", "ids": [c.a_submitted.pk]},
        ),
    ],
    "reviews:overdue": [case(GET=STAFF_LIST, POST=STAFF_LIST)],
    "reviews:application": [
        case(pk("a_formal"), GET=STAFF_OBJ, POST=STAFF_OBJ),
        case(
            pk("b_two_party"),
            label="a Tianhe application",
            GET="anon:login TH:ok STAFF:404 *:403",
            POST="anon:login TH:ok STAFF:404 *:403",
        ),
    ],
    "reviews:claim": [case(pk("a_submitted"), GET="*:405", POST="anon:login REV:ok reviewer_th:404 *:403")],
    "reviews:release": [
        case(pk("a_formal"), GET="*:405", POST="anon:login reviewer:ok admin:ok TH:404 reviewer_other:403 *:403")
    ],
    "reviews:assign": [
        case(pk("a_submitted"), GET="*:405", POST=ADMIN_OBJ, data=lambda c: {"reviewer": c.users["reviewer_other"].pk})
    ],
    "reviews:formal_start": [case(pk("a_submitted"), GET="*:405", POST="anon:login admin:ok TH:404 REV:403 *:403")],
    "reviews:formal_pass": [
        case(
            pk("a_formal"),
            GET="*:405",
            POST="anon:login reviewer:ok admin:ok TH:404 reviewer_other:403 *:403",
            data=lambda c: {"note": "材料齐全，符合申报条件。"},
        )
    ],
    "reviews:formal_return": [
        case(
            pk("a_formal"),
            GET=STAFF_OBJ,
            POST="anon:login reviewer:ok admin:ok TH:404 reviewer_other:403 *:403",
            data=lambda c: {"m_payment_proof": "on", "n_payment_proof": "须加盖银行印章"},
        )
    ],
    "reviews:experts_assign": [
        case(pk("a_expert"), GET="*:405", POST=ADMIN_OBJ, data=lambda c: {"experts": [c.users["expert"].pk]})
    ],
    "reviews:experts_finish": [
        case(pk("a_expert"), GET="*:405", POST="anon:login reviewer:ok admin:ok TH:404 reviewer_other:403 *:403")
    ],
    "reviews:decision": [
        case(
            pk("a_bureau"),
            GET=STAFF_OBJ,
            POST="anon:login reviewer:ok admin:ok TH:404 reviewer_other:403 *:403",
            data=decision,
        )
    ],
    "reviews:decline": [
        case(
            pk("a_bureau"),
            GET="*:405",
            POST="anon:login reviewer:ok admin:ok TH:404 reviewer_other:403 *:403",
            data=lambda c: {"reason": "不符合支持条件。", "comment": "拟不予支持。"},
        )
    ],
    "reviews:batches": [case(GET=STAFF_LIST, POST=STAFF_LIST)],
    "reviews:batch": [
        case(
            pk("window_competitive"),
            GET=STAFF_OBJ,
            POST="anon:login admin:ok TH:404 REV:403 *:403",
            data=lambda c: {"mode": "rank", "ids": [], "comment": "按排名择优。"},
        )
    ],
    # 四眼 proposals (the cast's waits for 复核 by an administrator, never by its proposer)
    "reviews:approvals": [case(GET=STAFF_LIST, POST=STAFF_LIST)],
    "reviews:approvals_approve_many": [
        case(
            GET="*:405",
            POST="anon:login STAFF,TH:ok *:403",
            data=lambda c: {"ids": [c.proposal.pk], "comment": "同意。"},
        )
    ],
    "reviews:proposal_approve": [
        case(pk("proposal"), GET="*:405", POST="anon:login admin:ok TH:404 *:403", data=lambda c: {"comment": "同意。"})
    ],
    "reviews:proposal_return": [
        case(
            pk("proposal"),
            GET="*:405",
            POST="anon:login admin:ok TH:404 *:403",
            data=lambda c: {"reason": "核定依据不足，请补充说明。"},
        )
    ],
    "reviews:approval_chains": [case(GET=STAFF_LIST, POST=STAFF_LIST)],
    # Tianhe's administrator naming Huangpu's programme: not found, as every out-of-district object
    # (nothing is recorded)
    "reviews:collective_decision_new": [case(GET=ADMIN_LIST, POST=ADMIN_OBJ, data=collective)],
    "reviews:collective_decision_file": [case(pk("collective_decision"), GET=ADMIN_OBJ, POST=ADMIN_OBJ)],
    # ------------------------------------------------------------------ public notices and objections
    "reviews:notices_admin": [case(GET=ADMIN_LIST, POST=ADMIN_LIST)],
    "reviews:notice_publish": [case(GET="*:405", POST=ADMIN_LIST, data=lambda c: {"ids": [c.a_bureau.pk]})],
    "reviews:notices_close_due": [case(GET="*:405", POST=ADMIN_LIST)],  # each district closes its own
    "reviews:notice_admin": [case(pk("notice"), GET=ADMIN_OBJ, POST=ADMIN_OBJ)],
    "reviews:objection": [
        case(
            pk("objection"),
            GET=ADMIN_OBJ,
            POST=ADMIN_OBJ,
            data=lambda c: {"upheld": "dismissed", "reason": "经核查，异议不成立。"},
        )
    ],
    "reviews:public_notices": [case(GET=PUBLIC, POST=PUBLIC)],
    "reviews:public_notice": [case(pk("notice"), GET=PUBLIC, POST=PUBLIC, data=objection)],
    # ------------------------------------------------------------------ 合作方 two-party awards
    "reviews:party_list": [case(GET="anon:login ENT:ok *:403", POST="anon:login ENT:ok *:403")],
    "reviews:party_confirm": [case(pk("b_two_party"), GET="*:405", POST="anon:login A:ok owner_b:404 *:403")],
}
