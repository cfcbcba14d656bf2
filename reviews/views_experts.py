"""Expert pages: my assignments; for each, the conflict-of-interest declaration first, then what
review needs (no contact details, no other expert's scores) and the score form."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.audit import client_ip
from portal.models import Role

from . import selectors
from .forms import DeclarationForm, ScoreForm, errors_to_form
from .models import ExpertAssignment
from .services import experts
from .views_common import roles_required

DECLARED = (ExpertAssignment.Status.ACCEPTED, ExpertAssignment.Status.SUBMITTED)


# What the list never shows: left in the database (each row would carry its programme's catalogue
# entry and its policy's full text).
LIST_UNREAD = (
    "application__inputs",
    "application__estimate",
    "application__draft_data",
    "application__description",
    "application__programme__spec",
    "application__programme__inputs",
    "application__programme__materials",
    "application__programme__criteria",
    "application__programme__clause_text",
    "application__programme__eligibility_zh",
    "application__programme__policy__full_text",
)


@roles_required(Role.EXPERT)
def expert_list(request: HttpRequest) -> HttpResponse:
    assignments = selectors.expert_assignments_for(actor=request.user).defer(*LIST_UNREAD)
    page = Paginator(assignments, 50).get_page(request.GET.get("page"))
    return render(request, "reviews/expert_list.html", {"assignments": page.object_list, "page": page})


def _score_form(assignment: ExpertAssignment, data=None) -> ScoreForm:
    initial = {"comment": assignment.comment}
    for s in assignment.scores.all():
        initial[f"score_{s.criterion}"] = s.score
        initial[f"comment_{s.criterion}"] = s.comment
    return ScoreForm(data, criteria=assignment.application.programme.criteria or [], initial=initial)


def _page(request: HttpRequest, assignment: ExpertAssignment, *, declaration=None, scores=None, status=200):
    view = selectors.expert_view_of(assignment)
    return render(
        request,
        "reviews/expert_assignment.html",
        {
            "assignment": assignment,
            "view": view,
            "declared": assignment.status in DECLARED,
            "declaration_form": declaration or DeclarationForm(),
            "score_form": scores or (_score_form(assignment) if assignment.status in DECLARED else None),
            "can_score": assignment.status in DECLARED and assignment.application.state == "expert_review",
        },
        status=status,
    )


@roles_required(Role.EXPERT)
def expert_assignment(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, selectors.expert_assignment_get(actor=request.user, pk=pk))


@require_POST
@roles_required(Role.EXPERT)
def expert_declare(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = selectors.expert_assignment_get(actor=request.user, pk=pk)
    form = DeclarationForm(request.POST)
    if form.is_valid():
        try:
            experts.expert_declare(
                actor=request.user,
                assignment=assignment,
                conflict=form.cleaned_data["conflict"],
                note=form.cleaned_data["note"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(
                request,
                _("已回避本申报的评审。")
                if form.cleaned_data["conflict"]
                else _("已声明无利益冲突，可以查看材料并评分。"),
            )
            return redirect("reviews:expert_assignment", pk=pk)
    return _page(request, assignment, declaration=form, status=400)


@require_POST
@roles_required(Role.EXPERT)
def expert_scores(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = selectors.expert_assignment_get(actor=request.user, pk=pk)
    form = _score_form(assignment, request.POST)
    if form.is_valid():
        try:
            experts.expert_scores_submit(
                actor=request.user,
                assignment=assignment,
                scores=form.scores(),
                comments=form.comments(),
                comment=form.cleaned_data["comment"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("评分已提交。"))
            return redirect("reviews:expert_assignment", pk=pk)
    return _page(request, assignment, scores=form, status=400)


@roles_required(Role.EXPERT)
def expert_attachment(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """A material of an assigned application, once the expert has declared no conflict."""
    assignment = selectors.expert_assignment_get(actor=request.user, pk=pk)
    if assignment.status not in DECLARED:
        raise Http404
    att = assignment.application.attachments.filter(pk=attachment_pk, superseded_at__isnull=True).first()
    if att is None:
        raise Http404
    response = FileResponse(
        att.file.open("rb"), as_attachment=True, filename=att.original_name, content_type=att.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
