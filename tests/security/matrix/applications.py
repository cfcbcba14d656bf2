"""Enterprises, 事前同意 pre-approvals, 实名核验 verification and the applicant's applications
(API and pages)."""

from __future__ import annotations

from .bodies import contest, preapproval_request, resubmit
from .cases import API_SIGNED_IN, PUBLIC, STAFF_LIST, STAFF_OBJ, Case, app_file, case, pdf_upload, pk

APPLICATIONS: dict[str, list[Case]] = {
    # ------------------------------------------------------------------ API: enterprises and applications
    "api-enterprise-list": [
        case(
            GET=API_SIGNED_IN,
            POST=API_SIGNED_IN,
            data=lambda c: {
                "credit_code": "91440101MA5CKGXK1H",
                "name": "新企业",
                "registered_district": "huangpu",
                "tax_district": "huangpu",
                "stats_district": "huangpu",
                "contact_name": "张",
                "contact_phone": "020-1",
            },
        )
    ],
    "api-enterprise-detail": [
        case(
            lambda c: {"pk": c.enterprise_a.pk},
            GET="anon:403 A:ok *:404",
            PATCH="anon:403 owner_a:ok agent_a:403 *:404",
            data=lambda c: {"contact_name": "王五"},
        )
    ],
    "api-application-list": [
        case(
            GET=API_SIGNED_IN,
            POST="anon:403 ENT:ok *:403",
            data=lambda c: {"programme": c.standard.code, "title": "新项目"},
        )
    ],
    "api-application-detail": [
        case(
            pk("a_draft"),
            GET="anon:403 A:ok STAFF:ok *:404",
            PUT="anon:403 A:ok STAFF:403 *:404",
            PATCH="anon:403 A:ok STAFF:403 *:404",
            data=lambda c: {"title": "改过的项目名称"},
        )
    ],
    "api-application-attachments": [
        case(
            pk("a_draft"),
            GET="anon:403 A:ok STAFF:ok *:404",
            POST="anon:403 A:ok STAFF:403 *:404",
            multipart=True,
            data=lambda c: {"material": "business_license", "file": pdf_upload()},
        )
    ],
    "api-application-attachment-download": [case(app_file("a_draft"), GET="anon:403 A:ok STAFF:ok *:404")],
    "api-application-submit": [
        case(pk("a_draft"), POST="anon:403 A:ok STAFF:403 *:404", data=lambda c: {"declaration": True})
    ],
    "api-application-resubmit": [
        case(
            pk("a_supplement"),
            POST="anon:403 A:ok STAFF:403 *:404",
            data=lambda c: {"answers": {"payment_proof": "已补充付款凭证"}},
        )
    ],
    "api-application-withdraw": [
        case(pk("a_submitted"), POST="anon:403 A:ok STAFF:403 *:404", data=lambda c: {"reason": "不再申报"})
    ],
    # ------------------------------------------------------------------ API: 事前同意 pre-approvals
    "api-preapproval-list": [case(GET=API_SIGNED_IN, POST="anon:403 ENT:ok *:403", data=preapproval_request)],
    # A's pre-approval is th-events' (Tianhe): the Tianhe bureau's; the Huangpu staff's 404
    "api-preapproval-detail": [case(pk("a_preapproval"), GET="anon:403 A:ok TH:ok *:404")],
    "api-preapproval-withdraw": [
        case(pk("a_preapproval"), POST="anon:403 A:ok TH:403 *:404", data=lambda c: {"reason": "活动取消"})
    ],
    "api-preapproval-decide": [
        case(
            pk("a_preapproval"),
            POST="anon:403 TH:ok A:403 *:404",
            data=lambda c: {"approve": False, "reason": "活动方案不完整。"},
        )
    ],
    # ------------------------------------------------------------------ 事前同意 pre-approvals (th-events)
    "applications:preapproval_list": [case(GET="anon:login ENT:ok *:403", POST="anon:login ENT:405 *:403")],
    "applications:preapproval_request": [
        case(GET="anon:login ENT:ok *:403", POST="anon:login ENT:ok *:403", data=preapproval_request)
    ],
    "applications:preapproval_detail": [
        case(pk("a_preapproval"), GET="anon:login A:ok owner_b:404 *:403", POST="anon:login ENT:405 *:403")
    ],
    "applications:preapproval_withdraw": [
        case(pk("a_preapproval"), GET="anon:login ENT:405 *:403", POST="anon:login A:ok owner_b:404 *:403")
    ],
    "reviews:preapproval_queue": [case(GET=STAFF_LIST, POST="anon:login STAFF,TH:405 *:403")],
    # A's pre-approval is th-events' (Tianhe)
    "reviews:preapproval_decide": [
        case(
            pk("a_preapproval"),
            GET="anon:login TH:ok STAFF:404 *:403",
            POST="anon:login TH:ok STAFF:404 *:403",
            data=lambda c: {"decision": "approve", "reason": "同意支持。"},
        )
    ],
    # ------------------------------------------------------------------ the enterprise space
    "applications:enterprise_register": [case(GET="anon:login ENT:ok *:403", POST="anon:login ENT:ok *:403")],
    "applications:enterprise": [case(GET="anon:login ENT:ok *:403", POST="anon:login ENT:ok *:403")],
    "applications:enterprise_edit": [
        case(
            GET="anon:login owner_a:ok agent_a:403 owner_b:ok *:403",
            POST="anon:login owner_a:ok agent_a:403 owner_b:ok *:403",
            data=lambda c: {
                "name": c.enterprise_a.name,
                "contact_name": "王五",
                "contact_phone": "020-87654321",
                "registered_district": "huangpu",
                "tax_district": "huangpu",
                "stats_district": "huangpu",
                "industry": "ai",
                "is_above_scale": "on",
                "has_independent_accounts": "on",
                "legal_representative": "法定代表人",
            },
        )
    ],
    "applications:enterprise_invite": [
        case(
            GET="anon:login ENT:405 *:403",
            POST="anon:login owner_a:ok agent_a:403 owner_b:ok *:403",
            data=lambda c: {"email": "colleague@example.cn"},
        )
    ],
    "applications:invitation_revoke": [
        case(
            pk("invitation"), GET="anon:login ENT:405 *:403", POST="anon:login owner_a:ok agent_a:403 owner_b:ok *:403"
        )
    ],
    "applications:member_remove": [
        case(
            pk("agent_membership"),
            GET="anon:login ENT:405 *:403",
            POST="anon:login owner_a:ok agent_a:403 owner_b:ok *:403",
        )
    ],
    "applications:invitation_accept": [case(lambda c: {"token": c.invitation_token}, GET=PUBLIC, POST=PUBLIC)],
    # ------------------------------------------------------------------ 实名核验 enterprise verification
    # the owner of an enterprise not verified claims again (A and B are verified: the service says so, 400)
    "applications:enterprise_verification": [
        case(GET="anon:login ENT:ok *:403", POST="anon:login owner_a:ok agent_a:403 owner_b:ok *:403", data=resubmit)
    ],
    # contested claims are for enterprise users who belong to no enterprise (the cast's all do)
    "applications:enterprise_contest": [case(GET="anon:login ENT:ok *:403", POST="anon:login *:403", data=contest)],
    # the registration claim is a Tianhe enterprise's (Tianhe's bureau verifies it); A is Huangpu's
    "applications:verification_queue": [case(GET=STAFF_LIST, POST="anon:login STAFF,TH:405 *:403")],
    "applications:verification_claim": [
        case(
            pk("claim_registration"),
            GET="anon:login TH:ok STAFF:404 *:403",
            POST="anon:login TH:ok STAFF:404 *:403",
            label="registration",
            data=lambda c: {"decision": "accept", "facts_verified": ["registered_district"], "reason": ""},
        ),
        case(
            pk("claim_contested"),
            GET=STAFF_OBJ,
            POST=STAFF_OBJ,
            label="contested",
            data=lambda c: {"decision": "refuse", "reason": "授权委托书未加盖公章。"},
        ),
    ],
    "applications:verification_fact_change": [
        case(pk("fact_change"), GET=STAFF_OBJ, POST=STAFF_OBJ, data=lambda c: {"decision": "accept", "reason": ""})
    ],
    "applications:verification_document": [
        case(pk("claim_document"), GET="anon:login TH:ok *:404", POST="anon:login USERS:405", label="claim"),
        case(
            pk("fact_change_document"),
            GET="anon:login owner_a:ok STAFF:ok *:404",
            POST="anon:login USERS:405",
            label="fact change (uploaded by A's owner)",
        ),
    ],
    "api-enterprise-verification": [
        case(
            lambda c: {"pk": c.enterprise_a.pk},
            multipart=True,
            data=resubmit,
            POST="anon:403 owner_a:ok agent_a:403 *:404",
        )
    ],
    "api-enterprise-claim-list": [case(GET=API_SIGNED_IN, POST="anon:403 ENT:ok *:403", multipart=True, data=contest)],
    "api-enterprise-claim-detail": [case(pk("claim_registration"), GET="anon:403 TH:ok *:404")],
    "api-enterprise-claim-accept": [
        case(
            pk("claim_registration"),
            POST="anon:403 TH:ok *:404",
            data=lambda c: {"facts_verified": ["registered_district"]},
        )
    ],
    "api-enterprise-claim-refuse": [
        case(
            pk("claim_contested"), POST="anon:403 STAFF:ok *:404", data=lambda c: {"reason": "营业执照与登记名称不符。"}
        )
    ],
    "api-fact-change-list": [case(GET=API_SIGNED_IN, POST="anon:403 USERS:405")],
    "api-fact-change-detail": [case(pk("fact_change"), GET="anon:403 A:ok STAFF:ok *:404")],
    "api-fact-change-accept": [case(pk("fact_change"), POST="anon:403 STAFF:ok A:403 *:404")],
    "api-fact-change-refuse": [
        case(pk("fact_change"), POST="anon:403 STAFF:ok A:403 *:404", data=lambda c: {"reason": "证明材料不足。"})
    ],
    "api-verification-document": [
        case(pk("claim_document"), GET="anon:403 TH:ok *:404", POST="anon:403 USERS:405", label="claim"),
        case(
            pk("fact_change_document"),
            GET="anon:403 owner_a:ok STAFF:ok *:404",
            POST="anon:403 USERS:405",
            label="fact change (uploaded by A's owner)",
        ),
    ],
    # ------------------------------------------------------------------ the applicant's applications
    "applications:dashboard": [case(GET="anon:login ENT:ok *:403", POST="anon:login ENT:ok *:403")],
    "applications:create": [
        case(
            lambda c: {"programme_code": c.standard.code}, GET="anon:login ENT:ok *:403", POST="anon:login ENT:ok *:403"
        )
    ],
    "applications:detail": [
        case(pk("a_draft"), GET="anon:login A:ok STAFF:ok *:404", POST="anon:login A:ok STAFF:ok *:404")
    ],
    "applications:edit": [
        case(
            pk("a_draft"),
            GET="anon:login A:ok owner_b:404 *:403",
            POST="anon:login A:ok owner_b:404 *:403",
            data=lambda c: {"title": "改过的项目名称"},
        )
    ],
    "applications:autosave": [
        case(
            pk("a_draft"),
            GET="anon:login ENT:405 *:403",
            POST="anon:login A:ok owner_b:404 *:403",
            data=lambda c: {"title": "改过的项目名称"},
        )
    ],
    "applications:attachment_upload": [
        case(
            pk("a_draft"),
            GET="anon:login ENT:405 *:403",
            POST="anon:login A:ok owner_b:404 *:403",
            data=lambda c: {"material": "business_license", "file": pdf_upload()},
        )
    ],
    "applications:attachment_remove": [
        case(app_file("a_draft"), GET="anon:login ENT:405 *:403", POST="anon:login A:ok owner_b:404 *:403")
    ],
    "applications:attachment_download": [
        case(app_file("a_draft"), GET="anon:login A:ok STAFF:ok *:404", POST="anon:login A:ok STAFF:ok *:404")
    ],
    "applications:submit": [
        case(
            pk("a_draft"),
            GET="anon:login A:ok owner_b:404 *:403",
            POST="anon:login A:ok owner_b:404 *:403",
            data=lambda c: {"declaration": "on"},
        )
    ],
    "applications:resubmit": [
        case(
            pk("a_supplement"),
            GET="anon:login A:ok owner_b:404 *:403",
            POST="anon:login A:ok owner_b:404 *:403",
            data=lambda c: {"answer_payment_proof": "已补充付款凭证"},
        )
    ],
    "applications:withdraw": [
        case(
            pk("a_submitted"),
            GET="anon:login A:ok owner_b:404 *:403",
            POST="anon:login A:ok owner_b:404 *:403",
            data=lambda c: {"reason": "不再申报", "confirm": "on"},
        )
    ],
}
