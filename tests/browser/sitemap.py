"""Every page of the portal, from the URL conf and the objects of a seeded world: each URL pattern is
either a page without arguments, a page whose arguments come from the objects below (a few of each,
chosen to differ: one application per state, one programme per kind), or named in NOT_PAGES with the
reason. A pattern added later without a place here fails test_every_url_is_placed, so the walk never
silently skips a new page. Which of these pages a role has is what the portal answers: a page is
that role's when a GET answers 200 with HTML."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, reverse

# URL name → why a GET of it is no page to check.
NOT_PAGES = {
    "healthz": "probe",
    "readyz": "probe",
    "metrics": "probe (Prometheus text)",
    "logout": "POST only",
    "set_language": "POST only",
    "inbox_read": "marks a message read and redirects",
    "confirm_email": "a one-time e-mailed token; its page is the journey's",
    "api-docs": "Swagger UI (API, not a portal page)",
    "api-schema": "OpenAPI document",
    "oidc_authentication_init": "统一身份认证 redirect (404 unless enabled)",
    "oidc_authentication_callback": "统一身份认证 redirect (404 unless enabled)",
    "applications:autosave": "POST only (JSON)",
    "applications:invitation_accept": "a one-time e-mailed token",
    "proactive:results_export": "an Excel download of the results page (proactive:results is walked)",
}
NOT_PAGE_PREFIXES = ("api/v1/", "admin/", "i18n/")  # the JSON API; the Django admin is walked by admin_pages()
MAX_PER_PATTERN = 3


@dataclass(frozen=True)
class Page:
    name: str  # URL name (namespace:name)
    path: str

    @property
    def slug(self) -> str:
        ids = "-".join(p for p in self.path.strip("/").split("/") if p.isdigit())
        return f"{self.name}-{ids}".strip("-").replace(":", "-")


def url_patterns() -> Iterator[tuple[str, str, tuple[str, ...]]]:
    """(route, name, argument names) of every named pattern."""

    def walk(patterns, prefix: str, namespace: str | None):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = ":".join(x for x in (namespace, p.namespace) if x) or None
                yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern) and p.name:
                name = f"{namespace}:{p.name}" if namespace else p.name
                yield prefix + str(p.pattern), name, tuple(p.pattern.regex.groupindex)

    yield from walk(get_resolver().url_patterns, "", None)


def _distinct(rows, key: Callable, limit: int = MAX_PER_PATTERN) -> list:
    seen, out = set(), []
    for row in rows:
        k = key(row)
        if k not in seen:
            seen.add(k)
            out.append(row)
    return out[:limit] if limit else out


def _sources() -> dict[str, Callable[[], list[dict]]]:
    """URL name → the arguments to fill it with, from the seeded world."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from applications.models import Application, Attachment, EnterpriseMember, Invitation, PreApproval
    from applications.models_verification import EnterpriseClaim, FactChangeRequest, VerificationDocument
    from portal.models import User
    from proactive.models import AutoAwardBatch, LibraryDocument
    from reviews.models import CollectiveDecision, DecisionProposal, ExpertAssignment, Letter, Objection, PublicNotice
    from vouchers.models import (
        AcceptanceFile,
        AcceptanceReport,
        ApplicationWindow,
        Award,
        BudgetPool,
        Clawback,
        ComputeProvider,
        PaymentBatch,
        PaymentTranche,
        Policy,
        Programme,
        ProviderMember,
        ProviderRelation,
        ReceivingAccount,
        Redemption,
        Voucher,
    )

    def pks(qs, key=lambda o: o.pk, limit=MAX_PER_PATTERN):
        return lambda: [{"pk": o.pk} for o in _distinct(qs.order_by("pk"), key, limit)]

    def applications():
        return [{"pk": a.pk} for a in _distinct(Application.objects.order_by("pk"), lambda a: a.state, 0)]

    def programmes():
        return [{"code": p.code} for p in _distinct(Programme.objects.order_by("pk"), lambda p: p.kind)]

    def programme_codes():
        return [{"programme_code": p["code"]} for p in programmes()]

    def attachments():
        return [{"pk": a.application_id, "attachment_pk": a.pk} for a in Attachment.objects.order_by("pk")[:1]]

    def expert_attachments():
        out = []
        for assignment in ExpertAssignment.objects.order_by("pk")[:1]:
            out += [
                {"pk": assignment.pk, "attachment_pk": a.pk}
                for a in Attachment.objects.filter(application_id=assignment.application_id)[:1]
            ]
        return out

    def reset_links():
        user = User.objects.filter(role="enterprise").order_by("pk").first()
        return (
            [{"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)}]
            if user
            else []
        )

    def members(model, field):
        return lambda: [{"pk": o.provider_id, field: o.pk} for o in model.objects.order_by("pk")[:1]]

    fmt = lambda source: lambda: [{**row, "fmt": "csv"} for row in source()]  # noqa: E731 (downloads: skipped as non-HTML)
    pools = pks(BudgetPool.objects.all(), lambda p: p.programme_id)
    providers = pks(ComputeProvider.objects.all())
    batches = pks(PaymentBatch.objects.all())
    return {
        "password_reset_confirm": reset_links,
        "vouchers:policy": lambda: [{"code": p.code} for p in Policy.objects.order_by("pk")],
        "vouchers:programme": programmes,
        "vouchers:estimate": programmes,
        "vouchers:parameter_change": programmes,
        "vouchers:window_add": programmes,
        "vouchers:budget_export": lambda: [{"fmt": "csv"}],
        "vouchers:budget_pool": pools,
        "vouchers:budget_pool_amount": pools,
        "vouchers:budget_pool_export": fmt(pools),
        "vouchers:voucher_detail": pks(Voucher.objects.all(), lambda v: v.status),
        "vouchers:redemption_confirm": pks(Redemption.objects.all()),
        "vouchers:redemption_dispute": pks(Redemption.objects.all()),
        "vouchers:redemption_invoice": pks(Redemption.objects.all(), limit=1),
        "vouchers:provider_admin": providers,
        "vouchers:provider_member_add": providers,
        "vouchers:provider_relation_add": providers,
        "vouchers:provider_member_remove": members(ProviderMember, "member_pk"),
        "vouchers:provider_relation_remove": members(ProviderRelation, "relation_pk"),
        "applications:acceptance_submit": pks(PaymentTranche.objects.all()),
        "vouchers:payment_acceptance_file": pks(AcceptanceFile.objects.all(), limit=1),
        "vouchers:payment_account_decide": pks(ReceivingAccount.objects.all()),
        "vouchers:payment_acceptance_decide": pks(AcceptanceReport.objects.all()),
        "vouchers:payment_award": pks(Award.objects.all()),
        "vouchers:payment_award_schedule": pks(Award.objects.all()),
        "reviews:payment_award_clawback": pks(Award.objects.all()),
        "vouchers:payment_clawback_repayment": pks(Clawback.objects.all()),
        "vouchers:payment_batch": batches,
        "vouchers:payment_batch_approve": batches,
        "vouchers:payment_batch_cancel": batches,
        "vouchers:payment_batch_export": fmt(batches),
        "vouchers:payment_batch_results": batches,
        "vouchers:payment_batch_return_file": batches,
        "applications:invitation_revoke": pks(Invitation.objects.all(), limit=1),
        "applications:member_remove": pks(EnterpriseMember.objects.all(), limit=1),
        "applications:verification_claim": pks(EnterpriseClaim.objects.all()),
        "applications:verification_fact_change": pks(FactChangeRequest.objects.all()),
        "applications:verification_document": pks(VerificationDocument.objects.all(), limit=1),
        "applications:create": programme_codes,
        **{
            f"applications:{n}": applications
            for n in ("detail", "edit", "attachment_upload", "submit", "resubmit", "withdraw")
        },
        "applications:attachment_remove": attachments,
        "applications:attachment_download": attachments,
        "applications:preapproval_detail": pks(PreApproval.objects.all()),
        "applications:preapproval_withdraw": pks(PreApproval.objects.all()),
        **{
            f"reviews:{n}": applications
            for n in (
                "application",
                "claim",
                "release",
                "assign",
                "formal_start",
                "formal_pass",
                "formal_return",
                "experts_assign",
                "experts_finish",
                "decision",
                "decline",
                "party_confirm",
            )
        },
        "reviews:proposal_approve": pks(DecisionProposal.objects.all()),
        "reviews:proposal_return": pks(DecisionProposal.objects.all()),
        "reviews:collective_decision_file": pks(CollectiveDecision.objects.all(), limit=1),
        "reviews:batch": pks(ApplicationWindow.objects.all(), lambda w: w.programme.kind),
        "reviews:preapproval_decide": pks(PreApproval.objects.all()),
        "reviews:expert_assignment": pks(ExpertAssignment.objects.all(), lambda e: e.status),
        "reviews:expert_declare": pks(ExpertAssignment.objects.all(), lambda e: e.status),
        "reviews:expert_scores": pks(ExpertAssignment.objects.all(), lambda e: e.status),
        "reviews:expert_attachment": expert_attachments,
        "reviews:notice_admin": pks(PublicNotice.objects.all()),
        "reviews:public_notice": pks(PublicNotice.objects.all()),
        "reviews:objection": pks(Objection.objects.all()),
        "reviews:letter_download": pks(Letter.objects.all(), limit=1),
        "reviews:letter_status": pks(Letter.objects.all(), limit=1),
        "reviews:programme_guide": programmes,
        "reviews:material_template": lambda: [
            {"code": p.code, "material": "credit_commitment"}
            for p in Programme.objects.order_by("pk")
            if "credit_commitment" in {m.get("code") for m in p.materials or []}
        ][:1],
        "reviews:rating_new": applications,
        "proactive:estimate_prefill": programmes,
        "proactive:auto_batch": pks(AutoAwardBatch.objects.all()),
        "proactive:auto_batch_publish": pks(AutoAwardBatch.objects.all()),
        "proactive:auto_batch_notice": pks(AutoAwardBatch.objects.all()),
        "proactive:auto_batch_review": pks(AutoAwardBatch.objects.all()),
        "proactive:library_download": pks(LibraryDocument.objects.filter(removed_at__isnull=True), limit=1),
        "proactive:library_remove": pks(LibraryDocument.objects.filter(removed_at__isnull=True), limit=1),
        "proactive:library_reuse": applications,
        "proactive:quick_start": programmes,
        "reviews:letter_revoke": pks(Letter.objects.all(), limit=1),
        "reviews:letter_retry": pks(Letter.objects.all(), limit=1),
        "reviews:letter_verify": lambda: [
            {"code": c} for c in Letter.objects.order_by("pk").values_list("code", flat=True)[:2]
        ],
    }


def unplaced_patterns() -> list[str]:
    sources = _sources()
    return [
        name
        for route, name, args in url_patterns()
        if not route.startswith(NOT_PAGE_PREFIXES) and name not in NOT_PAGES and args and name not in sources
    ]


def candidate_pages() -> list[Page]:
    """Every page of the URL conf, its arguments filled from the database as it is now."""
    sources = _sources()
    pages: list[Page] = []
    for route, name, args in url_patterns():
        if route.startswith(NOT_PAGE_PREFIXES) or name in NOT_PAGES:
            continue
        for kwargs in sources[name]() if args else [{}]:
            pages.append(Page(name, reverse(name, kwargs=kwargs)))
    return pages


def admin_pages() -> list[Page]:
    """The Django admin: its index, each app's index, each model's list and the first object's form."""
    from django.contrib import admin

    pages = [Page("admin:index", reverse("admin:index"))]
    for app_label in sorted({m._meta.app_label for m in admin.site._registry}):
        pages.append(Page("admin:app_list", reverse("admin:app_list", kwargs={"app_label": app_label})))
    for model in sorted(admin.site._registry, key=lambda m: m._meta.label):
        info = (model._meta.app_label, model._meta.model_name)
        pages.append(Page("admin:changelist", reverse("admin:{}_{}_changelist".format(*info))))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            pages.append(Page("admin:change", reverse("admin:{}_{}_change".format(*info), args=[first.pk])))
    return pages
