"""The permission matrix: for every URL pattern of the project, who may do what.

Each entry is a list of cases; a case names the URL's arguments (objects of the standing cast,
tests/cast.py: everything belongs to enterprise A unless it says otherwise), the data sent (valid
data for the state-changing requests, so that a refusal is a refusal of the actor and not of the
input) and, per method, the expected outcome for every member of the cast:

    "anon:login A:ok STAFF:ok *:404"

roles: anon owner_a agent_a owner_b reviewer (assigned to A's applications) reviewer_other
(unassigned) expert (sits on B's panel only) admin (bureau administrator) provider — the staff are
Huangpu's, the district of everything of A — and reviewer_th admin_th (the Tianhe bureau); aliases A
(A's owner and agent), ENT (A and B), REV (both Huangpu reviewers), STAFF (both Huangpu reviewers and
the administrator), TH (the Tianhe reviewer and administrator), USERS (everyone signed in); `*` = the
roles not named before it.
outcomes: ok (allowed: 2xx, 3xx elsewhere than a login page, or 400/409/422 when the input is
refused), login (sent to sign in), 401, 403, 404, 405, no (any refusal).

A pattern added to the project without an entry here fails the matrix test with its name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.cast import PDF, Cast

Fn = Callable[[Cast], Any]


@dataclass
class Case:
    kwargs: Fn | None = None
    expect: dict[str, str] = field(default_factory=dict)  # method → expectation string
    data: dict[str, Fn] = field(default_factory=dict)  # method → request body
    label: str = ""
    multipart: bool = False  # API bodies are JSON unless this says multipart (uploads)
    query: str = ""


def case(
    kwargs: Fn | None = None,
    *,
    label: str = "",
    data: Fn | dict[str, Fn] | None = None,
    multipart: bool = False,
    query: str = "",
    **expect: str,
) -> Case:
    """case(kw, GET="…", POST="…", data=lambda c: {...}) — `data` is the POST/PUT/PATCH body (one
    builder for every writing method, or a {method: builder} dict)."""
    bodies = {m: data for m in ("POST", "PUT", "PATCH", "DELETE")} if callable(data) else dict(data or {})
    return Case(kwargs=kwargs, expect=expect, data=bodies, label=label, multipart=multipart, query=query)


def pk(name: str) -> Fn:
    return lambda c: {"pk": getattr(c, name).pk}


def app_file(app: str, attachment: str | None = None) -> Fn:
    def kw(c: Cast) -> dict:
        application = getattr(c, app)
        att = getattr(c, attachment) if attachment else application.attachments.order_by("pk").first()
        return {"pk": application.pk, "attachment_pk": att.pk}

    return kw


def code(c: Cast) -> dict:
    return {"code": c.standard.code}


def pdf_upload(name: str = "business_license.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


PAGE_POST_405 = "anon:login USERS:405"
PUBLIC = "*:ok"
SIGNED_IN = "anon:login *:ok"
API_SIGNED_IN = "anon:403 *:ok"
STAFF_PAGE = "anon:login STAFF:ok *:403"
ADMIN_PAGE = "anon:login admin:ok *:403"
API_STAFF = "anon:403 STAFF:ok *:403"
API_ADMIN = "anon:403 admin:ok *:403"
# 所属区域 (issue 12): everything of the cast's A is Huangpu's. The Tianhe bureau (TH: reviewer_th,
# admin_th) sees its own district's lists, in which nothing of A appears (the leak check), and gets
# 404 for a Huangpu object, as another enterprise does for A's; a Huangpu object of a page open to
# Tianhe staff by role is "not found", not "forbidden".
STAFF_LIST = "anon:login STAFF,TH:ok *:403"
STAFF_OBJ = "anon:login STAFF:ok TH:404 *:403"
ADMIN_LIST = "anon:login admin,admin_th:ok *:403"
ADMIN_OBJ = "anon:login admin:ok admin_th:404 *:403"
API_STAFF_LIST = "anon:403 STAFF,TH:ok *:403"
API_STAFF_OBJ = "anon:403 STAFF:ok TH:404 *:403"
API_ADMIN_LIST = "anon:403 admin,admin_th:ok *:403"
API_ADMIN_OBJ = "anon:403 admin:ok admin_th:404 *:403"
# The bureau administrator is staff but holds no model permission: the Django admin is for system
# administrators (superusers); everyone else is sent to its login page.
ADMIN_APP = "admin,admin_th:403 *:login"


def _days(n: int):
    import datetime as dt

    return dt.timedelta(days=n)


def _decision(c: Cast) -> dict:
    from tests.cast import _maximum

    return {"outcome": "approve", "amount": _maximum(c.a_bureau), "reason": "", "comment": "符合条件，拟全额支持。"}


def _collective(c: Cast) -> dict:
    return {
        "programme": c.competitive.code,
        "ids": [c.a_competitive_approved.pk],
        "application_ids": [c.a_competitive_approved.pk],
        "meeting_name": "2026年第6次局务会议",
        "meeting_date": _today(),
        "attendees": "张局长\n李副局长",
        "minutes": "同意予以支持。",
    }


def _objection(c: Cast) -> dict:
    return {
        "application": c.a_notice.pk,
        "objector_kind": "person",
        "objector_name": "李四",
        "contact_phone": "13900000000",
        "content": "该企业的项目实际并未在区内实施，请核查。",
    }


def _preapproval_request(c: Cast) -> dict:
    import datetime as dt

    from django.utils import timezone

    return {
        "programme": "th-events",
        "event_name": "大模型开发者大会",
        "venue": "天河区",
        "event_date": (timezone.localdate() + dt.timedelta(days=10)).isoformat(),
        "plan": "大会议程。",
        "budget": "300000.00",
    }


def _account(c: Cast) -> dict:
    return {
        "account_name": c.enterprise_a.name,
        "bank_name": "中国农业银行",
        "branch_name": "天河支行",
        "account_number": "99998888777766665555",
    }


def _resubmit(c: Cast) -> dict:
    return {
        "legal_representative": "张甲",
        "claimant_is_legal_representative": "true",
        "business_licence": pdf_upload(),
    }


def _contest(c: Cast) -> dict:
    return {
        "credit_code": c.enterprise_c.credit_code,
        "name": c.enterprise_c.name,
        "legal_representative": "陈丙",
        "registered_district": "tianhe",
        "statement": "本企业代码被他人冒用登记。",
        "claimant_is_legal_representative": "true",
        "business_licence": pdf_upload(),
    }


def _today() -> str:
    from django.utils import timezone

    return timezone.localdate().isoformat()


def _return_file() -> SimpleUploadedFile:
    text = "序号,收款账号,金额（元）,结果\n1,44050112345678901234,100000.00,失败\n"
    return SimpleUploadedFile("回执.csv", text.encode(), content_type="text/csv")


def _scores(c: Cast) -> dict:
    return {f"score_{k['code']}": "20" for k in c.competitive.criteria} | {"comment": "良好"}


MATRIX: dict[str, list[Case]] = {
    # ------------------------------------------------------------------ portal: home, accounts, inbox
    "home": [case(GET=PUBLIC, POST=PUBLIC)],
    "healthz": [case(GET=PUBLIC, POST="*:405")],
    "readyz": [case(GET=PUBLIC, POST="*:405")],
    # Prometheus metrics: only with PORTAL_METRICS_TOKEN or from PORTAL_METRICS_ALLOWED_IPS (none in tests)
    "metrics": [case(GET="*:403", POST="*:405")],
    "register": [case(GET=PUBLIC, POST=PUBLIC)],
    "confirm_email": [case(lambda c: {"token": "not-a-token"}, GET=PUBLIC, POST=PUBLIC)],
    "login": [case(GET=PUBLIC, POST=PUBLIC)],
    "logout": [case(GET="*:405", POST=PUBLIC)],
    "password_change": [case(GET=SIGNED_IN, POST=SIGNED_IN)],
    "password_change_done": [case(GET=SIGNED_IN, POST=PAGE_POST_405)],
    "password_reset": [case(GET=PUBLIC, POST=PUBLIC)],
    "password_reset_done": [case(GET=PUBLIC, POST="*:405")],
    "password_reset_confirm": [case(lambda c: {"uidb64": "MQ", "token": "set-password"}, GET=PUBLIC, POST=PUBLIC)],
    "password_reset_complete": [case(GET=PUBLIC, POST="*:405")],
    "otp_setup": [case(GET=SIGNED_IN, POST=SIGNED_IN)],
    "otp_verify": [case(GET=SIGNED_IN, POST=SIGNED_IN)],
    # 统一身份认证 (OpenID Connect): not there unless OIDC_ENABLED (tests/portal/test_oidc*.py run the flow)
    "oidc_authentication_init": [case(GET="*:404", POST="*:405")],
    "oidc_authentication_callback": [case(GET="*:404", POST="*:405", query="code=x&state=y")],
    "inbox": [case(GET=SIGNED_IN, POST=SIGNED_IN)],
    "inbox_read": [case(pk("notification"), GET="anon:login USERS:405", POST="anon:login owner_a:ok *:404")],
    "set_language": [case(GET=PUBLIC, POST=PUBLIC, data=lambda c: {"language": "en", "next": "/"})],
    # ------------------------------------------------------------------ API: accounts
    "api-me": [case(GET=API_SIGNED_IN)],
    "api-token": [case(POST=PUBLIC, data=lambda c: {"username": "owner-a@example.cn", "password": "wrong"})],
    # signing out revokes the token the request came with (or all the account's): a token is needed
    "api-token-revoke": [case(POST="anon:401 *:ok")],
    "api-token-revoke-all": [case(POST="anon:401 *:ok")],
    "api-schema": [case(GET=PUBLIC)],
    "api-docs": [case(GET=PUBLIC)],
    "api-calendar": [case(GET=PUBLIC, query="year=2027")],
    # the bureau's people by id (to name a reviewer or experts): bureau staff only
    "api-staff": [case(GET=API_STAFF_LIST, query="role=expert")],  # each district's own people
    # ------------------------------------------------------------------ API: catalogue (public)
    "api-programs": [case(GET=PUBLIC)],
    "api-program": [case(code, GET=PUBLIC)],
    "api-program-estimate": [case(code, POST=PUBLIC, data=lambda c: {"inputs": {"eligible_cost": "100000"}})],
    # ------------------------------------------------------------------ API: budget (administrators)
    "api-budget-pools": [
        case(
            GET=API_ADMIN_LIST,
            POST=API_ADMIN,  # a Huangpu programme: 403 for Tianhe
            data=lambda c: {"programme": c.competitive.code, "fiscal_year": 2027, "amount": "1000000.00"},
        )
    ],
    "api-budget-pool": [
        case(pk("pool"), GET=API_ADMIN_OBJ, PATCH=API_ADMIN_OBJ, data=lambda c: {"amount": "200000000.00"})
    ],
    "api-budget-pool-ledger": [case(pk("pool"), GET=API_ADMIN_OBJ)],
    # ------------------------------------------------------------------ API: 申报批次 windows
    "api-windows": [
        case(
            GET=API_STAFF_LIST,
            POST=API_ADMIN,
            data=lambda c: {
                "programme": c.standard.code,
                "name": "第二批",
                "kind": "ordinary",
                "opens_at": c.window.closes_at.isoformat(),
                "closes_at": (c.window.closes_at + _days(10)).isoformat(),
            },
        )
    ],
    "api-window": [
        case(
            pk("window"),
            GET=API_STAFF_OBJ,
            PATCH="anon:403 admin:ok TH:404 *:403",
            data=lambda c: {"name": "第一批（更名）"},
        )
    ],
    "api-window-close": [
        case(pk("window"), POST="anon:403 admin:ok TH:404 *:403", data=lambda c: {"reason": "额度已满"})
    ],
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
    "api-preapproval-list": [case(GET=API_SIGNED_IN, POST="anon:403 ENT:ok *:403", data=_preapproval_request)],
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
        case(pk("a_bureau"), GET=API_STAFF_OBJ, POST="anon:403 reviewer:ok admin:ok TH:404 *:403", data=_decision)
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
    "api-reviews-collective-decisions": [case(GET=API_ADMIN_LIST, POST=API_ADMIN, data=_collective)],
    "api-reviews-notices-pending": [case(GET=API_ADMIN_LIST)],
    "api-reviews-expert-assignments": [case(GET="anon:403 expert:ok *:403")],
    "api-reviews-expert-assignment": [
        case(pk("a_expert_assignment"), label="another expert's", GET="anon:403 *:404"),
        case(pk("expert_assignment"), label="the expert's own", GET="anon:403 expert:ok *:404"),
    ],
    "api-reviews-expert-declaration": [
        case(
            pk("a_expert_assignment"),
            label="another expert's",
            POST="anon:403 *:404",
            data=lambda c: {"conflict": False},
        ),
        case(
            pk("expert_assignment"),
            label="the expert's own",
            POST="anon:403 expert:ok *:404",
            data=lambda c: {"conflict": False},
        ),
    ],
    "api-reviews-expert-scores": [
        case(
            pk("a_expert_assignment"),
            label="another expert's",
            POST="anon:403 *:404",
            data=lambda c: {"scores": {k["code"]: "20" for k in c.competitive.criteria}},
        ),
        case(
            pk("expert_assignment"),
            label="the expert's own",
            POST="anon:403 expert:ok *:404",
            data=lambda c: {"scores": {k["code"]: "20" for k in c.competitive.criteria}},
        ),
    ],
    "api-reviews-notices": [
        case(
            GET=PUBLIC,
            POST=API_ADMIN_LIST,  # Tianhe: none of these ids is its (400)
            data=lambda c: {"application_ids": [c.a_bureau.pk]},
        )
    ],
    "api-reviews-notice": [case(pk("notice"), GET=PUBLIC)],
    "api-reviews-notices-close-due": [case(POST=API_ADMIN_LIST)],  # each district closes its own
    "api-reviews-objection-create": [case(pk("notice"), POST=PUBLIC, data=_objection)],
    "api-reviews-objections": [case(GET=API_ADMIN_LIST)],
    "api-reviews-objection-resolve": [
        case(pk("objection"), POST=API_ADMIN_OBJ, data=lambda c: {"upheld": False, "reason": "经核查，异议不成立。"})
    ],
    # ------------------------------------------------------------------ API: vouchers and redemptions
    "api-vouchers": [case(GET=API_SIGNED_IN)],
    "api-voucher": [case(pk("voucher"), GET="anon:403 A:ok STAFF:ok *:404")],
    "api-redemptions": [
        case(
            GET=API_SIGNED_IN,
            POST="anon:403 provider:ok *:403",
            multipart=True,
            data=lambda c: {
                "voucher_code": c.voucher.code,
                "holder_credit_code": c.enterprise_a.credit_code,
                "invoice_number": "INV20260003",
                "invoice_date": str(c.voucher.issued_on),
                "amount": "100.00",
                "invoice_file": pdf_upload("i.pdf"),
            },
        )
    ],
    "api-redemption-confirm": [case(pk("redemption"), POST="anon:403 A:ok STAFF:403 provider:403 *:404")],
    "api-redemption-dispute": [
        case(
            pk("redemption"),
            POST="anon:403 A:ok STAFF:403 provider:403 *:404",
            data=lambda c: {"reason": "未收到该笔算力服务"},
        )
    ],
    # ------------------------------------------------------------------ API: 收款账户与拨付 payments
    "api-payments-mine": [case(GET="anon:403 ENT:ok *:403")],
    "api-payment-accounts": [case(GET=API_SIGNED_IN, POST="anon:403 ENT:ok *:403", data=_account)],
    "api-payment-account": [case(pk("receiving_account"), GET="anon:403 A:ok admin:ok *:404")],
    "api-payment-account-verify": [case(pk("account_pending"), POST=API_ADMIN_OBJ)],
    "api-payment-account-refuse": [
        case(pk("account_pending"), POST=API_ADMIN_OBJ, data=lambda c: {"reason": "开户证明与账号不符"})
    ],
    "api-payment-awards": [case(GET=API_SIGNED_IN)],
    "api-payment-award": [case(pk("payment_award"), GET="anon:403 A:ok admin:ok *:404")],
    "api-payment-award-schedule": [
        case(pk("payment_award"), POST=API_ADMIN_OBJ, data=lambda c: {"tranches": [{"amount": "300000.00"}]})
    ],
    "api-payments-due": [case(GET=API_ADMIN_LIST)],
    "api-payment-tranche-acceptance": [
        case(
            pk("tranche_waiting"),
            POST="anon:403 A:ok owner_b:404 *:403",
            multipart=True,
            data=lambda c: {"summary": "促进中心建设完成，已通过第三方验收。", "files": [pdf_upload("验收报告.pdf")]},
        )
    ],
    "api-payment-acceptance-file": [case(pk("acceptance_file"), GET="anon:403 A:ok admin:ok *:404")],
    "api-payment-acceptance": [case(GET=API_SIGNED_IN)],
    "api-payment-acceptance-decide": [case(pk("acceptance"), POST=API_ADMIN_OBJ, data=lambda c: {"approve": True})],
    # Tianhe: a Huangpu tranche is as unknown as one that does not exist (400)
    "api-payment-batches": [
        case(
            GET=API_ADMIN_LIST,
            POST=API_ADMIN_LIST,
            data=lambda c: {"tranches": [c.tranche_waiting.pk], "note": "十二月"},
        )
    ],
    "api-payment-batch": [case(pk("payment_batch"), GET=API_ADMIN_OBJ)],
    "api-payment-batch-approve": [case(pk("payment_batch"), POST=API_ADMIN_OBJ)],
    "api-payment-batch-cancel": [case(pk("payment_batch"), POST=API_ADMIN_OBJ, data=lambda c: {"reason": "改期拨付"})],
    "api-payment-batch-file": [case(lambda c: {"pk": c.payment_batch_paid.pk, "fmt": "csv"}, GET=API_ADMIN_OBJ)],
    "api-payment-batch-results": [
        case(
            pk("payment_batch"),
            POST=API_ADMIN_OBJ,
            data=lambda c: {
                "results": [
                    {
                        "seq": 1,
                        "paid": True,
                        "paid_on": str(c.payment_batch.prepared_at.date()),
                        "voucher_number": "V-1",
                    }
                ]
            },
        )
    ],
    "api-payment-batch-return-file": [
        case(pk("payment_batch"), POST=API_ADMIN_OBJ, multipart=True, data=lambda c: {"file": _return_file()})
    ],
    "api-payment-clawbacks": [
        case(
            GET=API_SIGNED_IN,
            POST=API_ADMIN_OBJ,  # a Huangpu award: 404 for Tianhe
            data=lambda c: {"award": c.clawback.award_id, "amount": "100.00", "reason": "另查明部分支出不合规。"},
        )
    ],
    "api-payment-clawback": [case(pk("clawback"), GET="anon:403 A:ok admin:ok *:404")],
    "api-payment-clawback-repayments": [
        case(
            pk("clawback"),
            POST=API_ADMIN_OBJ,
            data=lambda c: {"amount": "1000.00", "repaid_on": _today(), "voucher_number": "TH-1"},
        )
    ],
    "api-payments-report": [case(GET=API_ADMIN_LIST)],
    # ------------------------------------------------------------------ API: 合作方 two-party awards
    "api-parties": [case(GET=API_SIGNED_IN)],
    "api-party-awards": [case(GET=API_SIGNED_IN)],
    "api-party-confirm": [case(pk("b_two_party"), POST="anon:403 A:ok *:404")],
    # ------------------------------------------------------------------ API: letters
    "api-letters": [case(GET=API_SIGNED_IN)],
    "api-letter": [case(pk("letter"), GET="anon:403 A:ok STAFF:ok *:404")],
    "api-letter-pdf": [case(pk("letter"), GET="anon:403 A:ok STAFF:ok *:404")],
    "api-letter-retry": [case(pk("letter"), POST="anon:403 admin:ok A:403 REV:403 *:404")],
    "api-letter-verify": [case(lambda c: {"code": c.letter.code}, GET=PUBLIC)],
    # ------------------------------------------------------------------ the public catalogue
    "vouchers:catalogue": [case(GET=PUBLIC, POST=PUBLIC)],
    "vouchers:policy": [case(lambda c: {"code": c.standard.policy.code}, GET=PUBLIC, POST=PUBLIC)],
    "vouchers:programme": [case(code, GET=PUBLIC, POST=PUBLIC)],
    "vouchers:estimate": [case(code, GET=PUBLIC, POST=PUBLIC)],
    "vouchers:parameter_change": [case(code, GET=ADMIN_PAGE, POST=ADMIN_PAGE)],
    "vouchers:window_add": [
        case(
            code,
            GET=ADMIN_PAGE,
            POST=ADMIN_PAGE,
            data=lambda c: {"name": "第二批", "opens_at": "2027-01-01 09:00", "closes_at": "2027-02-01 17:00"},
        )
    ],
    # ------------------------------------------------------------------ budget (administrators)
    "vouchers:budget": [case(GET=ADMIN_LIST, POST=ADMIN_LIST)],
    "vouchers:budget_export": [case(lambda c: {"fmt": "csv"}, GET=ADMIN_LIST, POST=ADMIN_LIST)],
    # Tianhe: a Huangpu programme is no choice of its form (400)
    "vouchers:budget_pool_create": [
        case(
            GET="anon:login USERS:405",
            POST=ADMIN_LIST,
            data=lambda c: {"programme": c.competitive.pk, "fiscal_year": 2027, "amount": "1000000"},
        )
    ],
    "vouchers:budget_pool": [case(pk("pool"), GET=ADMIN_OBJ, POST=ADMIN_OBJ)],
    "vouchers:budget_pool_amount": [
        case(pk("pool"), GET="anon:login USERS:405", POST=ADMIN_OBJ, data=lambda c: {"amount": "200000000"})
    ],
    "vouchers:budget_pool_export": [case(lambda c: {"pk": c.pool.pk, "fmt": "csv"}, GET=ADMIN_OBJ, POST=ADMIN_OBJ)],
    # ------------------------------------------------------------------ 收款账户与拨付 payments
    "vouchers:payments_mine": [case(GET="anon:login ENT:ok *:403", POST="anon:login ENT:ok *:403")],
    "vouchers:payment_account_submit": [
        case(GET="anon:login USERS:405", POST="anon:login ENT:ok *:403", data=_account)
    ],
    "applications:acceptance_submit": [
        case(
            pk("tranche_waiting"),
            GET="anon:login USERS:405",
            POST="anon:login A:ok owner_b:404 *:403",
            data=lambda c: {"summary": "促进中心建设完成，已通过第三方验收。", "files": [pdf_upload("验收报告.pdf")]},
        )
    ],
    "vouchers:payment_acceptance_file": [
        case(pk("acceptance_file"), GET="anon:login A:ok admin:ok *:404", POST="anon:login USERS:405")
    ],
    "vouchers:payments": [case(GET=ADMIN_LIST, POST=ADMIN_LIST)],
    "vouchers:payment_accounts": [case(GET=ADMIN_LIST, POST=ADMIN_LIST)],
    "vouchers:payment_account_decide": [
        case(pk("account_pending"), GET="anon:login USERS:405", POST=ADMIN_OBJ, data=lambda c: {"decision": "verify"})
    ],
    "vouchers:payment_acceptance": [case(GET=ADMIN_LIST, POST=ADMIN_LIST)],
    "vouchers:payment_acceptance_decide": [
        case(pk("acceptance"), GET="anon:login USERS:405", POST=ADMIN_OBJ, data=lambda c: {"decision": "approve"})
    ],
    "vouchers:payment_award": [case(pk("payment_award"), GET=ADMIN_OBJ, POST=ADMIN_OBJ)],
    "vouchers:payment_award_schedule": [
        case(pk("payment_award"), GET="anon:login USERS:405", POST=ADMIN_OBJ, data=lambda c: {"amount_1": "300000"})
    ],
    "reviews:payment_award_clawback": [
        case(
            pk("payment_award"),
            GET="anon:login USERS:405",
            POST=ADMIN_OBJ,
            data=lambda c: {"amount": "100", "reason": "部分支出不合规，予以追回。"},
        )
    ],
    "vouchers:payment_clawback_repayment": [
        case(
            pk("clawback"),
            GET="anon:login USERS:405",
            POST=ADMIN_OBJ,
            data=lambda c: {"amount": "1000", "repaid_on": _today(), "voucher_number": "TH-1"},
        )
    ],
    "vouchers:payment_batch_prepare": [
        case(
            GET="anon:login USERS:405",
            POST=ADMIN_LIST,  # Tianhe: told "unknown"
            data=lambda c: {"tranche": [c.tranche_waiting.pk]},
        )
    ],
    "vouchers:payment_batch": [case(pk("payment_batch"), GET=ADMIN_OBJ, POST=ADMIN_OBJ)],
    "vouchers:payment_batch_approve": [case(pk("payment_batch"), GET="anon:login USERS:405", POST=ADMIN_OBJ)],
    "vouchers:payment_batch_cancel": [
        case(pk("payment_batch"), GET="anon:login USERS:405", POST=ADMIN_OBJ, data=lambda c: {"reason": "改期拨付"})
    ],
    "vouchers:payment_batch_export": [
        case(lambda c: {"pk": c.payment_batch_paid.pk, "fmt": "csv"}, GET=ADMIN_OBJ, POST=ADMIN_OBJ)
    ],
    "vouchers:payment_batch_results": [
        case(
            pk("payment_batch"),
            GET="anon:login USERS:405",
            POST=ADMIN_OBJ,
            data=lambda c: {"result_1": "paid", "paid_on_1": _today(), "voucher_1": "V-1"},
        )
    ],
    "vouchers:payment_batch_return_file": [
        case(
            pk("payment_batch"),
            GET="anon:login USERS:405",
            POST=ADMIN_OBJ,
            multipart=True,
            data=lambda c: {"file": _return_file()},
        )
    ],
    "vouchers:payments_report": [case(GET=ADMIN_LIST, POST=ADMIN_LIST)],
    "vouchers:payments_report_xlsx": [case(GET=ADMIN_LIST, POST=ADMIN_LIST)],
    # ------------------------------------------------------------------ vouchers and their redemption
    "vouchers:voucher_list": [case(GET=SIGNED_IN, POST=SIGNED_IN)],
    "vouchers:voucher_detail": [
        case(pk("voucher"), GET="anon:login A:ok STAFF:ok *:404", POST="anon:login A:ok STAFF:ok *:404")
    ],
    "vouchers:redemption_confirm": [
        case(pk("redemption"), GET="anon:login USERS:405", POST="anon:login A:ok STAFF:403 provider:403 *:404")
    ],
    "vouchers:redemption_dispute": [
        case(
            pk("redemption"),
            GET="anon:login USERS:405",
            POST="anon:login A:ok STAFF:403 provider:403 *:404",
            data=lambda c: {"reason": "未收到该笔算力服务"},
        )
    ],
    "vouchers:redemption_invoice": [
        case(
            pk("redemption"),
            GET="anon:login A:ok STAFF:ok provider:ok *:404",
            POST="anon:login A:ok STAFF:ok provider:ok *:404",
        )
    ],
    "vouchers:provider_home": [
        case(
            GET="anon:login provider:ok *:403",
            POST="anon:login provider:ok *:403",
            multipart=True,
            data=lambda c: {
                "voucher_code": c.voucher.code,
                "holder_credit_code": c.enterprise_a.credit_code,
                "invoice_number": "INV20260002",
                "invoice_date": "2026-01-05",
                "amount": "100.00",
                "invoice_file": pdf_upload("i.pdf"),
            },
        )
    ],
    # the compute providers' catalogue is kept by every district's administrators (no district of its own)
    "vouchers:providers": [case(GET=ADMIN_LIST, POST=ADMIN_LIST)],
    "vouchers:provider_admin": [case(pk("compute_provider"), GET=ADMIN_LIST, POST=ADMIN_LIST)],
    "vouchers:provider_member_add": [
        case(
            pk("compute_provider"),
            GET="anon:login USERS:405",
            POST=ADMIN_LIST,
            data=lambda c: {"email": "panel1@example.cn"},
        )
    ],
    "vouchers:provider_member_remove": [
        case(
            lambda c: {"pk": c.compute_provider.pk, "member_pk": c.provider_member.pk},
            GET="anon:login USERS:405",
            POST=ADMIN_LIST,
        )
    ],
    "vouchers:provider_relation_add": [
        case(
            pk("compute_provider"),
            GET="anon:login USERS:405",
            POST=ADMIN_LIST,
            data=lambda c: {"enterprise_credit_code": c.enterprise_a.credit_code, "kind": "control"},
        )
    ],
    "vouchers:provider_relation_remove": [
        case(
            lambda c: {"pk": c.compute_provider.pk, "relation_pk": c.provider_relation.pk},
            GET="anon:login USERS:405",
            POST=ADMIN_LIST,
        )
    ],
    "vouchers:settlement": [case(GET=ADMIN_LIST, POST=ADMIN_LIST)],  # of the district's vouchers
    # ------------------------------------------------------------------ 事前同意 pre-approvals (th-events)
    "applications:preapproval_list": [case(GET="anon:login ENT:ok *:403", POST="anon:login ENT:405 *:403")],
    "applications:preapproval_request": [
        case(GET="anon:login ENT:ok *:403", POST="anon:login ENT:ok *:403", data=_preapproval_request)
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
        case(GET="anon:login ENT:ok *:403", POST="anon:login owner_a:ok agent_a:403 owner_b:ok *:403", data=_resubmit)
    ],
    # contested claims are for enterprise users who belong to no enterprise (the cast's all do)
    "applications:enterprise_contest": [case(GET="anon:login ENT:ok *:403", POST="anon:login *:403", data=_contest)],
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
            data=_resubmit,
            POST="anon:403 owner_a:ok agent_a:403 *:404",
        )
    ],
    "api-enterprise-claim-list": [case(GET=API_SIGNED_IN, POST="anon:403 ENT:ok *:403", multipart=True, data=_contest)],
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
            data=_decision,
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
    "reviews:collective_decision_new": [case(GET=ADMIN_LIST, POST=ADMIN_OBJ, data=_collective)],
    "reviews:collective_decision_file": [case(pk("collective_decision"), GET=ADMIN_OBJ, POST=ADMIN_OBJ)],
    # ------------------------------------------------------------------ expert pages
    "reviews:expert_list": [case(GET="anon:login expert:ok *:403", POST="anon:login expert:ok *:403")],
    "reviews:expert_assignment": [
        case(
            pk("a_expert_assignment"),
            label="another expert's",
            GET="anon:login expert:404 *:403",
            POST="anon:login expert:404 *:403",
        ),
        case(
            pk("expert_assignment"),
            label="the expert's own",
            GET="anon:login expert:ok *:403",
            POST="anon:login expert:ok *:403",
        ),
    ],
    "reviews:expert_declare": [
        case(
            pk("a_expert_assignment"),
            label="another expert's",
            GET="*:405",
            POST="anon:login expert:404 *:403",
            data=lambda c: {"conflict": "0"},
        ),
        case(
            pk("expert_assignment"),
            label="the expert's own",
            GET="*:405",
            POST="anon:login expert:ok *:403",
            data=lambda c: {"conflict": "0"},
        ),
    ],
    "reviews:expert_scores": [
        case(
            pk("a_expert_assignment"),
            label="another expert's",
            GET="*:405",
            POST="anon:login expert:404 *:403",
            data=_scores,
        ),
        case(
            pk("expert_assignment"),
            label="the expert's own",
            GET="*:405",
            POST="anon:login expert:ok *:403",
            data=_scores,
        ),
    ],
    "reviews:expert_attachment": [
        case(
            lambda c: {"pk": c.a_expert_assignment.pk, "attachment_pk": c.a_expert.attachments.first().pk},
            label="another expert's",
            GET="anon:login expert:404 *:403",
            POST="anon:login expert:404 *:403",
        ),
        case(
            lambda c: {"pk": c.expert_assignment.pk, "attachment_pk": c.b_expert.attachments.first().pk},
            label="the expert's own",
            GET="anon:login expert:ok *:403",
            POST="anon:login expert:ok *:403",
        ),
        case(
            lambda c: {"pk": c.expert_assignment.pk, "attachment_pk": c.a_expert.attachments.first().pk},
            label="own assignment, another application's file",
            GET="anon:login expert:404 *:403",
            POST="anon:login expert:404 *:403",
        ),
    ],
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
    "reviews:public_notice": [case(pk("notice"), GET=PUBLIC, POST=PUBLIC, data=_objection)],
    # ------------------------------------------------------------------ 合作方 two-party awards
    "reviews:party_list": [case(GET="anon:login ENT:ok *:403", POST="anon:login ENT:ok *:403")],
    "reviews:party_confirm": [case(pk("b_two_party"), GET="*:405", POST="anon:login A:ok owner_b:404 *:403")],
    # ------------------------------------------------------------------ letters
    "reviews:letter_list": [case(GET=SIGNED_IN, POST=SIGNED_IN)],
    "reviews:letters_batch": [
        case(
            GET="anon:login USERS:405",
            POST=ADMIN_LIST,  # each district's letters
            data=lambda c: {"action": "generate"},
        )
    ],
    "reviews:letter_download": [
        case(pk("letter"), GET="anon:login A:ok STAFF:ok *:404", POST="anon:login A:ok STAFF:ok *:404")
    ],
    "reviews:letter_revoke": [
        case(
            pk("letter"),
            GET="anon:login USERS:405",
            POST="anon:login admin:ok A:403 REV:403 *:404",
            data=lambda c: {"reason": "文书内容有误"},
        )
    ],
    "reviews:letter_retry": [
        case(pk("letter"), GET="anon:login USERS:405", POST="anon:login admin:ok A:403 REV:403 *:404")
    ],
    "reviews:letter_verify_start": [case(GET=PUBLIC, POST=PUBLIC)],
    # 生成中 → 已出具: the state of a letter, polled by its pages (issue 17)
    "reviews:letter_status": [case(pk("letter"), GET="anon:login A:ok STAFF:ok *:404", POST="*:405")],
    # ------------------------------------------------------------------ service pages (issue 17)
    "workbench": [case(GET=SIGNED_IN, POST="*:405")],
    "reviews:guide_search": [case(GET=PUBLIC, POST="*:405", query="q=算力")],
    "reviews:programme_guide": [case(code, GET=PUBLIC, POST="*:405")],
    "reviews:material_template": [
        case(lambda c: {"code": c.standard.code, "material": "credit_commitment"}, GET=PUBLIC, POST="*:405")
    ],
    "api-guide": [case(code, GET=PUBLIC)],
    # 好差评: the applying enterprise, once its application has ended; administrators see the ratings
    "reviews:rating_new": [
        case(
            pk("a_approved"),
            GET="anon:login A:ok owner_b:404 STAFF:403 *:404",
            POST="anon:login A:ok owner_b:404 STAFF:403 *:404",
            data=lambda c: {"score": "4", "step": "overall", "comment": "办理顺利"},
        )
    ],
    "reviews:ratings_admin": [case(GET=ADMIN_LIST, POST="anon:login USERS:405")],
    "api-ratings-summary": [case(GET=API_ADMIN_LIST)],
    "vouchers:provider_directory": [case(GET=PUBLIC, POST="*:405")],
    "reviews:letter_verify": [case(lambda c: {"code": c.letter.code}, GET=PUBLIC, POST=PUBLIC)],
    # ------------------------------------------------------------------ the admin site (one entry per app)
    "admin:applications": [case(GET=ADMIN_APP, POST=ADMIN_APP)],
    "admin:auth": [case(GET=ADMIN_APP, POST=ADMIN_APP)],
    "admin:axes": [case(GET=ADMIN_APP, POST=ADMIN_APP)],
    "admin:knox": [case(GET=ADMIN_APP, POST=ADMIN_APP)],
    "admin:otp_static": [case(GET=ADMIN_APP, POST=ADMIN_APP)],
    # ------------------------------------------------------------------ 政策找企业 proactive
    "proactive:matches": [
        case(
            GET="anon:login ENT:ok *:403",
            POST="anon:login owner_a:ok agent_a:403 owner_b:ok *:403",
            data=lambda c: {"notify": ""},
        )
    ],
    "proactive:enterprise_facts": [
        case(
            GET="anon:login ENT:ok *:403",
            POST="anon:login owner_a:ok agent_a:403 owner_b:404 *:403",
            data=lambda c: {"fact": c.fact_a.pk, "reason": "统计口径有误"},
        )
    ],
    "proactive:estimate_prefill": [
        case(lambda c: {"code": "hp-revenue-growth"}, GET="anon:login ENT:ok *:403", POST="anon:login ENT:405 *:403")
    ],
    "proactive:imports": [case(GET=ADMIN_LIST, POST=ADMIN_LIST, data=lambda c: {"action": "match"})],
    "proactive:contests": [
        case(
            GET=STAFF_LIST,
            POST=STAFF_OBJ,
            data=lambda c: {"contest": c.fact_contest.pk, "uphold": "0", "resolution": "数据来源于统计年报，无误。"},
        )
    ],
    "proactive:auto_batches": [
        case(
            GET=ADMIN_LIST,
            POST=ADMIN_OBJ,
            data=lambda c: {"window": c.window_auto.pk, "facts_cutoff": "2026-01-01T00:00", "confirm_workdays": "10"},
        )
    ],
    "proactive:auto_batch": [case(pk("auto_batch"), GET=ADMIN_OBJ, POST="anon:login admin,admin_th:405 *:403")],
    "proactive:auto_batch_publish": [
        case(
            pk("auto_batch"),
            GET="anon:login admin,admin_th:405 *:403",
            POST=ADMIN_OBJ,
            data=lambda c: {"mode": "rank", "comment": "数据已抽查。"},
        )
    ],
    "proactive:auto_batch_notice": [case(pk("auto_batch"), GET="anon:login admin,admin_th:405 *:403", POST=ADMIN_OBJ)],
    "proactive:auto_batch_review": [
        case(
            pk("auto_batch"),
            GET="anon:login admin,admin_th:405 *:403",
            POST=ADMIN_OBJ,
            data=lambda c: {"comment": "同意。"},
        )
    ],
    "proactive:auto_awards": [
        case(
            GET="anon:login ENT:ok *:403",
            POST="anon:login A:ok owner_b:404 *:403",
            data=lambda c: {"award": c.auto_award_a.pk, "action": "decline"},
        )
    ],
    "api-enterprise-fact-list": [case(GET=API_SIGNED_IN, POST="anon:403 USERS:405")],
    "api-enterprise-fact-detail": [case(pk("fact_a"), GET="anon:403 A:ok STAFF:ok *:404")],
    "api-enterprise-fact-contest": [
        case(
            pk("fact_a"),
            POST="anon:403 owner_a:ok agent_a:403 STAFF:403 *:404",
            data=lambda c: {"reason": "统计口径有误"},
        )
    ],
    "api-fact-contest-list": [case(GET=API_SIGNED_IN, POST="anon:403 USERS:405")],
    "api-fact-contest-detail": [case(pk("fact_contest"), GET="anon:403 A:ok STAFF:ok *:404")],
    "api-fact-contest-resolve": [
        case(
            pk("fact_contest"),
            POST="anon:403 STAFF:ok A:403 *:404",
            data=lambda c: {"uphold": False, "resolution": "无误。"},
        )
    ],
    "api-fact-import-list": [
        case(
            GET=API_SIGNED_IN,
            POST="anon:403 admin,admin_th:ok *:403",
            multipart=True,
            data=lambda c: {
                "department": "market",
                "source": "市场监管局",
                "file": SimpleUploadedFile(
                    "f.csv",
                    f"统一社会信用代码,地址\n{c.enterprise_a.credit_code},广州市黄埔区科学大道1号\n".encode(),
                    "text/csv",
                ),
            },
        )
    ],
    "api-fact-import-detail": [case(pk("fact_import"), GET="anon:403 admin,admin_th:ok *:404")],
    "api-matching-run-list": [case(GET=API_SIGNED_IN, POST="anon:403 admin,admin_th:ok *:403")],
    "api-auto-award-batch-list": [
        case(
            GET=API_SIGNED_IN,
            POST=API_ADMIN_OBJ,
            data=lambda c: {"window": c.window_auto.pk, "facts_cutoff": "2026-01-01T00:00:00+08:00"},
        )
    ],
    "api-auto-award-batch-detail": [case(pk("auto_batch"), GET="anon:403 admin:ok *:404")],
    "api-auto-award-batch-candidates": [case(pk("auto_batch"), GET="anon:403 admin:ok *:404")],
    "api-auto-award-batch-publish": [
        case(pk("auto_batch"), POST=API_ADMIN_OBJ, data=lambda c: {"mode": "rank", "comment": "数据已抽查。"})
    ],
    "api-auto-award-batch-notice": [case(pk("auto_batch"), POST=API_ADMIN_OBJ)],
    "api-auto-award-batch-review": [case(pk("auto_batch"), POST=API_ADMIN_OBJ, data=lambda c: {"comment": "同意。"})],
    "api-auto-award-list": [case(GET=API_SIGNED_IN, POST="anon:403 USERS:405")],
    "api-auto-award-detail": [case(pk("auto_award_a"), GET="anon:403 A:ok *:404")],
    "api-auto-award-confirm": [
        case(pk("auto_award_a"), POST="anon:403 A:ok *:404", data=lambda c: {"account": 1, "declaration": True})
    ],
    "api-auto-award-decline": [
        case(pk("auto_award_a"), POST="anon:403 A:ok *:404", data=lambda c: {"reason": "不需要"})
    ],
    # 政策成效 results: the administrators of each district, their district's figures only (the
    # district check is tests/proactive/test_results.py's: a list shows no other district's rows)
    "proactive:results": [case(GET=ADMIN_LIST, POST=PAGE_POST_405)],
    "proactive:results_export": [case(GET=ADMIN_LIST, POST=PAGE_POST_405)],
    "api-results": [case(GET=API_ADMIN_LIST, POST="anon:403 admin,admin_th:405 *:403")],
    "api-matches": [case(GET="anon:403 ENT:ok *:403")],
    "api-match-preference": [case(PUT="anon:403 owner_a:ok owner_b:ok *:403", data=lambda c: {"notify": False})],
    "api-fact-comparison": [case(pk("a_draft"), GET="anon:403 A:ok STAFF:ok *:404")],
    # ------------------------------------------------------------------ 快申快享 quick applications
    "proactive:library": [
        case(
            GET="anon:login ENT:ok *:403",
            POST="anon:login ENT:ok *:403",
            multipart=True,
            data=lambda c: {"material": "credit_commitment", "file": pdf_upload("承诺书.pdf")},
        )
    ],
    "proactive:library_download": [
        case(pk("library_doc_a"), GET="anon:login A:ok owner_b:404 *:403", POST="anon:login ENT:405 *:403")
    ],
    "proactive:library_remove": [
        case(pk("library_doc_a"), GET="anon:login A:405 owner_b:405 *:403", POST="anon:login A:ok owner_b:404 *:403")
    ],
    "proactive:library_reuse": [
        case(
            pk("a_draft"),
            GET="anon:login ENT:405 *:403",
            POST="anon:login A:ok owner_b:404 *:403",
            data=lambda c: {"document": c.library_doc_a.pk},
        )
    ],
    "proactive:quick_start": [
        case(
            lambda c: {"code": "hp-revenue-growth"},
            GET="anon:login ENT:405 *:403",
            POST="anon:login ENT:ok *:403",
        )
    ],
    "proactive:payment_promises": [case(GET=ADMIN_LIST, POST="anon:login admin,admin_th:405 *:403")],
    "api-library-document-list": [
        case(
            GET=API_SIGNED_IN,
            POST="anon:403 ENT:ok *:403",
            multipart=True,
            data=lambda c: {"material": "credit_commitment", "file": pdf_upload("承诺书.pdf")},
        )
    ],
    "api-library-document-detail": [case(pk("library_doc_a"), GET="anon:403 A:ok *:404", DELETE="anon:403 A:ok *:404")],
    "api-library-document-download": [case(pk("library_doc_a"), GET="anon:403 A:ok *:404")],
    "api-library-reuse": [
        case(
            pk("a_draft"),
            POST="anon:403 A:ok owner_b:404 *:403",
            data=lambda c: {"document": c.library_doc_a.pk},
        )
    ],
    "api-quick-start": [
        case(
            lambda c: {"code": "hp-revenue-growth"},
            GET="anon:403 ENT:ok *:403",
            POST="anon:403 ENT:ok *:403",
            data=lambda c: {},
        )
    ],
    "api-payment-promises": [case(GET=API_ADMIN_LIST)],
    "admin:otp_totp": [case(GET=ADMIN_APP, POST=ADMIN_APP)],
    "admin:portal": [case(GET=ADMIN_APP, POST=ADMIN_APP)],
    "admin:reviews": [case(GET=ADMIN_APP, POST=ADMIN_APP)],
    "admin:vouchers": [case(GET=ADMIN_APP, POST=ADMIN_APP)],
}
