import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.models import Enterprise
from applications.services import enterprise_register
from portal.models import AuditEvent, Role, User
from tests.factories import PASSWORD, UserFactory, make_uscc

pytestmark = pytest.mark.django_db


def test_registration_confirms_email_then_allows_login(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            reverse("register"),
            {
                "email": "New@Example.cn",
                "full_name": "新用户",
                "phone": "13800138000",
                "password1": "Guangzhou-AI-2026",
                "password2": "Guangzhou-AI-2026",
            },
        )
    assert r.status_code == 200
    user = User.objects.get(email="new@example.cn")
    assert user.role == Role.ENTERPRISE and not user.is_active
    assert len(mail.outbox) == 1
    link = re.search(r"http\S+/accounts/confirm/\S+/", mail.outbox[0].body).group(0)
    # not yet confirmed: login refused
    r = client.post(reverse("login"), {"username": "new@example.cn", "password": "Guangzhou-AI-2026"})
    assert r.status_code == 200 and "_auth_user_id" not in client.session
    r = client.get(link[link.index("/accounts") :])
    assert r.status_code == 302
    user.refresh_from_db()
    assert user.is_active and user.email_confirmed_at
    r = client.post(reverse("login"), {"username": "new@example.cn", "password": "Guangzhou-AI-2026"})
    assert r.status_code == 302
    assert AuditEvent.objects.filter(action="user.confirm_email", target_id=str(user.pk)).exists()


@pytest.mark.parametrize(
    "data,field,fragment",
    [
        ({"email": "bad-email"}, "email", "有效的电子邮箱"),
        ({"password1": "12345678901", "password2": "12345678901"}, "password1", "数字"),
        ({"password1": "short", "password2": "short"}, "password1", "太短"),
        ({"password2": "Different-Passw0rd"}, "password2", "不一致"),
        ({"phone": "12345"}, "phone", "手机号码"),
    ],
)
def test_registration_bad_input_is_refused_in_chinese(client, data, field, fragment):
    base = {
        "email": "x@example.cn",
        "full_name": "某人",
        "phone": "13800138000",
        "password1": "Guangzhou-AI-2026",
        "password2": "Guangzhou-AI-2026",
    }
    r = client.post(reverse("register"), {**base, **data})
    assert r.status_code == 400
    errors = " ".join(str(e) for e in r.context["form"].errors[field])
    assert fragment in errors
    assert not User.objects.filter(email="x@example.cn").exists()
    assert not mail.outbox


def test_an_email_with_an_account_is_told_by_mail_not_on_the_page(client, django_capture_on_commit_callbacks):
    """The page never says which addresses have an account (issue 12): it answers as for a new one,
    and the address's owner is told by e-mail to sign in or reset the password."""
    UserFactory(email="taken@example.cn")
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            reverse("register"),
            {
                "email": "TAKEN@example.cn",
                "full_name": "x",
                "phone": "13800138000",
                "password1": "Guangzhou-AI-2026",
                "password2": "Guangzhou-AI-2026",
            },
        )
    assert r.status_code == 200 and "已注册" not in r.content.decode()
    assert User.objects.filter(email__iexact="taken@example.cn").count() == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["taken@example.cn"]
    assert "已有账户" in mail.outbox[0].body and "/accounts/password/reset/" in mail.outbox[0].body


def test_lockout_after_repeated_failures(client, settings):
    UserFactory(email="victim@example.cn")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        r = client.post(reverse("login"), {"username": "victim@example.cn", "password": "wrong-password"})
        assert r.status_code == 200 and "_auth_user_id" not in client.session
    r = client.post(reverse("login"), {"username": "victim@example.cn", "password": "wrong-password"})
    assert r.status_code == 429
    # even the right password is refused while locked out
    r = client.post(reverse("login"), {"username": "victim@example.cn", "password": PASSWORD})
    assert r.status_code == 429
    assert "锁定" in r.content.decode()
    assert AuditEvent.objects.filter(action="auth.locked_out").exists()


