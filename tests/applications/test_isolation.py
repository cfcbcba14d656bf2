"""Enterprise B (and staff, experts, providers, anonymous visitors) can neither see nor change
anything of enterprise A's — page by page and endpoint by endpoint — and nothing changes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from applications.models import Application, ApplicationEvent, Attachment, Enterprise, ProjectClaim
from portal.models import AuditEvent, Notification

from .conftest import PDF, upload

pytestmark = pytest.mark.django_db


def snapshot(app: Application) -> dict:
    app = Application.objects.get(pk=app.pk)
    return {
        "app": (app.state, app.title, app.inputs, app.draft_data, app.declared_at, app.estimate_amount, app.due_date),
        "claims": sorted(ProjectClaim.objects.filter(application=app).values_list("kind", "value")),
        "files": sorted(Attachment.objects.filter(application=app).values_list("pk", "superseded_at")),
        "events": ApplicationEvent.objects.filter(application=app).count(),
        "audit": AuditEvent.objects.count(),
        "notes": Notification.objects.count(),
        "enterprise": list(Enterprise.objects.values_list("pk", "name", "contact_phone").order_by("pk")),
    }


@pytest.fixture
def a_app(complete_a):
    return complete_a


def web_requests(app: Application) -> list[tuple[str, str, dict]]:
    file_pk = Attachment.objects.filter(application=app).first().pk
    pk = app.pk
    return [
        ("get", reverse("applications:detail", args=[pk]), {}),
        ("get", reverse("applications:edit", args=[pk]), {}),
        ("post", reverse("applications:edit", args=[pk]), {"title": "B改的", "in_eligible_cost": "1"}),
        ("post", reverse("applications:autosave", args=[pk]), {"title": "B改的"}),
        (
            "post",
            reverse("applications:attachment_upload", args=[pk]),
            {"material": "contract", "file": upload("b.pdf", PDF)},
        ),
        ("post", reverse("applications:attachment_remove", args=[pk, file_pk]), {}),
        ("get", reverse("applications:attachment_download", args=[pk, file_pk]), {}),
        ("get", reverse("applications:submit", args=[pk]), {}),
        ("post", reverse("applications:submit", args=[pk]), {"declaration": "on"}),
        ("get", reverse("applications:resubmit", args=[pk]), {}),
        ("post", reverse("applications:resubmit", args=[pk]), {}),
        ("get", reverse("applications:withdraw", args=[pk]), {}),
        ("post", reverse("applications:withdraw", args=[pk]), {"reason": "B撤回"}),
    ]


def test_enterprise_b_is_refused_every_page(client_for, owner_b, a_app):
    c = client_for(owner_b)  # signing in is audited; take the snapshot after it
    before = snapshot(a_app)
    for method, url, data in web_requests(a_app):
        response = getattr(c, method)(url, data)
        assert response.status_code == 404, (method, url, response.status_code)
    assert snapshot(a_app) == before


def test_b_dashboard_lists_nothing_of_a(client_for, owner_b, a_app):
    page = client_for(owner_b).get(reverse("applications:dashboard")).content.decode()
    assert a_app.reference not in page and a_app.title not in page


@pytest.mark.parametrize("who", ["expert", "provider_user", "reviewer", "bureau_admin"])
def test_other_roles_cannot_change_anything(client_for, request, who, a_app):
    user = request.getfixturevalue(who)
    c = client_for(user)
    before = snapshot(a_app)
    for method, url, data in web_requests(a_app):
        response = getattr(c, method)(url, data)
        if (
            method == "get"
            and who in ("reviewer", "bureau_admin")
            and (url.endswith(f"/{a_app.pk}/") or url.endswith("/download/"))
        ):
            assert response.status_code == 200  # bureau staff may read the application and its files
        else:
            assert response.status_code in (403, 404), (who, method, url, response.status_code)
    assert snapshot(a_app) == before


def test_anonymous_is_sent_to_login_and_nothing_changes(client_for, a_app):
    before = snapshot(a_app)
    c = client_for()
    for method, url, data in web_requests(a_app):
        response = getattr(c, method)(url, data)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url
    assert snapshot(a_app) == before


def api_requests(app: Application) -> list[tuple[str, str, dict, str]]:
    file_pk = Attachment.objects.filter(application=app).first().pk
    base = f"/api/v1/applications/{app.pk}/"
    return [
        ("get", base, {}, "json"),
        ("patch", base, {"title": "B改的"}, "json"),
        ("put", base, {"title": "B改的"}, "json"),
        ("post", base + "submit/", {"declaration": True}, "json"),
        ("post", base + "withdraw/", {"reason": "B"}, "json"),
        ("post", base + "resubmit/", {"answers": {}}, "json"),
        ("get", base + "attachments/", {}, "json"),
        ("post", base + "attachments/", {"material": "contract", "file": upload("b.pdf", PDF)}, "multipart"),
        ("get", base + f"attachments/{file_pk}/download/", {}, "json"),
    ]


def test_enterprise_b_is_refused_every_endpoint(api_for, owner_b, a_app, enterprise_a):
    before = snapshot(a_app)
    c = api_for(owner_b)
    for method, url, data, fmt in api_requests(a_app):
        response = getattr(c, method)(url, data, format=fmt)
        assert response.status_code == 404, (method, url, response.status_code)
    listing = c.get("/api/v1/applications/").json()
    assert listing["results"] == [] and listing["next"] is None
    assert c.get(f"/api/v1/enterprises/{enterprise_a.pk}/").status_code == 404
    assert c.patch(f"/api/v1/enterprises/{enterprise_a.pk}/", {"name": "B改的"}, format="json").status_code == 404
    assert [e["id"] for e in c.get("/api/v1/enterprises/").json()["results"]] == [owner_b.membership.enterprise_id]
    assert snapshot(a_app) == before


@pytest.mark.parametrize("who", ["reviewer", "expert", "provider_user"])
def test_api_other_roles_cannot_write(api_for, request, who, a_app):
    user = request.getfixturevalue(who)
    before = snapshot(a_app)
    c = api_for(user)
    for method, url, data, fmt in api_requests(a_app):
        response = getattr(c, method)(url, data, format=fmt)
        if method == "get" and who == "reviewer":
            assert response.status_code == 200
        else:
            assert response.status_code in (403, 404), (who, method, url, response.status_code)
    assert snapshot(a_app) == before


def test_api_anonymous_refused(api_for, a_app):
    before = snapshot(a_app)
    c = api_for()
    for method, url, data, fmt in api_requests(a_app):
        assert getattr(c, method)(url, data, format=fmt).status_code in (401, 403)
    assert c.get("/api/v1/enterprises/").status_code in (401, 403)
    assert snapshot(a_app) == before


def test_agent_cannot_change_the_enterprise_through_the_api(api_for, agent_a, enterprise_a):
    before = enterprise_a.name
    response = api_for(agent_a).patch(f"/api/v1/enterprises/{enterprise_a.pk}/", {"name": "经办人改的"}, format="json")
    assert response.status_code == 403
    enterprise_a.refresh_from_db()
    assert enterprise_a.name == before
