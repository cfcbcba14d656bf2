"""Every page of every role, in Chromium, at 1366 px and 390 px (issue 17): the demo world is seeded,
each role signs in through the login form, and every page the URL conf has for it (tests/browser/
sitemap.py: the patterns filled with the seeded objects; a page is the role's when it answers 200
with HTML) is checked with axe-core (no serious or critical WCAG 2.1 AA violation), for horizontal
overflow on the phone, for a one-row header on the desktop (in Chinese and in English), and for the
words it shows (tests/browser/a11y.py). Screenshots of each page at both widths are kept under
var/screenshots/<role>/ (not committed); A11Y_SHOTS=<dir> puts them elsewhere."""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from .a11y import DESKTOP, PHONE, axe_violations, horizontal_overflow, page_text, text_findings
from .helpers import Actor
from .sitemap import admin_pages, candidate_pages, unplaced_patterns

pytestmark = [pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path(os.environ.get("A11Y_SHOTS") or ROOT / "var" / "screenshots")
DEMO_PASSWORD = "Demo-2026-pass"  # reviews/management/commands/demo_seed.py
ROLES = {
    "enterprise": "owner-a@demo.cn",
    "reviewer": "reviewer@demo.cn",
    "expert": "expert1@demo.cn",
    "bureau_admin": "admin@demo.cn",
    "sysadmin": "sysadmin@demo.cn",
    "provider": "provider@demo.cn",
    "anonymous": None,
}

HEADER_ROWS_JS = """() => {
    const bar = document.querySelector('header.topbar');
    if (!bar) return 'no header';
    // the navigation is one row (every entry at the same height), the header at most two compact rows
    const items = [...bar.querySelectorAll('.mainnav a')].filter(el => el.getClientRects().length);
    const tops = new Set(items.map(el => Math.round(el.getBoundingClientRect().top)));
    const h = Math.round(bar.getBoundingClientRect().height);
    return tops.size > 1 || h > 100 ? `header ${h}px high, navigation in ${tops.size} rows` : null;
}"""

PHONE_HEADER_JS = """() => {
    const bar = document.querySelector('header.topbar'), button = document.querySelector('.menu-toggle');
    const h = Math.round(bar.getBoundingClientRect().height);
    if (!button || button.hidden || !button.getClientRects().length) return 'no menu button';
    if (button.getAttribute('aria-expanded') !== 'false') return 'menu button not aria-expanded=false';
    return h > 64 ? `header ${h}px high with the menu closed` : null;
}"""


@pytest.mark.django_db
def test_every_url_is_placed():
    """A new URL pattern with arguments must be given its objects (sitemap._sources) or a reason."""
    assert unplaced_patterns() == []


def _pages_of(email: str | None) -> list:
    from portal.models import User

    client = Client()
    user = User.objects.get(email=email) if email else None
    if user:
        client.force_login(user)
    pages = candidate_pages() + (admin_pages() if user and user.is_staff else [])
    mine = []
    for page in pages:
        response = client.get(page.path)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            mine.append(page)
    return mine


# serialized_rollback: the data of the migrations (approval chains, the calendar) is back for each role
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
# The system administrator's walk includes every page of the Django admin, held to the same rules:
# stored JSON as labelled lists and codes by their names (portal/admin_values.py), machine data such as
# a browser's user-agent string marked lang="zxx" (no language), django-otp in Chinese
# (portal/admin_packages.py), every date, time and inline-row input named (portal/admin_forms.py).
@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_of_role(role, actors, live_server):
    from tests.approvals import ensure_default_chains
    from vouchers.models import Policy, Programme

    ensure_default_chains()  # the migration's approval chains, which the flush after the previous role removed
    call_command("demo_seed", verbosity=0)
    codes = set(Programme.objects.values_list("code", flat=True)) | set(Policy.objects.values_list("code", flat=True))
    pages = _pages_of(ROLES[role])
    assert len(pages) >= 10, f"{role}: only {len(pages)} pages answered"

    actor: Actor = actors(role)
    if ROLES[role]:
        actor.login(ROLES[role], DEMO_PASSWORD)
    shots = SHOTS / role
    shots.mkdir(parents=True, exist_ok=True)
    findings: dict[str, list[str]] = defaultdict(list)
    page = actor.page
    for item in pages:
        page.set_viewport_size(DESKTOP)
        response = page.goto(item.path)
        if response is None or response.status != 200:
            findings[f"answered {response and response.status} in the browser"].append(item.path)
            continue
        for problem in axe_violations(page):
            findings[f"1366px {problem}"].append(item.path)
        if not item.name.startswith("admin:") and (rows := page.evaluate(HEADER_ROWS_JS)):
            findings[f"1366px {rows}"].append(item.path)
        page.screenshot(path=str(shots / f"{item.slug}-1366.png"), full_page=True)
        for problem in text_findings(page_text(page), codes=codes):
            findings[problem].append(item.path)
        page.set_viewport_size(PHONE)
        if not item.name.startswith("admin:") and (tall := page.evaluate(PHONE_HEADER_JS)):
            findings[f"390px {tall}"].append(item.path)
        if overflow := horizontal_overflow(page):
            findings[f"390px overflow {overflow.split(':')[0]}"].append(f"{item.path} ({overflow.split(': ', 1)[-1]})")
        for problem in axe_violations(page):
            findings[f"390px {problem}"].append(item.path)
        page.screenshot(path=str(shots / f"{item.slug}-390.png"), full_page=True)

    # the header in English, whose labels are longer, still one row at 1366 px
    page.set_viewport_size(DESKTOP)
    actor.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto("/")
    if rows := page.evaluate(HEADER_ROWS_JS):
        findings[f"English 1366px {rows}"].append("/")
    page.screenshot(path=str(shots / "home-en-1366.png"), full_page=True)

    report = "\n".join(
        f"- {what} [{len(where)} pages] e.g. {', '.join(where[:3])}"
        for what, where in sorted(findings.items(), key=lambda kv: -len(kv[1]))
    )
    assert not findings, f"{role}: {len(findings)} kinds of finding over {len(pages)} pages:\n{report}"
    actor.assert_clean()
