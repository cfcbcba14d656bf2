"""免申即享 from a prepared batch to the letter: publishing files a real application per candidate (route
免申, inputs from facts with their sources, submitted by the system) and proposes the money decision
through the four-eyes chain; after the last step the awards are reserved and listed for 公示; the
enterprise confirms in one step (verified 收款账户 + declaration) and the award becomes final with its
letter, or declines / lapses and its reservation is released."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from applications.models import Application, ApplicationEvent
from applications.workflow import Route, State
from portal.models import AuditEvent, Notification
from portal.workdays import add_workdays
from proactive.models import AutoAwardBatch, AutoAwardCandidate, Department, EnterpriseFact
from proactive.services_auto import auto_batch_notice, auto_batch_prepare, auto_batch_publish
from proactive.services_confirm import auto_award_confirm, auto_award_decline, auto_awards_due
from reviews.models import DecisionProposal, PublicNoticeEntry
from reviews.services.notices import public_notices_close_due
from tests.approvals import walk
from tests.factories import EnterpriseFactory
from tests.vouchers.payments_helpers import verified_account
from vouchers.models import ApplicationWindow, Award
from vouchers.services.budget import pool_set_amount

TIANHE = {"registered_district": "tianhe", "tax_district": "tianhe", "stats_district": "tianhe"}
Y = timezone.localdate().year


def window_of(programme):
    now = timezone.now()
    return ApplicationWindow.objects.create(
        programme=programme,
        name="免申第一批",
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=30),
    )


def dcmm(enterprise, level):
    EnterpriseFact.objects.create(
        enterprise=enterprise,
        kind="dcmm_level",
        value=level,
        department=Department.BUREAU,
        source="数据管理能力成熟度评估结果名单",
    )


@pytest.fixture
def setting(catalogue, bureau_admin_th, enterprise_a, owner_a):
    """enterprise A (Tianhe, 规上, DCMM 4) and two other Tianhe firms, a pool of 400,000 and a window."""
    programme = catalogue["th-dcmm"]
    pool_set_amount(actor=bureau_admin_th, programme=programme, fiscal_year=Y, amount=Decimal("400000"))
    for k, v in {**TIANHE, "is_above_scale": True}.items():
        setattr(enterprise_a, k, v)
    enterprise_a.save()
    others = [EnterpriseFactory(is_above_scale=True, **TIANHE) for _ in range(2)]
    for firm, level in ((enterprise_a, "4"), (others[0], "5"), (others[1], "3")):
        dcmm(firm, level)
    EnterpriseFact.objects.update(updated_at=timezone.now() - dt.timedelta(minutes=1))
    window = window_of(programme)
    batch = auto_batch_prepare(actor=bureau_admin_th, window=window, facts_cutoff=timezone.now(), seed=3)
    return {"programme": programme, "window": window, "batch": batch, "others": others}


def publish_and_walk(batch, actor):
    results = auto_batch_publish(actor=actor, batch=batch, mode="rank", comment="免申即享，数据已抽查。")
    for p in DecisionProposal.objects.filter(application__route=Route.AUTO, status="pending"):
        walk(p)
    return results


@pytest.mark.django_db
def test_publish_files_applications_and_proposes_through_the_chain(setting, bureau_admin_th, enterprise_a):
    batch = setting["batch"]
    results = auto_batch_publish(actor=bureau_admin_th, batch=batch, mode="rank", comment="免申即享，数据已抽查。")
    assert [r.ok for r in results] == [True, True, True]
    apps = Application.objects.filter(route=Route.AUTO)
    assert apps.count() == 3 and set(apps.values_list("state", flat=True)) == {State.BUREAU_REVIEW}
    mine = apps.get(enterprise=enterprise_a)
    assert mine.inputs == {"dcmm_level": "4"} and mine.window == setting["window"]
    assert mine.input_sources["dcmm_level"]["source"] == "数据管理能力成熟度评估结果名单"
    submit = mine.events.get(action="auto_submit")
    assert submit.actor is None and submit.from_state == State.DRAFT  # the system, on the enterprise's behalf
    assert mine.submitted_at is not None and mine.title == f"{mine.programme.name_zh}（免申即享）"
    assert AutoAwardCandidate.objects.get(application=mine).batch == batch
    # nothing reserved before the chain's last step
    assert not Award.objects.exists()
    assert DecisionProposal.objects.filter(status="pending").count() == 3
    for p in DecisionProposal.objects.all():
        walk(p)
    assert set(apps.values_list("state", flat=True)) == {State.APPROVED_PENDING_NOTICE}
    assert Award.objects.filter(status=Award.Status.RESERVED).count() == 3
    batch.refresh_from_db()
    assert batch.state == AutoAwardBatch.State.PUBLISHED
    with pytest.raises(ValidationError):  # once only
        auto_batch_publish(actor=bureau_admin_th, batch=batch, mode="rank", comment="再发一次")


@pytest.mark.django_db
def test_publish_refused_to_the_wrong_cast_changes_nothing(setting, bureau_admin, reviewer_th, owner_a):
    for actor in (bureau_admin, reviewer_th, owner_a):
        with pytest.raises(PermissionDenied):
            auto_batch_publish(actor=actor, batch=setting["batch"], mode="rank", comment="越权")
    assert not Application.objects.exists() and not DecisionProposal.objects.exists()
    setting["batch"].refresh_from_db()
    assert setting["batch"].state == AutoAwardBatch.State.PREPARED


@pytest.mark.django_db
def test_confirmed_award_becomes_final_with_its_letter(
    setting, bureau_admin_th, enterprise_a, owner_a, django_capture_on_commit_callbacks
):
    account = verified_account(enterprise_a, owner_a, bureau_admin_th)
    publish_and_walk(setting["batch"], bureau_admin_th)
    with django_capture_on_commit_callbacks(execute=True):
        notice = auto_batch_notice(actor=bureau_admin_th, batch=setting["batch"])
    mine = AutoAwardCandidate.objects.get(enterprise=enterprise_a)
    assert mine.confirm_by == add_workdays(notice.starts_on, 10)
    assert Notification.objects.filter(recipient=owner_a, subject__contains="免申即享").exists()
    with pytest.raises(ValidationError):  # no declaration
        auto_award_confirm(actor=owner_a, candidate=mine, account=account.pk, declaration=False)
    auto_award_confirm(actor=owner_a, candidate=mine, account=account.pk, declaration=True)
    mine.refresh_from_db()
    assert mine.response == "confirmed" and mine.account == account and mine.application.confirmed_at
    after = timezone.now() + dt.timedelta(days=30)
    done = public_notices_close_due(now=after)
    assert done["finalized"] == [mine.application_id]  # the others wait for their confirmation
    app = Application.objects.get(pk=mine.application_id)
    assert app.state == State.APPROVED and app.letters.filter(kind="approval").exists()
    assert Award.objects.get(application=app).status == Award.Status.COMMITTED


@pytest.mark.django_db
def test_decline_and_lapse_release_the_reservation(
    setting, bureau_admin_th, enterprise_a, owner_a, owner_b, django_capture_on_commit_callbacks
):
    publish_and_walk(setting["batch"], bureau_admin_th)
    auto_batch_notice(actor=bureau_admin_th, batch=setting["batch"])
    mine = AutoAwardCandidate.objects.get(enterprise=enterprise_a)
    with pytest.raises(PermissionDenied):  # another enterprise's owner
        auto_award_decline(actor=owner_b, candidate=mine)
    assert Award.objects.get(application=mine.application_id).status == Award.Status.RESERVED
    auto_award_decline(actor=owner_a, candidate=mine, reason="不需要")
    mine.refresh_from_db()
    assert mine.response == "declined" and mine.application.state == State.WITHDRAWN
    assert Award.objects.get(application=mine.application_id).status == Award.Status.RELEASED
    assert PublicNoticeEntry.objects.get(application=mine.application_id).status == "withdrawn"
    # the others: reminded once when the deadline nears, then lapse after it
    confirm_by = mine.confirm_by
    near = timezone.make_aware(dt.datetime.combine(confirm_by, dt.time(9)))
    with django_capture_on_commit_callbacks(execute=True):
        first = auto_awards_due(now=near)
    assert len(first["reminded"]) == 2 and not first["lapsed"]
    assert auto_awards_due(now=near)["reminded"] == []  # once only
    with django_capture_on_commit_callbacks(execute=True):
        late = auto_awards_due(now=near + dt.timedelta(days=1))
    assert len(late["lapsed"]) == 2
    assert Notification.objects.filter(recipient=owner_b).count() == 0
    others = setting["others"]
    assert (
        Notification.objects.filter(
            subject__contains="提醒：请确认领取免申即享奖励", recipient__membership__enterprise=others[0]
        ).count()
        <= 1
    )
    lapsed = AutoAwardCandidate.objects.filter(response="lapsed")
    assert lapsed.count() == 2
    assert set(Award.objects.filter(application__in=lapsed.values("application")).values_list("status", flat=True)) == {
        Award.Status.RELEASED
    }
    assert AuditEvent.objects.filter(action="proactive.auto_lapse").count() == 2
    assert ApplicationEvent.objects.filter(action="auto_lapse").count() == 2
    assert auto_awards_due(now=near + dt.timedelta(days=2)) == {"reminded": [], "lapsed": []}  # idempotent


@pytest.mark.django_db
def test_pages_publish_list_and_confirm(
    setting, bureau_admin_th, bureau_admin, enterprise_a, owner_a, owner_b, client_for
):
    from django.urls import reverse

    account = verified_account(enterprise_a, owner_a, bureau_admin_th)
    batch = setting["batch"]
    publish = reverse("proactive:auto_batch_publish", args=[batch.pk])
    assert client_for(bureau_admin).post(publish, {"mode": "rank", "comment": "越区"}).status_code == 404
    assert client_for(owner_a).post(publish, {"mode": "rank", "comment": "越权"}).status_code == 403
    assert not Application.objects.exists()
    staff = client_for(bureau_admin_th)
    assert staff.post(publish, {"mode": "rank", "comment": ""}).status_code == 400  # the 经办意见 is required
    response = staff.post(publish, {"mode": "rank", "comment": "数据已抽查。"})
    assert response.status_code == 302 and Application.objects.filter(route=Route.AUTO).count() == 3
    for p in DecisionProposal.objects.all():
        walk(p)
    assert staff.post(reverse("proactive:auto_batch_notice", args=[batch.pk])).status_code == 302
    page = staff.get(reverse("proactive:auto_batch", args=[batch.pk])).content.decode()
    assert "公示中" in page and "待确认" in page
    mine = AutoAwardCandidate.objects.get(enterprise=enterprise_a)
    url = reverse("proactive:auto_awards")
    assert client_for(owner_b).post(url, {"award": mine.pk, "action": "decline"}).status_code == 404
    c = client_for(owner_a)
    listed = c.get(url).content.decode()
    assert "数据管理能力成熟度评估结果名单" in listed and "确认领取" in listed
    assert c.post(url, {"award": mine.pk, "account": account.pk}).status_code == 400  # no declaration
    mine.refresh_from_db()
    assert mine.response == "pending"
    assert c.post(url, {"award": mine.pk, "account": account.pk, "declaration": "on"}).status_code == 302
    mine.refresh_from_db()
    assert mine.response == "confirmed" and mine.account == account


@pytest.mark.django_db
def test_api_publish_notice_confirm(
    setting, bureau_admin_th, bureau_admin, enterprise_a, owner_a, owner_b, reviewer_th, api_for
):
    account = verified_account(enterprise_a, owner_a, bureau_admin_th)
    batch = setting["batch"]
    body = {"mode": "pro_rata", "comment": "数据已抽查。"}
    for user, code in ((reviewer_th, 403), (owner_a, 403), (bureau_admin, 404)):
        assert (
            api_for(user).post(f"/api/v1/auto-award-batches/{batch.pk}/publish/", body, format="json").status_code
            == code
        )
    assert not Application.objects.exists()
    done = api_for(bureau_admin_th).post(f"/api/v1/auto-award-batches/{batch.pk}/publish/", body, format="json")
    assert done.status_code == 200 and all(r["ok"] for r in done.json())
    for p in DecisionProposal.objects.all():
        walk(p)
    listed = api_for(bureau_admin_th).post(f"/api/v1/auto-award-batches/{batch.pk}/notice/", {}, format="json")
    assert listed.status_code == 201 and listed.json()["state"] == "listed"
    mine = AutoAwardCandidate.objects.get(enterprise=enterprise_a)
    assert (
        api_for(owner_b)
        .post(f"/api/v1/auto-awards/{mine.pk}/confirm/", {"account": account.pk, "declaration": True}, format="json")
        .status_code
        == 404
    )
    assert api_for(owner_a).get("/api/v1/auto-awards/").json()["results"][0]["id"] == mine.pk
    bad = api_for(owner_a).post(
        f"/api/v1/auto-awards/{mine.pk}/confirm/", {"account": account.pk + 999, "declaration": True}, format="json"
    )
    assert bad.status_code == 400
    ok = api_for(owner_a).post(
        f"/api/v1/auto-awards/{mine.pk}/confirm/", {"account": account.pk, "declaration": True}, format="json"
    )
    assert ok.status_code == 200 and ok.json()["response"] == "confirmed"
    cands = api_for(bureau_admin_th).get(f"/api/v1/auto-award-batches/{batch.pk}/candidates/").json()["results"]
    assert {c["response"] for c in cands} == {"confirmed", "pending"}
    assert {c["application_state"] for c in cands} == {State.IN_PUBLIC_NOTICE}


@pytest.mark.django_db
def test_lapse_tells_the_enterprise_and_its_pages_show_the_award(
    setting, bureau_admin_th, enterprise_a, owner_a, client_for, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    publish_and_walk(setting["batch"], bureau_admin_th)
    auto_batch_notice(actor=bureau_admin_th, batch=setting["batch"])
    mine = AutoAwardCandidate.objects.get(enterprise=enterprise_a)
    detail = client_for(owner_a).get(reverse("applications:detail", args=[mine.application_id]))
    assert detail.status_code == 200 and mine.application.reference in detail.content.decode()
    late = timezone.make_aware(dt.datetime.combine(mine.confirm_by + dt.timedelta(days=1), dt.time(9)))
    with django_capture_on_commit_callbacks(execute=True):
        assert mine.pk in auto_awards_due(now=late - dt.timedelta(days=1))["reminded"]  # on the deadline
    passed = mine.confirm_by
    AutoAwardCandidate.objects.filter(pk=mine.pk).update(confirm_by=timezone.localdate() - dt.timedelta(days=1))
    account = verified_account(enterprise_a, owner_a, bureau_admin_th)
    with pytest.raises(ValidationError, match="确认期限已于"):  # past the deadline it can no longer confirm
        auto_award_confirm(actor=owner_a, candidate=mine, account=account.pk, declaration=True)
    AutoAwardCandidate.objects.filter(pk=mine.pk).update(confirm_by=passed)
    with django_capture_on_commit_callbacks(execute=True):
        assert mine.pk in auto_awards_due(now=late)["lapsed"]
    told = Notification.objects.filter(recipient=owner_a).values_list("subject", flat=True)
    assert any("免申即享奖励已失效" in s for s in told) and any("提醒" in s for s in told)
    page = client_for(owner_a).get(reverse("proactive:auto_awards")).content.decode()
    assert "逾期未确认，已失效" in page
