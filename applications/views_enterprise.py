"""The enterprise space 企业空间: registering, the profile, members and invitations."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.audit import client_ip
from portal.flash import flash_refusal

from . import membership
from .forms import (
    EnterpriseProfileForm,
    EnterpriseRegisterForm,
    InviteForm,
    add_service_errors,
)
from .models import EnterpriseMember
from .selectors import (
    enterprise_of,
    enterprise_people,
)
from .selectors_verification import enterprise_verification_state, fact_rows
from .services import (
    enterprise_register,
)
from .view_access import enterprise_user, member_required, posted_data


@enterprise_user
def enterprise_register_view(request: HttpRequest) -> HttpResponse:
    if enterprise_of(request.user) is not None:
        return redirect("applications:enterprise")
    form = EnterpriseRegisterForm(posted_data(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            enterprise_register(actor=request.user, credit_code=data.pop("credit_code"), ip=client_ip(request), **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "企业信息已登记，营业执照已提交主管部门实名核验。核验通过前可以填写申报和测算，"
                    "核验通过后即可提交申报。"
                ),
            )
            return redirect("applications:dashboard")
    return render(request, "applications/enterprise_register.html", {"form": form}, status=400 if form.errors else 200)


def _verification_context(enterprise) -> dict:
    state = enterprise_verification_state(enterprise)
    return {
        "facts": fact_rows(enterprise),
        "pending_claim": state["pending_claim"],
        "refused_claim": state["refused_claim"],
        "pending_fact_change": state["pending_fact_change"],
    }


@member_required
def enterprise_detail(request: HttpRequest) -> HttpResponse:
    enterprise = enterprise_of(request.user)
    is_owner = request.user.membership.member_role == EnterpriseMember.MemberRole.OWNER
    return render(
        request,
        "applications/enterprise_detail.html",
        {
            "enterprise": enterprise,
            "is_owner": is_owner,
            "invite_form": InviteForm(),
            **enterprise_people(enterprise),
            **_verification_context(enterprise),
        },
    )


@member_required
def enterprise_edit(request: HttpRequest) -> HttpResponse:
    enterprise = enterprise_of(request.user)
    form = EnterpriseProfileForm(posted_data(request), request.FILES or None, instance=enterprise)
    if request.method == "POST":
        if form.is_valid():
            fields = {k: form.cleaned_data[k] for k in form.fields if k not in ("evidence", "change_note")}
            evidence = [form.cleaned_data["evidence"]] if form.cleaned_data.get("evidence") else []
            try:
                done = membership.enterprise_update(
                    actor=request.user,
                    enterprise=enterprise,
                    ip=client_ip(request),
                    evidence=evidence,
                    change_note=form.cleaned_data["change_note"],
                    **fields,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("认定事实的变更已提交主管部门核验，核验通过后生效；其他信息已更新。")
                    if done.fact_change
                    else _("企业信息已更新。"),
                )
                return redirect("applications:enterprise")
    elif request.user.membership.member_role != EnterpriseMember.MemberRole.OWNER:
        raise PermissionDenied(_("只有本企业的法人/负责人可以修改企业信息。"))
    return render(
        request,
        "applications/enterprise_edit.html",
        {"form": form, "enterprise": enterprise},
        status=400 if form.errors else 200,
    )


@member_required
@require_POST
def enterprise_invite(request: HttpRequest) -> HttpResponse:
    enterprise = enterprise_of(request.user)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            membership.invitation_create(
                actor=request.user, enterprise=enterprise, email=form.cleaned_data["email"], ip=client_ip(request)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("邀请邮件已发送至 %(e)s，7天内有效。") % {"e": form.cleaned_data["email"]})
            return redirect("applications:enterprise")
    return render(
        request,
        "applications/enterprise_detail.html",
        {
            "enterprise": enterprise,
            "is_owner": True,
            "invite_form": form,
            **enterprise_people(enterprise),
            **_verification_context(enterprise),
        },
        status=400,
    )


@member_required
@require_POST
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        membership.invitation_revoke(
            actor=request.user, enterprise=enterprise_of(request.user), invitation_id=pk, ip=client_ip(request)
        )
        messages.success(request, _("邀请已撤销。"))
    except ValidationError as error:
        flash_refusal(request, error)
    return redirect("applications:enterprise")


@member_required
@require_POST
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        membership.member_remove(
            actor=request.user, enterprise=enterprise_of(request.user), member_id=pk, ip=client_ip(request)
        )
        messages.success(request, _("经办人已移除。"))
    except ValidationError as error:
        flash_refusal(request, error)
    return redirect("applications:enterprise")


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mailed link: anonymous visitors are asked to sign in or register with the invited address."""
    invitation = membership.invitation_for_token(token)
    valid = invitation is not None and invitation.is_pending
    context = {
        "invitation": invitation if valid else None,
        "token": token,
        "login_url": f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}",
    }
    if request.method == "POST" and request.user.is_authenticated:
        try:
            membership.invitation_accept(actor=request.user, token=token, ip=client_ip(request))
        except (ValidationError, PermissionDenied) as error:
            flash_refusal(request, error)
            return render(request, "applications/invitation_accept.html", context, status=400)
        messages.success(request, _("您已加入“%(e)s”，可以开始办理申报。") % {"e": invitation.enterprise.name})
        return redirect("applications:dashboard")
    return render(request, "applications/invitation_accept.html", context, status=200 if valid else 404)
