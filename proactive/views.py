"""Pages of proactive, Chinese first: the enterprise's 政策匹配 and 企业档案 (with contests), the bureau's
import of department data (and the matching run), and the contests to resolve."""

from __future__ import annotations

import datetime as dt
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from applications.selectors import enterprise_of, is_owner_of
from applications.view_access import member_required
from portal.audit import client_ip
from portal.pagination import page_of
from portal.permissions import is_reviewing_staff, may_import_enterprise_facts, may_run_auto_awards
from vouchers.selectors import programme_get, window_get_for_actor, windows_for_actor

from . import facts as F
from .matching import facts_of_enterprise, inputs_from_facts, matches_for_enterprise, programme_for_matching
from .models import Department, FactContest, MatchPreference
from .selectors import (
    auto_award_get_for_actor,
    auto_awards_for_actor,
    auto_batch_get_for_actor,
    auto_batches_for_actor,
    contest_get_for_actor,
    contests_for_actor,
    fact_get_for_actor,
    facts_for_actor,
    imports_for_actor,
)
from .services_auto import (
    auto_batch_notice_request,
    auto_batch_prepare,
    auto_batch_publish_request,
    auto_batch_publishing,
)
from .services_confirm import auto_award_confirm, auto_award_decline, verified_accounts
from .services_facts import fact_contest, fact_contest_resolve, facts_import
from .services_review import auto_batch_review_request, pending_review
from .tasks import matching_request, matching_run_task

MAX_UPLOAD = 20 * 1024 * 1024