def test_logout_and_password_reset(client):
    user = UserFactory(email="reset@example.cn")
    client.force_login(user, backend="portal.backends.EmailOrUsernameBackend")
    assert client.post(reverse("logout")).status_code == 302
    r = client.post(reverse("password_reset"), {"email": "reset@example.cn"})
    assert r.status_code == 302 and len(mail.outbox) == 1
    path = re.search(r"/accounts/password/reset/\S+/\S+/", mail.outbox[0].body).group(0)
    r = client.get(path, follow=True)
    form_url = r.redirect_chain[-1][0]
    r = client.post(form_url, {"new_password1": "Another-Strong-2026", "new_password2": "Another-Strong-2026"})
    assert r.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Another-Strong-2026")


def test_enterprise_register_validates_code_and_uniqueness(db):
    user = UserFactory()
    with pytest.raises(Exception) as err:
        enterprise_register(
            actor=user,
            credit_code="91440300708461136X",
            name="坏代码公司",
            registered_district="huangpu",
            tax_district="huangpu",
            stats_district="huangpu",
            contact_name="x",
            contact_phone="1",
        )
    assert "校验位" in str(err.value)
    assert not Enterprise.objects.exists()
    e = enterprise_register(
        actor=user,
        credit_code=make_uscc(1),
        name="好公司",
        registered_district="huangpu",
        tax_district="huangpu",
        stats_district="huangpu",
        contact_name="x",
        contact_phone="1",
        legal_representative="x",
        claimant_is_legal_representative=True,
        business_licence=SimpleUploadedFile("营业执照.pdf", b"%PDF-1.7\n%%EOF\n"),
    )
    assert e.members.get().user == user
    other = UserFactory()
    with pytest.raises(Exception) as err:
        enterprise_register(
            actor=other,
            credit_code=make_uscc(1).lower(),
            name="重复",
            registered_district="tianhe",
            tax_district="tianhe",
            stats_district="tianhe",
            contact_name="x",
            contact_phone="1",
        )
    assert "已注册" in str(err.value)
    assert Enterprise.objects.count() == 1


def test_admin_may_override_a_legacy_code_with_reason(db):
    admin = UserFactory(role=Role.BUREAU_ADMIN)
    e = enterprise_register(
        actor=admin,
        credit_code="91440300708461136X",
        override_reason="工商系统核实为历史代码",
        name="老企业",
        registered_district="huangpu",
        tax_district="huangpu",
        stats_district="huangpu",
        contact_name="x",
        contact_phone="1",
    )
    assert e.credit_code_override_reason == "工商系统核实为历史代码"
    event = AuditEvent.objects.get(action="enterprise.register")
    assert event.note == "工商系统核实为历史代码"


def test_an_ordinary_user_cannot_override(db):
    user = UserFactory()
    with pytest.raises(Exception):
        enterprise_register(
            actor=user,
            credit_code="91440300708461136X",
            override_reason="请通融",
            name="x",
            registered_district="huangpu",
            tax_district="huangpu",
            stats_district="huangpu",
            contact_name="x",
            contact_phone="1",
        )
    assert not Enterprise.objects.exists()


def test_home_page_is_chinese_and_admin_answers(client):
    r = client.get("/")
    assert r.status_code == 200 and "广州人工智能产业补贴券平台" in r.content.decode()
    assert 'lang="zh-CN"' in r.content.decode()
    r = client.get("/admin/", follow=True)
    assert r.status_code == 200


def test_english_is_selectable(client):
    r = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert r.status_code == 302
    r = client.get("/")
    assert 'lang="en"' in r.content.decode()


def test_roles_decide_staff_and_admin(db):
    assert UserFactory(role=Role.REVIEWER).is_staff_role
    assert not UserFactory(role=Role.ENTERPRISE).is_staff_role
    assert UserFactory(role=Role.BUREAU_ADMIN).is_bureau_admin
    assert not UserFactory(role=Role.PROVIDER).is_bureau_admin


def test_api_requires_authentication_and_schema_is_served(client, api_for, owner_a):
    assert api_for().get("/api/v1/me/").status_code in (401, 403)
    r = api_for(owner_a).get("/api/v1/me/")
    assert r.status_code == 200 and r.json()["enterprise_id"] == owner_a.membership.enterprise_id
    r = client.get("/api/schema/")
    assert r.status_code == 200 and b"openapi" in r.content
    r = client.get("/api/docs/")
    assert r.status_code == 200 and b"cdn" not in r.content.lower()


def test_chinese_even_for_an_english_browser(client):
    r = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="zh-CN"' in r.content.decode()
