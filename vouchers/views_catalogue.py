"""The public catalogue (政策与项目): policies, programmes, the policy calculator (政策计算器); and
the administrators' pages that change a parameter from a date or open an application window."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import client_ip
from portal.permissions import in_district, require_district
from portal.throttles import allowed

from . import calculator
from .display import (
    DISTRICT_LABELS,
    REVIEW_STEPS,
    awarded_programme_codes,
    capped_by_label,
    eligibility_hint,
    formula_in_words,
    industry_names,
    input_label,
    input_unit,
    param_label,
    param_text,
    parameter_rows,
    text_provenance,
    wan_exact,
)
from .forms import CatalogueFilterForm, EstimateForm, ParameterSetForm, WindowOpenForm
from .models import ApplicationWindow, Policy, Programme
from .selectors import (
    estimate_for,
    parameters_in_force,
    prior_awards,
    programme_get,
    programme_spec,
    programmes_list,
    window_open_for,
)
from .services.catalogue import parameter_set, window_open
from .throttles import EstimateThrottle


def _member_enterprise(user):
    """The enterprise a signed-in enterprise member acts for, else None (vouchers does not import
    applications: the membership is reached through the user)."""
    if not getattr(user, "is_authenticated", False):
        return None
    membership = getattr(user, "membership", None)
    return membership.enterprise if membership is not None else None


def _apply_url(programme: Programme) -> str:
    """The applicant's 在线申报 page of the programme, when the applications app provides it."""
    try:
        return reverse("applications:create", args=[programme.code])
    except NoReverseMatch:
        return ""


def catalogue_index(request: HttpRequest) -> HttpResponse:
    form = CatalogueFilterForm(request.GET or None)
    kind = policy = ""
    if form.is_bound and form.is_valid():
        kind, policy = form.cleaned_data["kind"], form.cleaned_data["policy"]
    programmes = list(programmes_list(kind=kind, policy=policy))
    now = timezone.now()
    open_ids = set(
        ApplicationWindow.objects.filter(opens_at__lte=now, closes_at__gt=now).values_list("programme_id", flat=True)
    )
    enterprise = _member_enterprise(request.user)
    awarded = awarded_programme_codes(enterprise)
    rows = [
        {
            "programme": p,
            "window_open": p.pk in open_ids,
            "hint": eligibility_hint(programme=p, enterprise=enterprise, awarded=awarded) if enterprise else None,
        }
        for p in programmes
    ]
    policies = Policy.objects.order_by("code")
    kinds = [{"value": "", "label": _("全部"), "active": not kind}] + [
        {"value": value, "label": label, "active": kind == value} for value, label in Programme.Kind.choices
    ]
    return render(
        request,
        "vouchers/catalogue/index.html",
        {
            "form": form,
            "rows": rows,
            "policies": policies,
            "kinds": kinds,
            "kind": kind,
            "policy_code": policy,
            "enterprise": enterprise,
            "total": Programme.objects.count(),
        },
    )


def policy_detail(request: HttpRequest, code: str) -> HttpResponse:
    policy = get_object_or_404(Policy, code=code)
    return render(
        request,
        "vouchers/catalogue/policy.html",
        {
            "policy": policy,
            "programmes": programmes_list(policy=policy.code),
            "district_label": DISTRICT_LABELS.get(policy.district, policy.district),
            "provenance": text_provenance(policy.full_text_source),
        },
    )


def programme_detail(request: HttpRequest, code: str) -> HttpResponse:
    programme = programme_get(code=code)
    today = timezone.localdate()
    rows, scheduled = parameter_rows(programme=programme, on=today)
    params = parameters_in_force(programme=programme, on=today)
    enterprise = _member_enterprise(request.user)
    hint = (
        eligibility_hint(programme=programme, enterprise=enterprise, awarded=awarded_programme_codes(enterprise))
        if enterprise
        else None
    )
    spec = programme.spec or {}
    inputs = [
        {
            "label": input_label(m),
            "unit": input_unit(m),
            "help": m.get("help_zh", ""),
            "must_be": m.get("must_be") is True,
        }
        for m in programme.inputs
    ]
    open_window = window_open_for(programme=programme)
    return render(
        request,
        "vouchers/catalogue/programme.html",
        {
            "programme": programme,
            "policy": programme.policy,
            "today": today,
            "rows": [r for r in rows if not r.is_cap],
            "caps": [r for r in rows if r.is_cap],
            "scheduled": scheduled,
            # the clause is shown in official text; where it differs, the seed's wording beside it
            "provenance": text_provenance(programme.policy.full_text_source),
            "clause_source": programme.clause_source if programme.clause_source != programme.clause_text else "",
            "formula_text": formula_in_words(programme, params),
            "inputs": inputs,
            "industries": industry_names(spec),
            "requires_above_scale": bool(spec.get("requires_above_scale")),
            "once_per_project": bool(spec.get("once_per_project")),
            "district_label": DISTRICT_LABELS.get(programme.policy.district, programme.policy.district),
            "review_steps": REVIEW_STEPS.get(programme.review_path, []),
            "windows": programme.windows.filter(closes_at__gt=timezone.now()).order_by("opens_at"),
            "open_window": open_window,
            # th2024 is a draft: its programmes take applications only in an open window.
            "apply_url": _apply_url(programme)
            if open_window or programme.policy.status == Policy.Status.IN_FORCE
            else "",
            "enterprise": enterprise,
            "hint": hint,
            "can_manage": getattr(request.user, "is_bureau_admin", False)
            and in_district(request.user, programme.policy.district),
        },
    )


