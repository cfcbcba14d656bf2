"""Voucher pages: the enterprise's vouchers (confirm or dispute a redemption), the provider's
redemption desk, and for administrators the provider catalogue and the quarterly settlement."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.audit import client_ip
from portal.exports import csv_writer
from portal.pagination import page_of
from portal.permissions import require_bureau_admin

from .forms_redemption import DisputeForm, MemberLinkForm, ProviderForm, RedeemForm, RelationForm, SettlementForm
from .models import ProviderMember, ProviderRelation, Voucher
from .redemption_selectors import (
    provider_get_for_admin,
    provider_of,
    providers_for_admin,
    quarter_of,
    redemption_get_for_actor,
    redemptions_for_actor,
    settlement_for_quarter,
    voucher_get_for_actor,
    vouchers_for_actor,
)
from .services import redemption as svc


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errs in exc.message_dict.items():
            form.add_error(None if name == "__all__" or name not in form.fields else name, errs)
    else:
        form.add_error(None, exc.messages)


# ----------------------------------------------------------------- enterprise and bureau


@login_required
def voucher_list(request: HttpRequest) -> HttpResponse:
    qs = vouchers_for_actor(actor=request.user)
    status = request.GET.get("status", "")
    if status in Voucher.Status.values:
        qs = qs.filter(status=status)
    if q := request.GET.get("q", "").strip():
        qs = qs.filter(Q(code__icontains=q) | Q(enterprise__name__icontains=q) | Q(enterprise__credit_code=q.upper()))
    totals = qs.aggregate(face=Sum("face_value"), balance=Sum("balance"), released=Sum("released_amount"))
    page = page_of(request, qs.order_by("-issued_on", "-id"), 100)
    return render(
        request,
        "vouchers/redemption/voucher_list.html",
        {
            "vouchers": page.object_list,
            "page": page,
            "totals": totals,
            "status": status,
            "q": q,
            "statuses": Voucher.Status.choices,
            "is_bureau": request.user.is_staff_role,
        },
    )


@login_required
def voucher_detail(request: HttpRequest, pk: int) -> HttpResponse:
    voucher = voucher_get_for_actor(actor=request.user, pk=pk)
    membership = getattr(request.user, "membership", None)
    is_holder = membership is not None and membership.enterprise_id == voucher.enterprise_id
    return render(
        request,
        "vouchers/redemption/voucher_detail.html",
        {
            "voucher": voucher,
            "redemptions": voucher.redemptions.select_related("provider").order_by("-created_at"),
            "is_holder": is_holder,
            "dispute_form": DisputeForm(),
            "redeemed": voucher.face_value - voucher.balance - voucher.released_amount,
        },
    )


@login_required
@require_POST
def redemption_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    redemption = redemption_get_for_actor(actor=request.user, pk=pk)
    try:
        svc.redemption_confirm(actor=request.user, redemption=redemption, ip=client_ip(request))
        messages.success(request, _("已确认该笔核销。"))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("vouchers:voucher_detail", pk=redemption.voucher_id)


@login_required
@require_POST
def redemption_dispute(request: HttpRequest, pk: int) -> HttpResponse:
    redemption = redemption_get_for_actor(actor=request.user, pk=pk)
    form = DisputeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请说明异议理由。"))
        return redirect("vouchers:voucher_detail", pk=redemption.voucher_id)
    try:
        svc.redemption_dispute(
            actor=request.user, redemption=redemption, reason=form.cleaned_data["reason"], ip=client_ip(request)
        )
        messages.success(request, _("已提出异议，该笔核销作废，金额已退回算力券。"))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("vouchers:voucher_detail", pk=redemption.voucher_id)


@login_required
def redemption_invoice(request: HttpRequest, pk: int) -> FileResponse:
    redemption = redemption_get_for_actor(actor=request.user, pk=pk)
    if not redemption.invoice_file:
        raise Http404
    return FileResponse(
        redemption.invoice_file.open("rb"),
        as_attachment=True,
        filename=redemption.original_name,
        content_type=redemption.content_type,
    )


# ----------------------------------------------------------------- provider


@login_required
def provider_home(request: HttpRequest) -> HttpResponse:
    """核销 the provider's desk: redeem a voucher against an invoice, and its redemptions so far."""
    provider = provider_of(request.user)
    if provider is None:
        raise PermissionDenied(_("只有已登记的算力服务商用户可以使用核销功能。"))
    # scanned from the holder's QR code (templatetags.voucher_qr): the voucher and holder filled in
    initial = {
        "voucher_code": request.GET.get("voucher", "")[:30],
        "holder_credit_code": request.GET.get("holder", "")[:30],
    }
    form = RedeemForm(request.POST if request.method == "POST" else None, request.FILES or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                redemption = svc.redemption_create(
                    actor=request.user,
                    voucher_code=d["voucher_code"],
                    holder_credit_code=d["holder_credit_code"],
                    invoice_number=d["invoice_number"],
                    invoice_date=d["invoice_date"],
                    amount=d["amount"],
                    invoice_file=d["invoice_file"],
                    ip=client_ip(request),
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("核销成功：%(code)s 核销 %(amount)s 元，待持券企业确认。")
                    % {"code": redemption.voucher.code, "amount": f"{redemption.amount:,}"},
                )
                return redirect("vouchers:provider_home")
        status = 400
    page = page_of(request, redemptions_for_actor(actor=request.user).order_by("-created_at", "-id"), 100)
    return render(
        request,
        "vouchers/redemption/provider_home.html",
        {
            "provider": provider,
            "form": form,
            "redemptions": page.object_list,
            "page": page,
            "in_catalogue": provider.in_catalogue_on(timezone.localdate()),
        },
        status=status,
    )


# ----------------------------------------------------------------- administrators: providers


@login_required
def providers(request: HttpRequest) -> HttpResponse:
    require_bureau_admin(request.user)
    form = ProviderForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            provider = svc.provider_save(actor=request.user, ip=client_ip(request), **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("已将 %(n)s 加入服务商目录。") % {"n": provider.name})
            return redirect("vouchers:provider_admin", pk=provider.pk)
    today = timezone.localdate()
    rows = [(p, p.in_catalogue_on(today)) for p in providers_for_admin(actor=request.user).order_by("name")]
    return render(
        request, "vouchers/redemption/providers.html", {"rows": rows, "form": form}, status=400 if form.errors else 200
    )


@login_required
def provider_admin(request: HttpRequest, pk: int) -> HttpResponse:
    require_bureau_admin(request.user)
    provider = provider_get_for_admin(actor=request.user, pk=pk)
    form = ProviderForm(request.POST if request.method == "POST" else None, instance=provider)
    if request.method == "POST" and form.is_valid():
        try:
            svc.provider_save(actor=request.user, provider=provider, ip=client_ip(request), **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("服务商信息已保存。"))
            return redirect("vouchers:provider_admin", pk=provider.pk)
    provider.refresh_from_db()
    return render(
        request,
        "vouchers/redemption/provider_detail.html",
        {
            "provider": provider,
            "form": form,
            "member_form": MemberLinkForm(),
            "relation_form": RelationForm(),
            "members": provider.members.select_related("user"),
            "relations": provider.relations.select_related("enterprise"),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def provider_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    require_bureau_admin(request.user)
    provider = provider_get_for_admin(actor=request.user, pk=pk)
    form = MemberLinkForm(request.POST)
    if form.is_valid():
        user = get_user_model().objects.filter(email__iexact=form.cleaned_data["email"]).first()
        try:
            if user is None:
                raise ValidationError({"email": _("没有该邮箱的用户。")})
            svc.provider_member_link(actor=request.user, provider=provider, user=user, ip=client_ip(request))
            messages.success(request, _("已关联用户 %(e)s。") % {"e": user.email})
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
    else:
        messages.error(request, _("请输入有效的邮箱。"))
    return redirect("vouchers:provider_admin", pk=provider.pk)


@login_required
@require_POST
def provider_member_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    require_bureau_admin(request.user)
    provider = provider_get_for_admin(actor=request.user, pk=pk)
    member = ProviderMember.objects.filter(provider=provider, pk=member_pk).first()
    if member is None:
        raise Http404
    svc.provider_member_unlink(actor=request.user, member=member, ip=client_ip(request))
    messages.success(request, _("已解除关联。"))
    return redirect("vouchers:provider_admin", pk=provider.pk)


@login_required
@require_POST
def provider_relation_add(request: HttpRequest, pk: int) -> HttpResponse:
    require_bureau_admin(request.user)
    provider = provider_get_for_admin(actor=request.user, pk=pk)
    form = RelationForm(request.POST)
    if form.is_valid():
        try:
            svc.provider_relation_declare(
                actor=request.user, provider=provider, ip=client_ip(request), **form.cleaned_data
            )
            messages.success(request, _("已登记关联关系。"))
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
    else:
        messages.error(request, _("请填写关联企业的统一社会信用代码和关联类型。"))
    return redirect("vouchers:provider_admin", pk=provider.pk)


@login_required
@require_POST
def provider_relation_remove(request: HttpRequest, pk: int, relation_pk: int) -> HttpResponse:
    require_bureau_admin(request.user)
    provider = provider_get_for_admin(actor=request.user, pk=pk)
    relation = ProviderRelation.objects.filter(provider=provider, pk=relation_pk).first()
    if relation is None:
        raise Http404
    svc.provider_relation_remove(actor=request.user, relation=relation, ip=client_ip(request))
    messages.success(request, _("已删除关联关系。"))
    return redirect("vouchers:provider_admin", pk=provider.pk)


# ----------------------------------------------------------------- administrators: settlement

CSV_HEADER = ["服务商", "统一社会信用代码", "季度", "已确认笔数", "已确认金额（元）", "待确认笔数", "待确认金额（元）"]
CSV_DETAIL = ["服务商", "统一社会信用代码", "券码", "持券企业", "发票号码", "开票日期", "核销金额（元）", "确认时间"]


@login_required
def settlement(request: HttpRequest) -> HttpResponse:
    """结算 redeemed amounts per provider per quarter (page, CSV summary, CSV detail)."""
    require_bureau_admin(request.user)
    year, quarter = quarter_of(timezone.localdate())
    form = SettlementForm(request.GET or None, initial={"year": year, "quarter": quarter})
    if request.GET and form.is_valid():
        year, quarter = form.cleaned_data["year"], form.cleaned_data["quarter"]
    rows = settlement_for_quarter(actor=request.user, year=year, quarter=quarter)
    label = f"{year}Q{quarter}"
    fmt = request.GET.get("format")
    if fmt in ("csv", "detail"):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        suffix = "-detail" if fmt == "detail" else ""
        response["Content-Disposition"] = f'attachment; filename="settlement-{label}{suffix}.csv"'
        response.write("\ufeff")  # Excel opens UTF-8 CSV with the BOM
        writer = csv_writer(response)  # names never read as formulas (portal.exports)
        if fmt == "csv":
            writer.writerow(CSV_HEADER)
            for r in rows:
                writer.writerow(
                    [
                        r.provider.name,
                        r.provider.credit_code,
                        label,
                        r.confirmed_count,
                        r.confirmed_amount,
                        r.pending_count,
                        r.pending_amount,
                    ]
                )
        else:
            writer.writerow(CSV_DETAIL)
            for r in rows:
                for x in r.redemptions:
                    writer.writerow(
                        [
                            r.provider.name,
                            r.provider.credit_code,
                            x.voucher.code,
                            x.voucher.enterprise.name,
                            x.invoice_number,
                            x.invoice_date,
                            x.amount,
                            timezone.localtime(x.responded_at).strftime("%Y-%m-%d %H:%M"),
                        ]
                    )
        return response
    total = sum((r.confirmed_amount for r in rows), start=Decimal("0.00"))
    return render(
        request,
        "vouchers/redemption/settlement.html",
        {
            "form": form,
            "rows": rows,
            "year": year,
            "quarter": quarter,
            "label": label,
            "total": total,
        },
    )
