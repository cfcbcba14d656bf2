"""好差评 pages: the enterprise rates an ended application's service; administrators see the
ratings by programme and step."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from applications.selectors import application_get_for_actor
from portal.audit import client_ip
from portal.pagination import Capped
from portal.permissions import is_bureau_admin
from reviews.models import ServiceRating

from .forms import errors_to_form
from .forms_ratings import RatingForm
from .selectors_ratings import ratings_for_actor, ratings_summary
from .services.ratings import rating_allowed, rating_submit


@login_required
def rating_new(request: HttpRequest, pk: int) -> HttpResponse:
    app = application_get_for_actor(actor=request.user, pk=pk)
    if not rating_allowed(actor=request.user, application=app):
        raise PermissionDenied(_("只有申报单位可以在办结后评价。"))
    existing = ServiceRating.objects.filter(application=app).first()
    form = RatingForm(request.POST or None)
    if request.method == "POST" and existing is None and form.is_valid():
        try:
            rating_submit(
                actor=request.user,
                application=app,
                score=form.cleaned_data["score"],
                step=form.cleaned_data["step"],
                comment=form.cleaned_data["comment"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("感谢您的评价。"))
            return redirect("applications:detail", pk=app.pk)
    status = 400 if form.errors else 200
    return render(request, "guide/rating_form.html", {"app": app, "form": form, "existing": existing}, status=status)


@login_required
@require_GET
def ratings_admin(request: HttpRequest) -> HttpResponse:
    if not is_bureau_admin(request.user):
        raise PermissionDenied(_("仅主管部门管理员可以查看好差评。"))
    ratings = ratings_for_actor(actor=request.user).select_related("application__programme")
    recent = Capped(ratings.order_by("-created_at", "-pk"), 50)
    return render(request, "guide/ratings_admin.html", {"rows": ratings_summary(actor=request.user), "recent": recent})