def programme_estimate(request: HttpRequest, code: str) -> HttpResponse:
    """政策计算器: a GET form (an estimate changes nothing, so it can be bookmarked and shared)."""
    programme = programme_get(code=code)
    form = EstimateForm(request.GET if "run" in request.GET else None, programme=programme)
    enterprise = _member_enterprise(request.user)
    result = None
    remaining: list[tuple[str, Decimal]] = []
    status = 200
    if form.is_bound and not allowed(EstimateThrottle, request):  # counted with the API, per address
        messages.error(request, _("测算过于频繁，请稍后再试。"))
        status = 429
    elif form.is_bound:
        valid = form.is_valid()
        on = form.cleaned_data.get("date") or timezone.localdate()
        try:
            # Run even when a field failed the form's own checks, so every bad field is named at once.
            est = estimate_for(programme=programme, inputs=form.estimate_inputs(), on=on, enterprise=enterprise)
        except calculator.InputError as exc:
            form.add_input_errors({k: v for k, v in exc.errors.items() if k not in form.errors})
        else:
            if valid:
                result = {
                    "estimate": est,
                    "capped_by_label": capped_by_label(est.capped_by),
                    "amount_wan": wan_exact(est.amount),
                    "lines": [
                        {
                            "label": calculator.LINE_LABELS.get(ln.line, ln.line),
                            "amount": ln.amount,
                            "capped_by": capped_by_label(ln.capped_by),
                        }
                        for ln in est.lines
                    ],
                    "parameters": [(param_label(k), param_text(k, v)) for k, v in est.parameters.items()],
                }
                if enterprise is not None:
                    caps = calculator.remaining_caps(
                        spec=programme_spec(programme),
                        params=parameters_in_force(programme=programme, on=on),
                        on=on,
                        prior=prior_awards(programme=programme, enterprise_ids=[enterprise.pk]),
                    )
                    remaining = [(capped_by_label(k), v) for k, v in caps.items()]
        if form.errors:
            status = 400
    return render(
        request,
        "vouchers/catalogue/estimate.html",
        {
            "programme": programme,
            "policy": programme.policy,
            "form": form,
            "result": result,
            "enterprise": enterprise,
            "remaining": remaining,
        },
        status=status,
    )


def _require_bureau_admin(user, programme=None) -> None:
    """Administrators of the programme's district (its policy's) maintain its parameters and windows."""
    if not getattr(user, "is_bureau_admin", False):
        raise PermissionDenied(_("只有管理员可以维护政策参数和申报批次。"))
    if programme is not None:
        require_district(user, programme.policy.district)


def _put_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errs in error.message_dict.items():
            for message in errs:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


@login_required
def parameter_change(request: HttpRequest, code: str) -> HttpResponse:
    """管理员调整政策参数: through parameter_set (audited); earlier dates keep their values."""
    _require_bureau_admin(request.user)
    programme = programme_get(code=code)
    _require_bureau_admin(request.user, programme)
    form = ParameterSetForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            row = parameter_set(actor=request.user, programme=programme, ip=client_ip(request), **form.cleaned_data)
        except ValidationError as exc:
            _put_errors(form, exc)
        else:
            messages.success(
                request,
                _("已设置 %(label)s 自 %(date)s 起为 %(value)s。")
                % {"label": param_label(row.name), "date": row.effective_from.isoformat(), "value": row.value},
            )
            return redirect("vouchers:programme", code=programme.code)
    rows, scheduled = parameter_rows(programme=programme, on=timezone.localdate())
    return render(
        request,
        "vouchers/catalogue/manage_parameter.html",
        {"programme": programme, "form": form, "rows": rows, "scheduled": scheduled},
        status=400 if form.errors else 200,
    )


@login_required
def window_add(request: HttpRequest, code: str) -> HttpResponse:
    """管理员开放申报批次: through window_open (audited)."""
    _require_bureau_admin(request.user)
    programme = programme_get(code=code)
    _require_bureau_admin(request.user, programme)
    form = WindowOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            window = window_open(actor=request.user, programme=programme, **form.cleaned_data)
        except ValidationError as exc:
            _put_errors(form, exc)
        else:
            messages.success(request, _("已开放申报批次“%(name)s”。") % {"name": window.name})
            return redirect("vouchers:programme", code=programme.code)
    return render(
        request,
        "vouchers/catalogue/manage_window.html",
        {"programme": programme, "form": form, "windows": programme.windows.order_by("-opens_at")},
        status=400 if form.errors else 200,
    )
