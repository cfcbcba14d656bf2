"""好差评: the applying enterprise rates an ended application's service once; administrators see the
ratings by programme and step; everyone else is refused and nothing is recorded."""

from __future__ import annotations

import pytest

from applications.workflow import State
from reviews.models import ServiceRating
from tests.reviews.conftest import make_app

pytestmark = pytest.mark.django_db

RATING = {"score": "2", "step": "formal_review", "comment": "补正通知晚了两天"}


@pytest.fixture
def ended(catalogue, enterprise_a, owner_a):
    return make_app(enterprise_a, catalogue["hp-data-trading"], state=State.DECLINED)


def test_the_enterprise_rates_an_ended_application_once(ended, owner_a, agent_a, owner_b, client_for):
    page = client_for(owner_a).get(f"/applications/{ended.pk}/").content.decode()
    assert f"/service-rating/{ended.pk}/" in page and "评价本次服务" in page
    workbench = client_for(owner_a).get("/applications/").content.decode()
    assert "待评价" in workbench and f"/service-rating/{ended.pk}/" in workbench  # a to-do on the workbench
    assert f"/service-rating/{ended.pk}/" not in client_for(owner_b).get("/applications/").content.decode()
    response = client_for(owner_a).post(f"/service-rating/{ended.pk}/", RATING)
    assert response.status_code == 302
    rating = ServiceRating.objects.get(application=ended)
    assert (rating.score, rating.step, rating.outcome, rating.rated_by) == (2, "formal_review", "declined", owner_a)
    again = client_for(agent_a).post(f"/service-rating/{ended.pk}/", {**RATING, "score": "5"})
    assert again.status_code == 200 and ServiceRating.objects.get(application=ended).score == 2
    assert "不能重复评价" in again.content.decode()
    assert f"/service-rating/{ended.pk}/" not in client_for(owner_a).get("/applications/").content.decode()


def test_bad_score_is_refused_with_the_reason(ended, owner_a, client_for):
    response = client_for(owner_a).post(f"/service-rating/{ended.pk}/", {**RATING, "score": "7"})
    assert response.status_code == 400 and not ServiceRating.objects.exists()


def test_wrong_cast_and_open_applications_are_refused(
    catalogue, ended, enterprise_a, owner_b, reviewer, expert, bureau_admin, provider_user, owner_a, client_for
):
    for user, status in ((owner_b, 404), (expert, 404), (provider_user, 404), (reviewer, 403), (bureau_admin, 403)):
        assert client_for(user).post(f"/service-rating/{ended.pk}/", RATING).status_code == status, user
    anonymous = client_for(None).post(f"/service-rating/{ended.pk}/", RATING)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    open_app = make_app(enterprise_a, catalogue["hp-data-trading"], state=State.BUREAU_REVIEW)
    assert client_for(owner_a).post(f"/service-rating/{open_app.pk}/", RATING).status_code == 403
    assert "评价本次服务" not in client_for(owner_a).get(f"/applications/{open_app.pk}/").content.decode()
    assert not ServiceRating.objects.exists()


def test_administrators_see_ratings_by_programme_and_step(
    ended, owner_a, bureau_admin, bureau_admin_th, reviewer, client_for, api_for
):
    client_for(owner_a).post(f"/service-rating/{ended.pk}/", RATING)
    page = client_for(bureau_admin).get("/manage/ratings/").content.decode()
    assert ended.programme.name_zh in page and "形式审查" in page and "补正通知晚了两天" in page
    data = api_for(bureau_admin).get("/api/v1/ratings/summary/").json()["results"]
    assert data == [
        {
            "programme": "hp-data-trading",
            "programme_name": ended.programme.name_zh,
            "step": "formal_review",
            "step_label": "形式审查",
            "count": 1,
            "average": 2.0,
            "poor": 1,
        }
    ]
    # Tianhe's administrator sees none of Huangpu's; other roles are refused
    assert api_for(bureau_admin_th).get("/api/v1/ratings/summary/").json()["results"] == []
    assert "补正通知晚了两天" not in client_for(bureau_admin_th).get("/manage/ratings/").content.decode()
    for user in (reviewer, owner_a):
        assert client_for(user).get("/manage/ratings/").status_code == 403
        assert api_for(user).get("/api/v1/ratings/summary/").status_code == 403
    assert api_for(None).get("/api/v1/ratings/summary/").status_code in (401, 403)
    assert client_for(None).get("/manage/ratings/").status_code == 302
