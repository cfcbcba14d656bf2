"""Payment pages of the enterprise (its receiving account, what it was paid, what is due, what it owes,
acceptance reports) and of the administrators (the account verification queue, acceptance reports,
an award's schedule and claw-back). Batches and the report: views_payment_batches."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.audit import client_ip
from portal.pagination import Capped

from . import payment_selectors as sel
from .acceptance_downloads import acceptance_file_response
from .forms_payments import AcceptanceForm, AccountForm, ClawbackForm, ReasonForm, RepaymentForm
from .payments_http import post_then_redirect
from .services import accounts as account_svc
from .services import clawbacks as clawback_svc
from .services import payments as svc
from .services.payments_common import require_enterprise, require_payment_admin

SCHEDULE_ROWS = 6


def apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errs in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


# --- the enterprise -------------------------------------------------------------------------------


def _mine_page(request: HttpRequest, *, form: AccountForm | None = None, status: int = 200) -> HttpResponse:
    data = sel.enterprise_payments(actor=request.user)
    enterprise = request.user.membership.enterprise
    return render(
        request,
        "vouchers/payments/mine.html",
        {
            "data": data,
            "enterprise": enterprise,
            "form": form or AccountForm(initial={"account_name": enterprise.name}),
            "acceptance_form": AcceptanceForm(),
        },
        status=status,
    )


@login_required
def payments_mine(request: HttpRequest) -> HttpResponse:
    require_enterprise(request.user)
    return _mine_page(request)


@login_required
@require_POST
def payment_account_submit(request: HttpRequest) -> HttpResponse:
    require_enterprise(request.user)
    form = AccountForm(request.POST)
    if form.is_valid():
        try:
            account_svc.account_submit(
                actor=request.user,
                enterprise=request.user.membership.enterprise,
                ip=client_ip(request),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("收款账户已登记，待主管部门核验；核验通过前，原已核验的账户（如有）继续有效。"))
            return redirect("vouchers:payments_mine")
    return _mine_page(request, form=form, status=400)


@login_required
@require_GET
def payment_acceptance_file(request: HttpRequest, pk: int) -> FileResponse:
    """A file of an acceptance report, for its enterprise and the administrators of its district."""
    return acceptance_file_response(sel.acceptance_file_get_for_actor(actor=request.user, pk=pk))


# --- administrators: queues -----------------------------------------------------------------------


@login_required
def payment_accounts(request: HttpRequest) -> HttpResponse:
    require_payment_admin(request.user)
    return render(
        request,
        "vouchers/payments/accounts.html",
        {
            "queue": sel.account_queue(actor=request.user),
            "recent": Capped(
                sel.accounts_for_actor(actor=request.user).exclude(status="pending").order_by("-decided_at", "-pk"), 30
            ),
            "form": ReasonForm(),
        },
    )


@login_required
@require_POST
def payment_account_decide(request: HttpRequest, pk: int) -> HttpResponse:
    require_payment_admin(request.user)
    account = sel.account_get_for_actor(actor=request.user, pk=pk)
    decision = request.POST.get("decision")

    def decide() -> None:
        if decision == "verify":
            account_svc.account_verify(actor=request.user, account=account, ip=client_ip(request))
        elif decision == "refuse":
            account_svc.account_refuse(
                actor=request.user, account=account, reason=request.POST.get("reason", ""), ip=client_ip(request)
            )
        else:
            raise ValidationError(_("请选择核验通过或不通过。"))

    done = _("收款账户已核验通过。") if decision == "verify" else _("已退回该收款账户。")
    return post_then_redirect(request, decide, done=done, to="vouchers:payment_accounts")


@login_required
def payment_acceptance(request: HttpRequest) -> HttpResponse:
    require_payment_admin(request.user)
    qs = sel.acceptance_for_actor(actor=request.user)
    return render(
        request,
        "vouchers/payments/acceptance.html",
        {
            "queue": qs.filter(status="submitted").order_by("submitted_at"),
            "recent": Capped(qs.exclude(status="submitted").order_by("-decided_at", "-pk"), 30),
        },
    )


@login_required
@require_POST
def payment_acceptance_decide(request: HttpRequest, pk: int) -> HttpResponse:
    require_payment_admin(request.user)
    report = sel.acceptance_get_for_actor(actor=request.user, pk=pk)
    decision = request.POST.get("decision")

    def decide() -> None:
        if decision not in ("approve", "refuse"):
            raise ValidationError(_("请选择验收通过或不通过。"))
        svc.acceptance_decide(
            actor=request.user,
            report=report,
            approve=decision == "approve",
            note=request.POST.get("note", ""),
            ip=client_ip(request),
        )

    return post_then_redirect(request, decide, done=_("验收审核已记录。"), to="vouchers:payment_acceptance")


# --- administrators: an award ---------------------------------------------------------------------


@login_required
def payment_award(request: HttpRequest, pk: int) -> HttpResponse:
    require_payment_admin(request.user)
    award = sel.payment_award_get_for_actor(actor=request.user, pk=pk)
    return render(
        request,
        "vouchers/payments/award.html",
        {
            "p": sel.award_payments(award),
            "award": award,
            "rows": range(1, SCHEDULE_ROWS + 1),
            "clawback_form": ClawbackForm(),
            "repayment_form": RepaymentForm(),
        },
    )


def _schedule_rows(post) -> list[dict]:
    rows = []
    for i in range(1, SCHEDULE_ROWS + 1):
        amount = (post.get(f"amount_{i}") or "").strip()
        if not amount:
            continue
        try:
            Decimal(amount.replace(",", ""))
        except InvalidOperation:
            raise ValidationError(_("第%(n)s期金额格式不正确。") % {"n": i}) from None
        rows.append(
            {
                "label": post.get(f"label_{i}", ""),
                "amount": amount,
                "condition": post.get(f"condition_{i}", ""),
                "requires_acceptance": bool(post.get(f"acceptance_{i}")),
            }
        )
    return rows


@login_required
@require_POST
def payment_award_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    require_payment_admin(request.user)
    award = sel.payment_award_get_for_actor(actor=request.user, pk=pk)
    return post_then_redirect(
        request,
        lambda: svc.award_schedule_set(
            actor=request.user, award=award, tranches=_schedule_rows(request.POST) or None, ip=client_ip(request)
        ),
        done=_("分期计划已设置。"),
        to="vouchers:payment_award",
        pk=award.pk,
    )


# The claw-back decision (payment_award_clawback) is reviews.views_clawback: it issues the 追回决定书.


@login_required
@require_POST
def payment_clawback_repayment(request: HttpRequest, pk: int) -> HttpResponse:
    require_payment_admin(request.user)
    clawback = sel.clawback_get_for_actor(actor=request.user, pk=pk)
    form = RepaymentForm(request.POST)

    def record() -> None:
        if not form.is_valid():
            raise ValidationError(
                [
                    f"{form.fields[k].label}：{e}" if k in form.fields else str(e)
                    for k, errs in form.errors.items()
                    for e in errs
                ]
            )
        clawback_svc.clawback_repayment_record(
            actor=request.user, clawback=clawback, ip=client_ip(request), **form.cleaned_data
        )

    return post_then_redirect(
        request, record, done=_("追回款到账已登记。"), to="vouchers:payment_award", pk=clawback.award_id
    )
