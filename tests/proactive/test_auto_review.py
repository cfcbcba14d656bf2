"""整批复核: the second administrator approves every pending money decision of a published 免申 batch at
once — in the request for a small batch, by the Celery task for a big one (the page and the API show its
progress) — and the proposer may not review their own batch (四眼原则)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse

from applications.models import Application
from applications.workflow import Route, State
from portal.models import Role
from portal.outbox import outbox_run_pending
from proactive import services_review
from proactive.services_auto import auto_batch_publish, auto_batch_publishing, progress_key
from proactive.services_review import auto_batch_review_request, pending_review
from reviews.models import DecisionProposal
from tests.factories import UserFactory
from tests.proactive.test_auto_publish import setting  # noqa: F401 (a batch of three Tianhe firms)
from vouchers.models import Award


@pytest.fixture
def published(setting, bureau_admin_th):  # noqa: F811
    batch = setting["batch"]
    auto_batch_publish(actor=bureau_admin_th, batch=batch, mode="rank", comment="免申即享，数据已抽查。")
    batch.refresh_from_db()
    assert pending_review(batch.pk).count() == 3
    return batch


@pytest.fixture
def reviewer_th(db):
    """A second Tianhe administrator: the one who may hold the 复核 step of the proposer's decisions."""
    return UserFactory(role=Role.BUREAU_ADMIN, district="tianhe", is_staff=True, email="second-th@example.cn")


@pytest.mark.django_db
def test_the_proposer_may_not_review_the_batch(published, bureau_admin_th):
    with pytest.raises(ValidationError) as refused:
        auto_batch_review_request(actor=bureau_admin_th, batch=published, comment="同意。")
    assert "四眼原则" in refused.value.messages[0]
    assert pending_review(published.pk).count() == 3


@pytest.mark.django_db
def test_a_second_administrator_approves_the_whole_batch_from_its_page(published, reviewer_th, client_for):
    staff = client_for(reviewer_th)
    page = staff.get(reverse("proactive:auto_batch", args=[published.pk])).content.decode()
    assert "本批次尚有 3 件拟办意见待审批" in page and "整批复核同意" in page
    empty = staff.post(reverse("proactive:auto_batch_review", args=[published.pk]), {"comment": " "})
    assert empty.status_code == 400 and pending_review(published.pk).count() == 3
    done = staff.post(reverse("proactive:auto_batch_review", args=[published.pk]), {"comment": "同意。"})
    assert done.status_code == 302
    steps_left = pending_review(published.pk).count()
    approved = DecisionProposal.objects.filter(status=DecisionProposal.Status.APPROVED).count()
    assert approved + steps_left == 3 and approved == 3  # th-dcmm's amounts need the 复核 step only
    apps = Application.objects.filter(route=Route.AUTO)
    assert set(apps.values_list("state", flat=True)) == {State.APPROVED_PENDING_NOTICE}
    assert Award.objects.filter(status=Award.Status.RESERVED).count() == 3
    page = staff.get(reverse("proactive:auto_batch", args=[published.pk])).content.decode()
    assert "整批复核同意" not in page and "发布公示" in page


@pytest.mark.django_db
def test_a_big_batch_is_reviewed_by_the_task_through_the_api(published, reviewer_th, api_for, monkeypatch, settings):
    monkeypatch.setattr(services_review, "REVIEW_IN_REQUEST_MAX", 2)
    monkeypatch.setattr(services_review, "CHUNK", 2)
    settings.PORTAL_EAGER_TASKS = "deferred"
    cache.delete(progress_key(published.pk))
    api = api_for(reviewer_th)
    url = f"/api/v1/auto-award-batches/{published.pk}/review/"
    queued = api.post(url, {"comment": "同意。"}, format="json")
    assert queued.status_code == 202, queued.content
    assert queued.json()["progress"] == {"what": "review", "state": "queued", "done": 0, "total": 3, "error": ""}
    assert pending_review(published.pk).count() == 3  # nothing approved in the request
    again = api.post(url, {"comment": "同意。"}, format="json")
    assert again.status_code == 400 and "正在后台" in again.content.decode()
    assert outbox_run_pending() >= 1
    assert pending_review(published.pk).count() == 0
    assert Award.objects.filter(status=Award.Status.RESERVED).count() == 3
    assert auto_batch_publishing(published.pk) is None
    # delivered twice: nothing left to approve, nothing done
    assert services_review.auto_batch_review_run(batch_id=published.pk, actor_id=reviewer_th.pk, comment="同意") == 0
    nothing = api.post(url, {"comment": "同意。"}, format="json")
    assert nothing.status_code == 400 and "没有待审批" in nothing.content.decode()


@pytest.mark.django_db
def test_the_batch_page_shows_every_candidate_a_page_at_a_time(setting, bureau_admin_th, client_for, monkeypatch):  # noqa: F811
    """A batch of thousands is paged, not cut at the first 500 (which it was)."""
    from proactive import views

    monkeypatch.setattr(views, "CANDIDATES_PER_PAGE", 2)
    staff = client_for(bureau_admin_th)
    url = reverse("proactive:auto_batch", args=[setting["batch"].pk])
    names = [c.enterprise.name for c in setting["batch"].candidates.order_by("pk").select_related("enterprise")]
    first, second = (staff.get(u).content.decode().split('id="candidates"')[1] for u in (url, url + "?page=2"))
    assert "第 1 / 2 页" in first and "第 2 / 2 页" in second
    assert [n in first for n in names] == [True, True, False]
    assert [n in second for n in names] == [False, False, True]
