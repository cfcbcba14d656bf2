"""Who may open the applicant's pages (enterprise users, members of an enterprise) and the small
helpers every applicant view shares."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from portal.models import Role

from .models import Application
from .selectors import (
    application_get_for_actor,
    enterprise_of,
)


def enterprise_user(view):
    """Signed in as an enterprise user (法人 or 经办人); others are refused."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if request.user.role != Role.ENTERPRISE:
            raise PermissionDenied(_("此页面仅供企业用户使用。"))
        return view(request, *args, **kwargs)

    return wrapper


def member_required(view):
    """An enterprise user who belongs to an enterprise; the others are sent to register one."""

    @enterprise_user
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if enterprise_of(request.user) is None:
            messages.info(request, _("请先登记您的企业信息，或通过企业负责人发送的邀请链接加入企业。"))
            return redirect("applications:enterprise_register")
        return view(request, *args, **kwargs)

    return wrapper


def posted_data(request: HttpRequest):
    """The form data of a POST, even an empty one (an unticked box posts nothing); None for a GET."""
    return request.POST if request.method == "POST" else None


def own_application(request: HttpRequest, pk: int) -> Application:
    app = application_get_for_actor(actor=request.user, pk=pk)
    if request.user.role == Role.ENTERPRISE:
        return app
    raise Http404
