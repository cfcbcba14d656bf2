"""Probe (issue 12): autosave never reports "saved" when the session has expired. The fetch is
answered with the sign-in page (a redirect); the form says the text was not saved and is kept in
this browser, and after signing in again the page puts it back and saves it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from applications.models import Application
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TYPED = "会话过期后输入的项目名称"


@pytest.fixture
def draft(catalogue, owner_a) -> Application:
    from applications.services import application_create
    from vouchers.models import ApplicationWindow

    programme = catalogue["hp-compute-voucher"]
    now = timezone.now()
    ApplicationWindow.objects.create(
        programme=programme, name="第一批", opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=30)
    )
    return application_create(
        actor=owner_a, programme=programme, data={"title": "原来的项目名称", "inputs": {"eligible_cost": "300000.00"}}
    ).application


def test_an_expired_session_is_not_reported_as_saved_and_the_text_is_kept(actors, owner_a, draft):
    ent = actors("enterprise")
    ent.login(owner_a.email, PASSWORD)
    page = ent.go(f"/applications/{draft.pk}/edit/")
    page.fill("#id_title", "第一次输入")
    page.locator(".saved-hint").filter(has_text="已自动保存").wait_for()

    Session.objects.all().delete()  # the session expires while the form is open
    page.fill("#id_title", TYPED)
    hint = page.locator(".saved-hint")
    hint.filter(has_text="登录已超时").wait_for()
    assert "已自动保存" not in hint.inner_text() and "已暂存在本浏览器" in hint.inner_text()
    kept = page.evaluate(f"window.localStorage.getItem('portal:autosave:/applications/{draft.pk}/autosave/')")
    assert kept and TYPED in kept
    draft.refresh_from_db()
    assert draft.title == "第一次输入"

    # signed in again, the page puts the text back and saves it
    ent.login(owner_a.email, PASSWORD)
    page = ent.go(f"/applications/{draft.pk}/edit/")
    assert page.input_value("#id_title") == TYPED
    page.locator(".saved-hint").filter(has_text="已自动保存").wait_for()
    draft.refresh_from_db()
    assert draft.title == TYPED
    assert page.evaluate(f"window.localStorage.getItem('portal:autosave:/applications/{draft.pk}/autosave/')") is None
    # a later visit does not bring back an old copy over what the server holds
    page = ent.go(f"/applications/{draft.pk}/edit/")
    assert page.input_value("#id_title") == TYPED


def test_a_stale_copy_never_overwrites_a_newer_save(actors, owner_a, draft):
    ent = actors("enterprise")
    ent.login(owner_a.email, PASSWORD)
    page = ent.go(f"/applications/{draft.pk}/edit/")
    page.evaluate(f"""window.localStorage.setItem('portal:autosave:/applications/{draft.pk}/autosave/',
        JSON.stringify({{base: "2020-01-01T00:00:00+00:00", fields: [["title", "旧的暂存内容"]]}}))""")
    page = ent.go(f"/applications/{draft.pk}/edit/")
    assert page.input_value("#id_title") == "原来的项目名称"
    ent.assert_clean()