def staff_required(predicate):
    """Signed-in staff for whom `predicate` holds (others: 403; anonymous: the login page)."""

    def decorate(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not predicate(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def _messages_of(error: ValidationError) -> list[str]:
    return list(error.messages)


@member_required
@require_http_methods(["GET", "POST"])
def matches(request: HttpRequest) -> HttpResponse:
    """政策匹配 the programmes open now and what the enterprise's facts say of each; the opt-out."""
    enterprise = enterprise_of(request.user)
    pref = MatchPreference.objects.filter(enterprise=enterprise).first()
    if request.method == "POST":
        if not is_owner_of(request.user, enterprise.pk):
            raise PermissionDenied
        notify = request.POST.get("notify") == "on"
        MatchPreference.objects.update_or_create(enterprise=enterprise, defaults={"notify": notify})
        messages.success(request, _("已开启政策匹配提醒。") if notify else _("已关闭政策匹配提醒。"))
        return redirect("proactive:matches")
    return render(
        request,
        "proactive/matches.html",
        {
            "enterprise": enterprise,
            "rows": matches_for_enterprise(enterprise),
            "notify": pref.notify if pref else True,
            "is_owner": is_owner_of(request.user, enterprise.pk),
        },
    )


@member_required
@require_http_methods(["GET"])
def estimate_prefill(request: HttpRequest, code: str) -> HttpResponse:
    """政策计算器 "use my enterprise's data": the calculator run on the inputs the enterprise's facts give
    (those no fact gives are left blank, and the calculator names them)."""
    programme = programme_get(code=code)
    enterprise = enterprise_of(request.user)
    known = facts_of_enterprise(enterprise.pk)
    inputs, _missing = inputs_from_facts(programme_for_matching(programme, timezone.localdate()), known)
    query = {"run": "1", **{k: ("true" if v is True else "false" if v is False else v) for k, v in inputs.items()}}
    return redirect(f"{reverse('vouchers:estimate', args=[programme.code])}?{urlencode(query)}")


@member_required
@require_http_methods(["GET", "POST"])
def enterprise_facts(request: HttpRequest) -> HttpResponse:
    """企业档案 the facts the departments delivered, with their source; the owner contests one."""
    enterprise = enterprise_of(request.user)
    errors: list[str] = []
    if request.method == "POST":
        fact = fact_get_for_actor(actor=request.user, pk=request.POST.get("fact"))
        try:
            fact_contest(
                actor=request.user,
                fact=fact,
                reason=request.POST.get("reason", ""),
                proposed_value=request.POST.get("proposed_value", ""),
                ip=client_ip(request),
            )
        except ValidationError as error:
            errors = _messages_of(error)
        else:
            messages.success(request, _("异议已提交，主管部门处理后将通知您。"))
            return redirect("proactive:enterprise_facts")
    rows = [
        {"fact": f, "label": F.FactKind(f.kind).label, "display": F.value_display(f.kind, f.value)}
        for f in facts_for_actor(actor=request.user)
    ]
    pending = set(
        contests_for_actor(actor=request.user).filter(state=FactContest.State.PENDING).values_list("fact_id", flat=True)
    )
    return render(
        request,
        "proactive/enterprise_facts.html",
        {
            "enterprise": enterprise,
            "rows": rows,
            "pending": pending,
            "errors": errors,
            "is_owner": is_owner_of(request.user, enterprise.pk),
            "contests": contests_for_actor(actor=request.user)[:20],
        },
        status=400 if errors else 200,
    )


@staff_required(may_import_enterprise_facts)
@require_http_methods(["GET", "POST"])
def imports(request: HttpRequest) -> HttpResponse:
    """部门数据导入 upload a department's file; 运行匹配 rerun matching now."""
    errors: list[str] = []
    if request.method == "POST" and request.POST.get("action") == "match":
        matching_run_task.delay("manual")
        messages.success(request, _("已开始政策匹配，完成后结果将显示在各企业的政策匹配页。"))
        return redirect("proactive:imports")
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            errors = [_("请选择要导入的文件。")]
        elif upload.size > MAX_UPLOAD:
            errors = [_("文件过大（最大 20 MB）。")]
        else:
            try:
                batch, new = facts_import(
                    actor=request.user,
                    data=upload.read(),
                    file_name=upload.name,
                    department=request.POST.get("department", ""),
                    source=request.POST.get("source", ""),
                    period=request.POST.get("period", ""),
                    on_commit=lambda: matching_request("facts"),
                )
            except ValidationError as error:
                errors = _messages_of(error)
            else:
                if new:
                    messages.success(
                        request,
                        _("导入完成：新增 %(c)d 项，变更 %(u)d 项，未变 %(n)d 项，未登记的代码 %(k)d 个。")
                        % {"c": batch.created, "u": batch.changed, "n": batch.unchanged, "k": batch.unknown},
                    )
                else:
                    messages.info(
                        request,
                        _("该文件已于 %(t)s 导入过，本次未作任何更改。")
                        % {"t": timezone.localtime(batch.created_at).strftime("%Y-%m-%d %H:%M")},
                    )
                return redirect("proactive:imports")
    return render(
        request,
        "proactive/imports.html",
        {
            "imports": imports_for_actor(actor=request.user)[:50],
            "departments": Department.choices,
            "errors": errors,
            "kinds": F.FactKind.choices,
            "posted": request.POST,
        },
        status=400 if errors else 200,
    )


@staff_required(is_reviewing_staff)
@require_http_methods(["GET", "POST"])
def contests(request: HttpRequest) -> HttpResponse:
    """档案异议 the enterprises' contests of their facts (their district's), to uphold or reject."""
    errors: list[str] = []
    if request.method == "POST":
        contest = contest_get_for_actor(actor=request.user, pk=request.POST.get("contest"))
        try:
            fact_contest_resolve(
                actor=request.user,
                contest=contest,
                uphold=request.POST.get("uphold") == "1",
                resolution=request.POST.get("resolution", ""),
                value=request.POST.get("value", ""),
                ip=client_ip(request),
                on_commit=lambda: matching_request("contest"),
            )
        except ValidationError as error:
            errors = _messages_of(error)
        else:
            messages.success(request, _("异议已处理。"))
            return redirect("proactive:contests")
    rows = contests_for_actor(actor=request.user)[:100]
    return render(
        request, "proactive/contests.html", {"contests": rows, "errors": errors}, status=400 if errors else 200
    )


def _auto_windows(actor):
    """The open or coming windows of the programmes flagged 免申即享, in the actor's district."""
    return [
        w
        for w in windows_for_actor(actor=actor).filter(closes_at__gt=timezone.now())
        if (w.programme.spec or {}).get("auto_award")
    ]


@staff_required(may_import_enterprise_facts)
@require_http_methods(["GET", "POST"])
def auto_batches(request: HttpRequest) -> HttpResponse:
    """免申即享 the bureau picks a window and a facts cut-off and sees the candidates."""
    errors: list[str] = []
    if request.method == "POST":
        window = window_get_for_actor(actor=request.user, pk=request.POST.get("window"))
        try:
            cutoff = timezone.make_aware(dt.datetime.fromisoformat(request.POST.get("facts_cutoff", "")))
        except ValueError:
            errors = [_("请填写数据截止时间。")]
        else:
            try:
                batch = auto_batch_prepare(
                    actor=request.user,
                    window=window,
                    facts_cutoff=cutoff,
                    confirm_workdays=int(request.POST.get("confirm_workdays") or 10),
                    ip=client_ip(request),
                )
            except (ValidationError, ValueError) as error:
                errors = _messages_of(error) if isinstance(error, ValidationError) else [_("请填写数据截止时间。")]
            else:
                return redirect("proactive:auto_batch", pk=batch.pk)
    return render(
        request,
        "proactive/auto_batches.html",
        {
            "batches": auto_batches_for_actor(actor=request.user)[:50],
            "windows": _auto_windows(request.user),
            "errors": errors,
            "now": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
        status=400 if errors else 200,
    )


CANDIDATES_PER_PAGE = 100


def _auto_batch_page(request: HttpRequest, batch, errors: list[str] | None = None) -> HttpResponse:
    candidates = batch.candidates.select_related("enterprise", "application").order_by("pk")
    return render(
        request,
        "proactive/auto_batch.html",
        {
            "batch": batch,
            "candidates": page_of(request, candidates, CANDIDATES_PER_PAGE),  # thousands in a big batch
            "sample": list(candidates.filter(in_sample=True)),  # not every candidate of a batch of thousands
            "note": (batch.programme.spec or {}).get("auto_award_note", ""),
            "errors": errors or [],
            "publishing": auto_batch_publishing(batch.pk),
            "pending_review": pending_review(batch.pk).count(),
        },
        status=400 if errors else 200,
    )


@staff_required(may_run_auto_awards)
@require_http_methods(["GET"])
def auto_batch(request: HttpRequest, pk: int) -> HttpResponse:
    """The candidates, the budget effect and the sample; once published each candidate's application,
    its state and the enterprise's confirmation."""
    return _auto_batch_page(request, auto_batch_get_for_actor(actor=request.user, pk=pk))


@staff_required(may_run_auto_awards)
@require_http_methods(["POST"])
def auto_batch_publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    """发布 file the applications and propose the money decision of the batch (four-eyes chain)."""
    batch = auto_batch_get_for_actor(actor=request.user, pk=pk)
    try:
        results = auto_batch_publish_request(
            actor=request.user,
            batch=batch,
            mode=request.POST.get("mode", ""),
            comment=request.POST.get("comment", ""),
            ip=client_ip(request),
        )
    except ValidationError as error:
        return _auto_batch_page(request, batch, _messages_of(error))
    if results is None:  # a big batch: published in the background, the page shows the progress
        messages.info(request, _("名单较大，已转入后台生成申报，本页显示进度。"))
        return redirect("proactive:auto_batch", pk=batch.pk)
    done = sum(r.ok for r in results)
    messages.success(
        request, _("已生成 %(n)d 件免申即享申报，其中 %(ok)d 件已拟办，待审批。") % {"n": len(results), "ok": done}
    )
    for r in results:
        if not r.ok:
            messages.warning(request, f"{r.reference}：{r.message}")
    return redirect("proactive:auto_batch", pk=batch.pk)


@staff_required(may_run_auto_awards)
@require_http_methods(["POST"])
def auto_batch_review_view(request: HttpRequest, pk: int) -> HttpResponse:
    """整批复核 the second administrator approves every pending money decision of the batch at once."""
    batch = auto_batch_get_for_actor(actor=request.user, pk=pk)
    try:
        results = auto_batch_review_request(
            actor=request.user, batch=batch, comment=request.POST.get("comment", ""), ip=client_ip(request)
        )
    except ValidationError as error:
        return _auto_batch_page(request, batch, _messages_of(error))
    if results is None:  # a big batch: approved in the background, the page shows the progress
        messages.info(request, _("名单较大，已转入后台复核，本页显示进度。"))
        return redirect("proactive:auto_batch", pk=batch.pk)
    messages.success(
        request, _("已复核 %(ok)d 件，共 %(n)d 件。") % {"ok": sum(r.ok for r in results), "n": len(results)}
    )
    for r in results:
        if not r.ok:
            messages.warning(request, f"{r.reference}：{r.message}")
    return redirect("proactive:auto_batch", pk=batch.pk)


@staff_required(may_run_auto_awards)
@require_http_methods(["POST"])
def auto_batch_notice_view(request: HttpRequest, pk: int) -> HttpResponse:
    """公示 the batch's approved awards; the enterprises' confirmation period starts."""
    batch = auto_batch_get_for_actor(actor=request.user, pk=pk)
    try:
        notice = auto_batch_notice_request(actor=request.user, batch=batch, ip=client_ip(request))
    except ValidationError as error:
        return _auto_batch_page(request, batch, _messages_of(error))
    if notice is None:  # a big batch: listed in the background, the page shows the progress
        messages.info(request, _("名单较大，已转入后台发布公示，本页显示进度。"))
        return redirect("proactive:auto_batch", pk=batch.pk)
    messages.success(request, _("已发布公示“%(t)s”，并通知企业确认领取。") % {"t": notice.title})
    return redirect("proactive:auto_batch", pk=batch.pk)


@member_required
@require_http_methods(["GET", "POST"])
def auto_awards(request: HttpRequest) -> HttpResponse:
    """免申即享 the enterprise's listed awards: confirm in one step (收款账户 and declaration) or decline."""
    enterprise = enterprise_of(request.user)
    errors: list[str] = []
    if request.method == "POST":
        candidate = auto_award_get_for_actor(actor=request.user, pk=request.POST.get("award"))
        try:
            if request.POST.get("action") == "decline":
                auto_award_decline(
                    actor=request.user,
                    candidate=candidate,
                    reason=request.POST.get("reason", ""),
                    ip=client_ip(request),
                )
                messages.info(request, _("已放弃该免申即享奖励，预留资金已释放。"))
            else:
                auto_award_confirm(
                    actor=request.user,
                    candidate=candidate,
                    account=request.POST.get("account"),
                    declaration=request.POST.get("declaration") == "on",
                    ip=client_ip(request),
                )
                messages.success(request, _("已确认领取。公示期满无异议后核定生效，并出具核定通知。"))
        except ValidationError as error:
            errors = _messages_of(error)
        else:
            return redirect("proactive:auto_awards")
    return render(
        request,
        "proactive/auto_awards.html",
        {
            "enterprise": enterprise,
            "awards": auto_awards_for_actor(actor=request.user),
            "accounts": verified_accounts(enterprise.pk),
            "errors": errors,
        },
        status=400 if errors else 200,
    )
