"""The admin (管理后台) as a bureau's system administrator reads it (issue 17): stored JSON as labelled
lists, stored codes by their names, machine data marked as no language, django-otp in Chinese, the
selector's help in Chinese, and every input of a form named for a screen reader."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

from portal.admin_values import MACHINE_FIELDS, key_label, machine_text, readable
from portal.audit import audit_record
from portal.models import AuditEvent, Role
from tests.factories import UserFactory


@pytest.fixture
def admin_client(client, db):
    client.force_login(
        UserFactory(role=Role.SYSADMIN, is_staff=True, is_superuser=True, full_name="系统管理员"),
        backend="portal.backends.EmailOrUsernameBackend",
    )
    return client


def _text(html: str) -> str:
    """The words of a page, less what is marked as machine data (lang="zxx")."""
    html = re.sub(r'<span lang="zxx"[^>]*>.*?</span>', " ", html, flags=re.S)
    html = re.sub(r"<(script|style|textarea)\b.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


# ---------------------------------------------------------------- stored JSON


def test_json_reads_as_labelled_values():
    html = readable(
        {
            "registered_district": "tianhe",
            "is_startup": True,
            "is_above_scale": None,
            "lines": [{"line": "", "label": "申报企业", "amount": "1000000.00", "enterprise_id": 1}],
            "code": "th-compute-subsidy",
            "name": "<b>算力</b>",
        }
    )
    text = _text(html)
    assert "注册地" in text and "天河区" in text and "tianhe" not in text
    assert "是" in text and "1,000,000.00 元" in text and "企业编号" in text
    assert "th-compute-subsidy" not in text, "an internal code beside its name is not shown"
    assert "&lt;b&gt;" in html and "<b>" not in html, "stored text is escaped"
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), text


def test_parameter_names_and_criteria_in_json_are_named(db, catalogue):
    assert key_label("fixed_amount") != "fixed_amount"
    assert key_label("innovation") == "技术创新性"  # a review criterion of the catalogue


@pytest.mark.django_db
def test_an_audit_event_reads_in_chinese(admin_client):
    user = UserFactory(role=Role.ENTERPRISE)
    audit_record(
        actor=user,
        action="enterprise.register",
        target=user,
        after={"industry": "ai", "has_independent_accounts": False},
    )
    audit_record(actor=None, action="budget.award_reserve", target=user)
    event = AuditEvent.objects.get(action="enterprise.register")
    listing = admin_client.get("/admin/portal/auditevent/").content.decode()
    assert "登记企业" in listing and "预留奖励资金" in listing and "系统" in listing
    assert "enterprise.register" not in _text(listing) and "portal.user" not in _text(listing)
    page = _text(admin_client.get(f"/admin/portal/auditevent/{event.pk}/change/").content.decode())
    assert "所属行业" in page and "独立核算" in page and "否" in page
    assert '"industry"' not in page and "has_independent_accounts" not in page


def test_a_row_named_by_its_time_says_it_in_local_time(db):
    """An audit row and a supplement request are named (admin titles, breadcrumbs) by when they were
    made as the bureau reads clocks (Beijing time): 2026-03-01 23:30 UTC is 2 March, 07:30."""
    import datetime as dt

    from applications.models_supplement import SupplementRequest

    moment = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)
    # (unsaved: the audit table is append-only, PostgreSQL refuses to change a row's time)
    event = AuditEvent(created_at=moment, actor_label="系统", action="budget.award_reserve", target_type="portal.user")
    assert str(event).startswith("2026-03-02 07:30 ")
    assert str(SupplementRequest(application_id=7, created_at=moment)) == "7 补正 2026-03-02"


# ---------------------------------------------------------------- machine data


def test_machine_data_is_marked_as_no_language():
    assert str(machine_text("Mozilla/5.0 (X11; Linux x86_64)")) == (
        '<span lang="zxx" translate="no">Mozilla/5.0 (X11; Linux x86_64)</span>'
    )
    assert str(machine_text("")) == "—"


def test_only_named_fields_are_machine_data():
    """The exemption is field by field: each name is a field that exists (a typo would silently
    exempt nothing, a wildcard would exempt people's words)."""
    for name in MACHINE_FIELDS:
        app_label, model_name, field = name.split(".")
        model = apps.get_model(app_label, model_name)
        try:
            model._meta.get_field(field)
        except FieldDoesNotExist:
            pytest.fail(f"{name} is no field")
    assert not any(name.endswith((".note", ".name", ".message", ".reason", ".comment")) for name in MACHINE_FIELDS)


@pytest.mark.django_db
def test_a_browser_user_agent_is_data_and_the_user_name_is_not(admin_client):
    from axes.models import AccessLog

    AccessLog.objects.create(
        username="someone@demo.cn", user_agent="Mozilla/5.0 HeadlessChrome", ip_address="10.0.0.1", path_info="/login/"
    )
    html = admin_client.get("/admin/axes/accesslog/").content.decode()
    assert '<span lang="zxx" translate="no">Mozilla/5.0 HeadlessChrome</span>' in html
    assert "someone@demo.cn 于" in html, "the row is named in Chinese"
    assert "Access Log" not in html
    cell = re.search(r'<td class="field-username">(.*?)</td>', html).group(1)
    assert "lang=" not in cell
    sidebar = re.search(r'id="changelist-filter".*?</nav>', html, re.S).group(0)
    assert '<span lang="zxx" translate="no">/login/</span>' in sidebar, "the path filter offers paths as data"


# ---------------------------------------------------------------- codes by their names


@pytest.mark.django_db
def test_application_events_and_attachments_show_names(admin_client, catalogue, owner_a):
    from applications.models import ApplicationEvent, Attachment
    from applications.services.drafts import application_create

    app = application_create(
        actor=owner_a, programme=catalogue["th-compute-subsidy"], data={"title": "算力"}
    ).application
    ApplicationEvent.objects.create(application=app, action="submit", from_state="draft", to_state="submitted")
    code = app.programme.materials[0]["code"]
    Attachment.objects.create(
        application=app,
        material=code,
        file="attachments/2026/12/x.pdf",
        original_name="合同.pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
        uploaded_by=owner_a,
    )
    events = _text(admin_client.get("/admin/applications/applicationevent/").content.decode())
    assert "提交申报" in events and " submit" not in events
    files = _text(admin_client.get("/admin/applications/attachment/").content.decode())
    assert app.programme.materials[0]["label_zh"] in files and code not in files
    assert "application/pdf" not in files


@pytest.mark.django_db
def test_parameters_are_filtered_by_their_names(admin_client, catalogue):
    html = admin_client.get("/admin/vouchers/parametervalue/").content.decode()
    sidebar = _text(
        re.search(r'<div id="changelist-filter".*?</nav>|<nav id="changelist-filter".*?</nav>', html, re.S).group(0)
    )
    assert "政策有效期内每家企业最高" in sidebar and "cap_per_enterprise_period" not in sidebar


# ---------------------------------------------------------------- third-party words


@pytest.mark.django_db
def test_two_step_verification_reads_in_chinese(admin_client):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=UserFactory(full_name="张三"), name="default")
    html = admin_client.get("/admin/otp_totp/totpdevice/").content.decode()
    listing = _text(html)
    assert "最近使用时间" in listing and "查看二维码" in listing and "张三的动态码设备" in html
    assert not re.search(r"Created at|Last used|Confirmed|Search by|QR Code", listing)
    page = _text(admin_client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/").content.decode())
    assert "动态码设置" in page and "时间步长（秒）" in page
    assert not re.search(r"Identity|Timestamps|Throttling|The time step", page)


def test_otp_field_names_leave_the_migrations_alone():
    from django_otp.plugins.otp_totp.models import TOTPDevice

    field = TOTPDevice._meta.get_field("step")
    assert str(field.verbose_name) == "时间步长（秒）"
    assert "verbose_name" not in field.deconstruct()[3]


@pytest.mark.django_db
def test_the_selector_and_the_sort_priority_read_in_chinese(admin_client):
    script = admin_client.get("/admin/jsi18n/").content.decode()
    assert "\\u9009\\u62e9\\u5168\\u90e8%s" in script or "选择全部%s" in script  # Choose all %s
    assert "按住控制键" in admin_client.get(f"/admin/portal/user/{UserFactory().pk}/change/").content.decode()
    listing = admin_client.get("/admin/portal/user/?o=1.2").content.decode()
    assert "排序优先级：" in listing and "排序优先级:" not in listing


# ---------------------------------------------------------------- every input named


@pytest.mark.django_db
def test_date_and_time_boxes_and_inline_rows_are_named(admin_client):
    from applications.models import EnterpriseMember
    from tests.factories import EnterpriseFactory

    user = UserFactory(role=Role.ENTERPRISE)
    user.last_login = user.date_joined
    user.save()
    html = admin_client.get(f"/admin/portal/user/{user.pk}/change/").content.decode()
    assert re.search(r'<input[^>]*aria-label="上次登录（日期）"[^>]*name="last_login_0"', html) or re.search(
        r'name="last_login_0"[^>]*aria-label="[^"]+（日期）"', html
    )
    enterprise = EnterpriseFactory()
    EnterpriseMember.objects.create(enterprise=enterprise, user=user, member_role="owner")
    form = admin_client.get(f"/admin/applications/enterprise/{enterprise.pk}/change/").content.decode()
    for name in ("members-0-member_role", "members-0-user", "members-0-DELETE"):
        tag = re.search(rf'<(?:input|select)[^>]*name="{name}"[^>]*>', form).group(0)
        assert re.search(r'aria-label="[^"]+（第 1 行）"', tag), tag
