"""What the review pages share: who may open them (roles_required and the role groups) and how a
service's refusal or a bulk action's results become messages on the next page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _

from portal.models import Role

REVIEW_ROLES = (Role.REVIEWER, Role.BUREAU_ADMIN, Role.SYSADMIN)
ADMIN_ROLES = (Role.BUREAU_ADMIN, Role.SYSADMIN)


def roles_required(*roles: str) -> Callable:
    """Signed-in users of these roles only (others: 403; anonymous: the login page)."""

    def decorator(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if not request.user.has_role(*roles):
                raise PermissionDenied(_("您无权访问该页面。"))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def bulk_messages(request: HttpRequest, results) -> None:
    for r in results:
        (messages.success if r.ok else messages.error)(request, f"{r.reference}：{r.message}")
