"""The catalogue, budget pools, 申报批次 windows, vouchers and their redemption (API and pages)."""

from __future__ import annotations

from .bodies import days
from .cases import (
    ADMIN_LIST,
    ADMIN_OBJ,
    ADMIN_PAGE,
    API_ADMIN,
    API_ADMIN_LIST,
    API_ADMIN_OBJ,
    API_SIGNED_IN,
    API_STAFF_LIST,
    API_STAFF_OBJ,
    PUBLIC,
    SIGNED_IN,
    Case,
    case,
    code,
    pdf_upload,
    pk,
)

VOUCHERS: dict[str, list[Case]] = {
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
                "closes_at": (c.window.closes_at + days(10)).isoformat(),
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
}
