"""CSRF on every form: the POST forms of every page the matrix knows, as each member of the cast,
carry the token, and a POST without it is refused (403) and changes nothing; the API refuses a
session-authenticated POST without it too."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from portal.models import AuditEvent


class Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._current: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._current = {
                "method": (a.get("method") or "get").lower(),
                "action": a.get("action") or "",
                "csrf": False,
                "enctype": a.get("enctype", ""),
            }
            self.forms.append(self._current)
        elif tag == "input" and self._current is not None and a.get("name") == "csrfmiddlewaretoken" and a.get("value"):
            self._current["csrf"] = True

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def page_forms(client: Client, url: str) -> list[dict]:
    r = client.get(url)
    if r.status_code != 200 or not r.get("Content-Type", "").startswith("text/html"):
        return []
    parser = Forms()
    parser.feed(r.content.decode())
    for f in parser.forms:
        f["page"] = url
        f["target"] = f["action"] or url
    return parser.forms


@pytest.mark.django_db
def test_every_post_form_carries_the_csrf_token_and_a_post_without_it_is_refused(world):
    from .harness import project_patterns
    from .matrix import MATRIX

    cast = world.cast
    roles = ("anon", "owner_a", "agent_a", "reviewer", "expert", "admin", "provider")
    checked_pages = 0
    posts: dict[tuple[str, str], dict] = {}
    missing = []
    for pattern in project_patterns():
        if pattern.api or pattern.key.startswith("admin:") or pattern.key not in MATRIX:
            continue
        for case in MATRIX[pattern.key]:
            if "GET" not in case.expect:
                continue
            kwargs = case.kwargs(cast) if case.kwargs else {}
            url = reverse(pattern.key, kwargs=kwargs)
            for role in roles:
                client = Client()
                if role != "anon":
                    client.force_login(cast.users[role], backend="portal.backends.EmailOrUsernameBackend")
                forms = page_forms(client, url)
                checked_pages += 1 if forms else 0
                for f in forms:
                    if f["method"] != "post":
                        continue
                    if not f["csrf"]:
                        missing.append(f"{url} as {role}: a POST form to {f['target']} without the csrf token")
                    posts.setdefault((role, f["target"]), f)
    assert checked_pages > 40, checked_pages
    assert not missing, "\n".join(missing)
    assert len(posts) > 20, posts.keys()

    refused = []
    for (role, target), f in sorted(posts.items()):
        strict = Client(enforce_csrf_checks=True)
        if role != "anon":
            strict.force_login(cast.users[role], backend="portal.backends.EmailOrUsernameBackend")
        count = AuditEvent.objects.count()
        r = strict.post(target, {"x": "1"})
        if r.status_code != 403 or AuditEvent.objects.count() != count:
            refused.append(f"POST {target} (form of {f['page']}) as {role} without the token: {r.status_code}")
    assert not refused, "\n".join(refused)


@pytest.mark.django_db
def test_the_api_with_a_session_needs_the_csrf_token_too(world):
    from applications.models import Application

    before = Application.objects.count()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.cast.users["owner_a"], backend="portal.backends.EmailOrUsernameBackend")
    r = strict.post("/api/v1/applications/", {"programme": "hp-compute-voucher"}, content_type="application/json")
    assert r.status_code == 403 and "CSRF" in r.content.decode()
    assert Application.objects.count() == before
