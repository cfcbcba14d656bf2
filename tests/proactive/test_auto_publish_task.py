"""免申即享: a batch bigger than PUBLISH_IN_REQUEST_MAX is published (and its 公示 of more than
NOTICE_IN_REQUEST_MAX listed) by a Celery task, not in the request:
the page shows the progress until it is done, a second request meanwhile is refused, a failure changes
nothing and is shown (the batch can be published again), and a task delivered twice files nothing twice."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from applications.models import Application
from applications.workflow import Route
from portal.models import Role
from portal.outbox import outbox_run_pending
from proactive import services_auto
from proactive.models import AutoAwardBatch, AutoAwardCandidate
from proactive.services_auto import auto_batch_publish_run, auto_batch_publishing
from reviews.models import DecisionProposal, PublicNotice
from tests.proactive.test_auto_publish import publish_and_walk, setting, walk  # noqa: F401 (setting: a batch of three)


@pytest.fixture
def big(setting, monkeypatch, settings):  # noqa: F811
    """Three candidates count as a big batch; the task waits until the test runs it (deferred). The
    progress kept in the cache is that of this test only."""
    monkeypatch.setattr(services_auto, "PUBLISH_IN_REQUEST_MAX", 2)
    monkeypatch.setattr(services_auto, "NOTICE_IN_REQUEST_MAX", 2)
    settings.PORTAL_EAGER_TASKS = "deferred"
    key = services_auto.progress_key(setting["batch"].pk)
    cache.delete(key)
    yield
    cache.delete(key)


@pytest.mark.django_db
def test_big_batch_is_published_by_the_task_and_the_page_shows_progress(
    setting,  # noqa: F811
    big,
    bureau_admin_th,
    client_for,
):
    batch = setting["batch"]
    staff = client_for(bureau_admin_th)
    url = reverse("proactive:auto_batch_publish", args=[batch.pk])
    response = staff.post(url, {"mode": "rank", "comment": "已抽查。"})
    assert response.status_code == 302
    assert not Application.objects.exists()  # nothing filed in the request
    page = staff.get(reverse("proactive:auto_batch", args=[batch.pk])).content.decode()
    assert "正在后台生成申报，已完成 0 件，共 3 件" in page and "发布并提交审批" not in page
    again = staff.post(url, {"mode": "rank", "comment": "再发"})
    assert again.status_code == 400 and "正在后台发布" in again.content.decode()
    assert outbox_run_pending() >= 1
    batch.refresh_from_db()
    assert batch.state == AutoAwardBatch.State.PUBLISHED
    assert Application.objects.filter(route=Route.AUTO).count() == 3
    assert DecisionProposal.objects.filter(status="pending").count() == 3
    assert auto_batch_publishing(batch.pk) is None
    page = staff.get(reverse("proactive:auto_batch", args=[batch.pk])).content.decode()
    assert "正在后台生成申报" not in page and "发布公示" in page
    # delivered twice (acks_late): the second run finds the batch published and files nothing
    assert auto_batch_publish_run(batch_id=batch.pk, actor_id=bureau_admin_th.pk, mode="rank", comment="重复") == 0
    assert Application.objects.count() == 3


@pytest.mark.django_db
def test_a_failed_background_publish_changes_nothing_and_can_be_retried(
    setting,  # noqa: F811
    big,
    bureau_admin_th,
    client_for,
):
    batch = setting["batch"]
    staff = client_for(bureau_admin_th)
    url = reverse("proactive:auto_batch_publish", args=[batch.pk])
    assert staff.post(url, {"mode": "rank", "comment": "已抽查。"}).status_code == 302
    bureau_admin_th.role = Role.REVIEWER  # no longer an administrator when the task runs
    bureau_admin_th.save(update_fields=["role"])
    outbox_run_pending()
    batch.refresh_from_db()
    assert batch.state == AutoAwardBatch.State.PREPARED and not Application.objects.exists()
    assert auto_batch_publishing(batch.pk)["state"] == "failed"
    bureau_admin_th.role = Role.BUREAU_ADMIN
    bureau_admin_th.save(update_fields=["role"])
    page = staff.get(reverse("proactive:auto_batch", args=[batch.pk])).content.decode()
    assert "后台发布未成功，未作任何更改" in page and "发布并提交审批" in page
    assert staff.post(url, {"mode": "rank", "comment": "重新发布。"}).status_code == 302
    outbox_run_pending()
    batch.refresh_from_db()
    assert batch.state == AutoAwardBatch.State.PUBLISHED and Application.objects.count() == 3


@pytest.mark.django_db
def test_small_batch_is_still_published_in_the_request(setting, bureau_admin_th, client_for):  # noqa: F811
    batch = setting["batch"]
    response = client_for(bureau_admin_th).post(
        reverse("proactive:auto_batch_publish", args=[batch.pk]), {"mode": "rank", "comment": "已抽查。"}
    )
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.state == AutoAwardBatch.State.PUBLISHED and Application.objects.count() == 3


@pytest.mark.django_db
def test_big_notice_is_listed_by_the_task(setting, big, bureau_admin_th, client_for):  # noqa: F811
    batch = setting["batch"]
    publish_and_walk(batch, bureau_admin_th)
    staff = client_for(bureau_admin_th)
    response = staff.post(reverse("proactive:auto_batch_notice", args=[batch.pk]))
    assert response.status_code == 302
    assert not AutoAwardCandidate.objects.exclude(confirm_by=None).exists()  # nothing listed in the request
    page = staff.get(reverse("proactive:auto_batch", args=[batch.pk])).content.decode()
    assert "正在后台发布公示并通知企业，共 3 件" in page
    outbox_run_pending()
    batch.refresh_from_db()
    assert batch.state == AutoAwardBatch.State.LISTED
    assert AutoAwardCandidate.objects.filter(batch=batch).exclude(confirm_by=None).count() == 3
    assert PublicNotice.objects.count() == 1 and auto_batch_publishing(batch.pk) is None
    assert services_auto.auto_batch_notice_run(batch_id=batch.pk, actor_id=bureau_admin_th.pk) == 0  # redelivered
    assert PublicNotice.objects.count() == 1


@pytest.mark.django_db
def test_through_the_api_a_big_batch_is_published_and_listed_by_the_task(
    setting,  # noqa: F811
    big,
    bureau_admin_th,
    api_for,
):
    """The API answers 202 with the batch and its progress, as the page does, instead of publishing
    (or listing) thousands of candidates inside the request."""
    batch = setting["batch"]
    api = api_for(bureau_admin_th)
    base = f"/api/v1/auto-award-batches/{batch.pk}"
    response = api.post(f"{base}/publish/", {"mode": "rank", "comment": "已抽查。"}, format="json")
    assert response.status_code == 202, response.content
    assert response.json()["progress"] == {"what": "publish", "state": "queued", "done": 0, "total": 3, "error": ""}
    assert not Application.objects.exists()
    again = api.post(f"{base}/publish/", {"mode": "rank", "comment": "再发"}, format="json")
    assert again.status_code == 400 and "正在后台发布" in again.content.decode()
    outbox_run_pending()
    assert Application.objects.filter(route=Route.AUTO).count() == 3
    assert api.get(f"{base}/").json()["progress"] is None
    for p in DecisionProposal.objects.filter(application__route=Route.AUTO, status="pending"):
        walk(p)
    listed = api.post(f"{base}/notice/")
    assert listed.status_code == 202 and listed.json()["progress"]["what"] == "notice"
    assert not PublicNotice.objects.exists()
    outbox_run_pending()
    batch.refresh_from_db()
    assert batch.state == AutoAwardBatch.State.LISTED and PublicNotice.objects.count() == 1
