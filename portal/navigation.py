"""The main navigation of each role, and which entry is the current page (aria-current). One list,
read by the header template (portal/templatetags/navigation.py); who sees what follows the same
predicates as the views (portal/permissions.py)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import pgettext

from .models import Role
from .permissions import is_active_user, is_bureau_admin, is_provider_user, may_use_admin_site

# Where a bureau administrator's work starts (their 工作台).
ADMIN_WORKBENCH = "vouchers:budget"


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool = False


def _entries(user) -> list[tuple[str, str]]:
    """(label, URL name) of the entries this user has, in order."""
    signed_in = is_active_user(user)
    role = user.role if signed_in else None
    staff = signed_in and user.is_staff_role and role != Role.EXPERT
    admin = is_bureau_admin(user)
    entries = [(pgettext("nav", "首页"), "home"), (pgettext("nav", "政策与项目"), "vouchers:catalogue")]
    if role == Role.ENTERPRISE:
        entries += [
            (pgettext("nav", "我的申报"), "applications:dashboard"),
            (pgettext("nav", "合作项目与奖励"), "reviews:party_list"),
            (pgettext("nav", "企业信息"), "applications:enterprise"),
            (pgettext("nav", "政策匹配"), "proactive:matches"),
            (pgettext("nav", "资料库"), "proactive:library"),
        ]
    if role == Role.ENTERPRISE or staff:
        entries += [
            (pgettext("nav", "正式文书"), "reviews:letter_list"),
            (pgettext("nav", "算力券"), "vouchers:voucher_list"),
        ]
    if is_provider_user(user):
        entries.append((pgettext("nav", "算力券核销"), "vouchers:provider_home"))
    if staff:
        entries += [
            (pgettext("nav", "审核队列"), "reviews:queue"),
            (pgettext("nav", "企业核验"), "applications:verification_queue"),
            (pgettext("nav", "档案异议"), "proactive:contests"),
        ]
    if admin:
        entries += [
            (pgettext("nav", "预算管理"), "vouchers:budget"),
            (pgettext("nav", "拨付管理"), "vouchers:payments"),
            (pgettext("nav", "服务商目录"), "vouchers:providers"),
            (pgettext("nav", "企业档案导入"), "proactive:imports"),
            (pgettext("nav", "免申即享"), "proactive:auto_batches"),
            (pgettext("nav", "政策成效"), "proactive:results"),
            (pgettext("nav", "兑付时限"), "proactive:payment_promises"),
            (pgettext("nav", "公示管理"), "reviews:notices_admin"),
        ]
    if role == Role.EXPERT:
        entries.append((pgettext("nav", "评审任务"), "reviews:expert_list"))
    entries.append((pgettext("nav", "公示公告"), "reviews:public_notices"))
    if may_use_admin_site(user):
        entries.append((pgettext("nav", "管理后台"), "admin:index"))
    elif admin:
        # a bureau administrator without rights in the Django admin would find an empty index there:
        # the link leads to their workbench, the budget (portal.views_workbench on the guide branch)
        entries.append((pgettext("nav", "工作台"), ADMIN_WORKBENCH))
    return entries


def main_nav(user, path: str) -> list[NavItem]:
    """The entries of the user's navigation; the one whose address is the longest beginning of the
    current path is the current page (the home page only on itself)."""
    items = [(label, reverse(name)) for label, name in _entries(user)]
    matches = [url for _label, url in items if path == url or (url != "/" and path.startswith(url))]
    current = max(matches, key=len) if matches else None
    # one entry is the current page, the first of two that lead to the same address
    first = next((i for i, (_label, url) in enumerate(items) if url == current), None)
    return [NavItem(label, url, i == first) for i, (label, url) in enumerate(items)]
