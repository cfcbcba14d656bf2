"""Letter pages: the actor's letters, the permission-checked download, the administrators' batch
generation, zip download and revocation, and the public verification page (/verify/<code>/)."""

from __future__ import annotations

import tempfile
import zipfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.audit import audit_record, client_ip
from portal.exports import archive_name
from portal.pagination import page_of
from reviews.models import Letter

from . import services
from .forms import HashCheckForm, LetterFilterForm, RevokeForm, VerifyCodeForm
from .selectors import BUREAU, letter_for_code, letter_get_for_actor, letter_hash_check, letters_for_actor

PAGE = 50  # letters a page


@login_required
def letter_list(request: HttpRequest) -> HttpResponse:
    qs = letters_for_actor(actor=request.user)
    form = LetterFilterForm(request.GET or None)
    if form.is_valid():
        if form.cleaned_data["kind"]:
            qs = qs.filter(kind=form.cleaned_data["kind"])
        if form.cleaned_data["status"]:
            qs = qs.filter(status=form.cleaned_data["status"])
        if q := form.cleaned_data["q"].strip():
            qs = qs.filter(
                Q(number__icontains=q)
                | Q(addressee_name__icontains=q)
                | Q(application__reference__icontains=q)
                | Q(preapproval__reference__icontains=q)
            )
    # only what the rows show (not each application's data and its programme's catalogue entry)
    shown = (
        qs.select_related(None)
        .select_related("application", "preapproval")
        .only(
            "id",
            "number",
            "kind",
            "status",
            "addressee_name",
            "amount",
            "issued_on",
            "code",
            "sha256",
            "last_error",
            "revoked_at",
            "application__id",
            "application__reference",
            "preapproval__id",
            "preapproval__reference",
        )
    )
    # a page at a time (the district's letters grow by tens of thousands a year), newest first
    page = page_of(request, shown.order_by("-issued_on", "-id"), PAGE)
    waiting = (
        letters_for_actor(actor=request.user)
        .filter(status__in=(Letter.Status.PENDING, Letter.Status.FAILED))  # the status index: a few rows
        .order_by()
        .aggregate(
            pending=Count("id", filter=Q(status=Letter.Status.PENDING)),
            failed=Count("id", filter=Q(status=Letter.Status.FAILED)),
        )
    )
    return render(
        request,
        "letters/list.html",
        {
            "letters": page.object_list,
            "page": page,
            "form": form,
            "is_admin": request.user.is_bureau_admin,
            "is_bureau": request.user.role in BUREAU,
            "pending": waiting["pending"],
            "failed": waiting["failed"],
        },
    )


@login_required
def letter_download(request: HttpRequest, pk: int) -> FileResponse:
    letter = letter_get_for_actor(actor=request.user, pk=pk)
    if not letter.sha256 or not letter.pdf:
        raise Http404(_("文书正在生成，请稍后再试。"))
    response = FileResponse(
        letter.pdf.open("rb"), as_attachment=True, filename=letter.file_name, content_type="application/pdf"
    )
    response["X-Content-SHA256"] = letter.sha256
    return response


@login_required
@require_POST
def letter_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    letter = letter_get_for_actor(actor=request.user, pk=pk)
    if not request.user.is_bureau_admin:
        raise PermissionDenied(_("仅主管部门管理员可以撤销文书。"))
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            services.letter_revoke(
                actor=request.user, letter=letter, reason=form.cleaned_data["reason"], ip=client_ip(request)
            )
            messages.success(request, _("文书 %(n)s 已撤销。") % {"n": letter.number})
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
    else:
        messages.error(request, _("请填写撤销原因。"))
    return redirect("reviews:letter_list")


@login_required
@require_POST
def letter_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """重新生成 an administrator sends a failed letter (生成失败) back to generation."""
    letter = letter_get_for_actor(actor=request.user, pk=pk)
    if not request.user.is_bureau_admin:
        raise PermissionDenied(_("仅主管部门管理员可以重新生成文书。"))
    try:
        services.letter_retry(actor=request.user, letter=letter, ip=client_ip(request))
        messages.success(request, _("文书 %(n)s 已重新提交生成。") % {"n": letter.number})
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("reviews:letter_list")


def _selected_ids(request: HttpRequest) -> list[int]:
    out = []
    for raw in request.POST.getlist("letters"):
        try:
            out.append(int(raw))
        except ValueError:
            continue
    return out


@login_required
@require_POST
def letters_batch(request: HttpRequest) -> HttpResponse:
    """批量操作 (administrators): queue generation of letters without a PDF, or download a zip."""
    if not request.user.is_bureau_admin:
        raise PermissionDenied(_("仅主管部门管理员可以批量处理文书。"))
    ids = _selected_ids(request)
    action = request.POST.get("action")
    if action == "generate":
        count = services.letters_generate_batch(actor=request.user, letter_ids=ids or None, ip=client_ip(request))
        messages.success(request, _("已提交 %(n)s 份文书的生成任务。") % {"n": count})
        return redirect("reviews:letter_list")
    if action == "zip":
        letters = list(
            letters_for_actor(actor=request.user).filter(pk__in=ids).exclude(sha256="").order_by("issued_on", "pk")
        )
        if not letters:
            messages.error(request, _("请至少选择一份已出具的文书。"))
            return redirect("reviews:letter_list")
        return _zip_response(request, letters)
    messages.error(request, _("未知的操作。"))
    return redirect("reviews:letter_list")


def _zip_response(request: HttpRequest, letters: list[Letter]) -> FileResponse:
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - handed to FileResponse, which closes it
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_STORED) as archive:
        for letter in letters:
            with letter.pdf.open("rb") as fh:
                # the addressee's name is the applicant's own text: one plain file name (portal.exports)
                archive.writestr(archive_name(f"{letter.number}-{letter.addressee_name}.pdf"), fh.read())
    spool.seek(0)
    audit_record(
        actor=request.user,
        action="letter.download_zip",
        target_type="reviews.letter",
        target_id="zip",
        ip=client_ip(request),
        after={"letters": [letter.pk for letter in letters]},
    )
    name = f"letters-{timezone.localdate():%Y%m%d}.zip"
    return FileResponse(spool, as_attachment=True, filename=name, content_type="application/zip")


# ----------------------------------------------------------------- public verification


def letter_verify_start(request: HttpRequest) -> HttpResponse:
    form = VerifyCodeForm(request.GET or None)
    if form.is_valid():
        return redirect("reviews:letter_verify", code=services.code_normalize(form.cleaned_data["code"]) or "-")
    return render(request, "letters/verify_start.html", {"form": form})


def letter_verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public: what the letter with this code says, whether it stands, and a hash check."""
    letter = letter_for_code(code=code)
    if letter is None:
        return render(
            request, "letters/verify.html", {"code": code, "letter": None, "start": VerifyCodeForm()}, status=404
        )
    form = HashCheckForm(request.POST if request.method == "POST" else None, request.FILES or None)
    check = None
    if request.method == "POST" and letter.sha256 and form.is_valid():
        check = letter_hash_check(
            letter=letter, sha256=form.cleaned_data.get("sha256", ""), upload=form.cleaned_data.get("file")
        )
    return render(
        request,
        "letters/verify.html",
        {
            "code": letter.code,
            "letter": letter,
            "c": letter.context,
            "form": form,
            "check": check,
            "action": reverse("reviews:letter_verify", args=[letter.code]),
        },
        status=400 if form.errors else 200,
    )
