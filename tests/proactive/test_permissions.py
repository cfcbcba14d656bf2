"""Every page and endpoint of proactive refuses the wrong member of the cast, and nothing changes."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from proactive.models import Department, EnterpriseFact, FactContest, FactImport, MatchPreference, MatchRun

PAGES = ["proactive:matches", "proactive:enterprise_facts", "proactive:imports", "proactive:contests"]


@pytest.fixture
def fact_a(enterprise_a):
    return EnterpriseFact.objects.create(
        enterprise=enterprise_a,
        kind="annual_revenue",
        period="2025",
        value="100.00",
        department=Department.STATISTICS,
        source="统计局",
    )


@pytest.fixture
def contest_a(fact_a, owner_a):
    return FactContest.objects.create(fact=fact_a, raised_by=owner_a, reason="不对", proposed_value="200.00")


def upload(code: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("f.csv", f"统一社会信用代码,地址\n{code},广州市黄埔区某路1号\n".encode(), "text/csv")


@pytest.mark.django_db
def test_pages_by_role(client_for, owner_a, agent_a, reviewer, bureau_admin, expert, provider_user):
    allowed = {
        "proactive:matches": (owner_a, agent_a),
        "proactive:enterprise_facts": (owner_a, agent_a),
        "proactive:imports": (bureau_admin,),
        "proactive:contests": (reviewer, bureau_admin),
    }
    for name in PAGES:
        url = reverse(name)
        assert client_for(None).get(url).status_code == 302  # to the sign-in page
        for user in (owner_a, agent_a, reviewer, bureau_admin, expert, provider_user):
            code = client_for(user).get(url).status_code
            if user in allowed[name]:
                assert code == 200, (name, user)
            else:
                assert code in (302, 403), (name, user, code)


@pytest.mark.django_db
def test_import_page_refuses_reviewer_and_enterprise(client_for, reviewer, owner_a, enterprise_a):
    for user in (reviewer, owner_a):
        response = client_for(user).post(
            reverse("proactive:imports"),
            {"department": "market", "source": "市场监管局", "file": upload(enterprise_a.credit_code)},
        )
        assert response.status_code in (302, 403)
    assert not FactImport.objects.exists() and not EnterpriseFact.objects.exists()


@pytest.mark.django_db
def test_import_page_admin_and_errors_in_chinese(client_for, bureau_admin, enterprise_a):
    c = client_for(bureau_admin)
    bad = SimpleUploadedFile("f.csv", "统一社会信用代码,所属期间,年度营业收入\nX,2025,abc\n".encode(), "text/csv")
    response = c.post(reverse("proactive:imports"), {"department": "statistics", "source": "统计局", "file": bad})
    assert response.status_code == 400 and "第2行“年度营业收入”列：须为金额（元）" in response.content.decode()
    response = c.post(
        reverse("proactive:imports"),
        {"department": "market", "source": "市场监管局", "file": upload(enterprise_a.credit_code)},
    )
    assert response.status_code == 302 and EnterpriseFact.objects.get().kind == "address"


@pytest.mark.django_db
def test_the_same_file_again_is_said_with_its_first_import_in_local_time(client_for, bureau_admin, enterprise_a):
    """导入过: the first import's time as the administrator reads clocks (Beijing time), not UTC."""
    import datetime as dt

    c = client_for(bureau_admin)
    data = {"department": "market", "source": "市场监管局"}
    c.post(reverse("proactive:imports"), {**data, "file": upload(enterprise_a.credit_code)})
    FactImport.objects.update(created_at=dt.datetime(2026, 3, 2, 1, 30, tzinfo=dt.UTC))
    response = c.post(reverse("proactive:imports"), {**data, "file": upload(enterprise_a.credit_code)}, follow=True)
    assert "该文件已于 2026-03-02 09:30 导入过" in response.content.decode()
    assert FactImport.objects.count() == 1


@pytest.mark.django_db
def test_contest_page_agent_and_other_enterprise_refused(client_for, agent_a, owner_b, fact_a):
    assert (
        client_for(agent_a).post(reverse("proactive:enterprise_facts"), {"fact": fact_a.pk, "reason": "x"}).status_code
        == 403
    )
    assert (
        client_for(owner_b).post(reverse("proactive:enterprise_facts"), {"fact": fact_a.pk, "reason": "x"}).status_code
        == 404
    )
    assert not FactContest.objects.exists()


@pytest.mark.django_db
def test_resolve_page_other_district_refused(client_for, reviewer_th, contest_a):
    response = client_for(reviewer_th).post(
        reverse("proactive:contests"), {"contest": contest_a.pk, "uphold": "1", "resolution": "y"}
    )
    assert response.status_code == 404
    contest_a.refresh_from_db()
    assert contest_a.state == FactContest.State.PENDING


