"""The parties' page of two-party awards (th-scenario-demo): an enterprise sees the applications that
name it as the other party and confirms its part there (合作方确认), and sees the awards whose line is
its own, with their letters."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications.selectors import enterprise_of
from portal.audit import client_ip
from portal.models import Role
from portal.pagination import Capped

from .selectors_parties import award_letters, awards_for, party_application_get, party_applications_for
from .services import parties
from .views_common import roles_required


@roles_required(Role.ENTERPRISE)
def party_list(request: HttpRequest) -> HttpResponse:
    """合作项目与核定奖励: to confirm, confirmed, and the enterprise's awards."""
    awards = Capped(awards_for(actor=request.user), 200)
    letters = award_letters(awards)
    for award in awards:
        award.letter = letters.get(award.pk)
    return render(
        request,
        "reviews/parties.html",
        {
            "enterprise": enterprise_of(request.user),
            "rows": party_applications_for(actor=request.user),
            "awards": awards,
        },
    )


@require_POST
@roles_required(Role.ENTERPRISE)
def party_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    app = party_application_get(actor=request.user, pk=pk)
    try:
        parties.party_confirm(actor=request.user, application=app, ip=client_ip(request))
    except (ValidationError, PermissionDenied) as exc:
        for message in getattr(exc, "messages", [str(exc)]):
            messages.error(request, message)
    else:
        messages.success(request, _("已确认参与申报 %(ref)s。") % {"ref": app.reference})
    return redirect("reviews:party_list")
