"""政策找企业 proactive matching, results, and 快申快享 quick applications (API and pages)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from .cases import (
    ADMIN_LIST,
    ADMIN_OBJ,
    API_ADMIN_LIST,
    API_ADMIN_OBJ,
    API_SIGNED_IN,
    PAGE_POST_405,
    STAFF_LIST,
    STAFF_OBJ,
    Case,
    case,
    pdf_upload,
    pk,
)

PROACTIVE: dict[str, list[Case]] = {
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
}