@pytest.mark.django_db
def test_api_facts_scoped(api_for, owner_a, owner_b, reviewer, reviewer_th, expert, fact_a):
    url = "/api/v1/enterprise-facts/"
    assert api_for(None).get(url).status_code in (401, 403)
    assert [f["id"] for f in api_for(owner_a).get(url).json()["results"]] == [fact_a.pk]
    assert api_for(owner_b).get(url).json()["results"] == []
    assert api_for(expert).get(url).json()["results"] == []
    assert api_for(reviewer).get(f"{url}{fact_a.pk}/").status_code == 200
    assert api_for(reviewer_th).get(f"{url}{fact_a.pk}/").status_code == 404
    assert api_for(owner_b).get(f"{url}{fact_a.pk}/").status_code == 404


@pytest.mark.django_db
def test_api_contest_and_resolve(api_for, owner_a, agent_a, owner_b, reviewer, reviewer_th, fact_a):
    url = f"/api/v1/enterprise-facts/{fact_a.pk}/contest/"
    assert api_for(agent_a).post(url, {"reason": "x"}, format="json").status_code == 403
    assert api_for(owner_b).post(url, {"reason": "x"}, format="json").status_code == 404
    assert api_for(owner_a).post(url, {"reason": ""}, format="json").status_code == 400
    assert not FactContest.objects.exists()
    created = api_for(owner_a).post(url, {"reason": "口径不对", "proposed_value": "300"}, format="json")
    assert created.status_code == 201
    resolve = f"/api/v1/fact-contests/{created.json()['id']}/resolve/"
    body = {"uphold": True, "resolution": "核实无误"}
    assert api_for(owner_a).post(resolve, body, format="json").status_code == 403
    assert api_for(reviewer_th).post(resolve, body, format="json").status_code == 404
    fact_a.refresh_from_db()
    assert fact_a.value == "100.00"
    done = api_for(reviewer).post(resolve, body, format="json")
    assert done.status_code == 200 and done.json()["state"] == "upheld"
    fact_a.refresh_from_db()
    assert fact_a.value == "300.00"


@pytest.mark.django_db
def test_api_import_admin_only_and_idempotent(api_for, bureau_admin, reviewer, owner_a, enterprise_a):
    url = "/api/v1/fact-imports/"
    for user in (reviewer, owner_a):
        assert (
            api_for(user)
            .post(
                url,
                {"department": "market", "source": "市场监管局", "file": upload(enterprise_a.credit_code)},
                format="multipart",
            )
            .status_code
            == 403
        )
        assert api_for(user).get(url).json()["results"] == []
    assert not FactImport.objects.exists()
    first = api_for(bureau_admin).post(
        url,
        {"department": "market", "source": "市场监管局", "file": upload(enterprise_a.credit_code)},
        format="multipart",
    )
    again = api_for(bureau_admin).post(
        url,
        {"department": "market", "source": "市场监管局", "file": upload(enterprise_a.credit_code)},
        format="multipart",
    )
    assert (first.status_code, again.status_code) == (201, 200) and first.json()["id"] == again.json()["id"]
    bad = api_for(bureau_admin).post(
        url,
        {
            "department": "market",
            "source": "市场监管局",
            "file": SimpleUploadedFile("f.csv", "统一社会信用代码,成立日期\nX,昨天\n".encode(), "text/csv"),
        },
        format="multipart",
    )
    assert bad.status_code == 400 and "第2行“成立日期”列：须为日期，写作“2020-05-18”" in str(bad.json())


@pytest.mark.django_db
def test_api_matching_runs_admin_only(api_for, bureau_admin, reviewer, owner_a, catalogue):
    for user in (reviewer, owner_a):
        assert api_for(user).post("/api/v1/matching-runs/").status_code == 403
    assert not MatchRun.objects.exists()
    assert api_for(bureau_admin).post("/api/v1/matching-runs/").status_code == 202
    assert MatchRun.objects.count() == 1


@pytest.mark.django_db
def test_api_matches_and_preference(api_for, owner_a, agent_a, reviewer, enterprise_a, catalogue):
    assert api_for(owner_a).get("/api/v1/matches/").status_code == 200
    assert api_for(reviewer).get("/api/v1/matches/").status_code == 403
    assert api_for(agent_a).put("/api/v1/matches/preference/", {"notify": False}, format="json").status_code == 403
    assert api_for(reviewer).put("/api/v1/matches/preference/", {"notify": False}, format="json").status_code == 403
    assert not MatchPreference.objects.exists()
    assert api_for(owner_a).put("/api/v1/matches/preference/", {"notify": False}, format="json").status_code == 200
    assert MatchPreference.objects.get(enterprise=enterprise_a).notify is False


@pytest.mark.django_db
def test_api_comparison_scoped(api_for, catalogue, owner_a, owner_b, reviewer, reviewer_th, enterprise_a):
    from applications.models import Application

    app = Application.objects.create(
        enterprise=enterprise_a,
        programme=catalogue["hp-revenue-growth"],
        reference="H-1",
        created_by=owner_a,
        inputs={"revenue_current": "100"},
    )
    url = f"/api/v1/applications/{app.pk}/fact-comparison/"
    assert api_for(reviewer).get(url).status_code == 200
    assert api_for(owner_a).get(url).status_code == 200
    assert api_for(owner_b).get(url).status_code == 404
    assert api_for(reviewer_th).get(url).status_code == 404
