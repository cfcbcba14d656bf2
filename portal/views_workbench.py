"""工作台 where each role lands after signing in: its own starting page, named by URL (portal
imports no app): the enterprise its applications and to-dos, a reviewer the review queue, an expert
its assignments, an administrator the budget, a compute provider its redemptions."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from .models import Role

WORKBENCHES = {
    Role.ENTERPRISE: "applications:dashboard",
    Role.REVIEWER: "reviews:queue",
    Role.EXPERT: "reviews:expert_list",
    Role.BUREAU_ADMIN: "vouchers:budget",
    Role.SYSADMIN: "vouchers:budget",
    Role.PROVIDER: "vouchers:provider_home",
}


def workbench_url_name(user) -> str:
    """The URL name of the user's workbench (the home page for a role without one)."""
    return WORKBENCHES.get(getattr(user, "role", ""), "home")


@require_GET
@login_required
def workbench(request: HttpRequest) -> HttpResponseRedirect:
    return redirect(workbench_url_name(request.user))
