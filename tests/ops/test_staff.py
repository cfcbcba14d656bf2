"""The first system administrator and every staff account made by the operator: the role, a TOTP
authenticator (the secret and otpauth URI printed once), recovery codes (django-otp static tokens),
an audit row; and the supported reset of a lost authenticator (audited, with a reason)."""

from __future__ import annotations

import base64
import io
import re
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from portal.models import AuditEvent, Role, User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def create(monkeypatch, *args: str, password: str = PASSWORD) -> str:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    out = io.StringIO()
    call_command("staff_create", *args, "--password-stdin", stdout=out)
    return out.getvalue()


def printed_secret(output: str) -> bytes:
    line = next(line for line in output.splitlines() if "secret (type it in):" in line)
    secret = line.split(":", 1)[1].replace(" ", "").strip()
    return base64.b32decode(secret + "=" * (-len(secret) % 8))


def printed_codes(output: str) -> list[str]:
    after = output.split("Recovery codes", 1)[1]
    return re.findall(r"^\s+([a-z2-7]{8})\s*$", after, flags=re.M)


def code_for(key: bytes, *, step_ahead: int = 0) -> str:
    totp = TOTP(key, step=30, t0=0, digits=6)
    totp.time = time.time() + 30 * step_ahead
    return f"{totp.token():06d}"


def sign_in(client: Client, email: str) -> None:
    r = client.post("/accounts/login/", {"username": email, "password": PASSWORD})
    assert r.status_code == 302, r.content.decode()[:300]


def test_the_first_system_administrator(monkeypatch, settings):
    settings.PORTAL_STAFF_REQUIRE_2FA = True
    out = create(monkeypatch, "--email", "Ops@Example.gov.cn", "--role", "sysadmin", "--full-name", "运维", "--no-qr")
    user = User.objects.get(email="Ops@example.gov.cn")
    assert user.role == Role.SYSADMIN and user.is_superuser and user.is_staff and user.email_confirmed_at
    assert user.check_password(PASSWORD)
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed
    assert "otpauth://totp/" in out and device.config_url in out
    assert printed_secret(out) == device.bin_key
    codes = printed_codes(out)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert sorted(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == sorted(codes)
    event = AuditEvent.objects.get(action="user.staff_create")
    assert event.target_id == str(user.pk) and event.after["role"] == "sysadmin" and event.actor_label == "system"

    # the printed secret is the second factor: the portal and the admin open after it
    client = Client()
    sign_in(client, user.email)
    assert client.get("/admin/").status_code == 302  # to the TOTP step first
    r = client.post("/accounts/otp/verify/?next=/admin/", {"token": code_for(printed_secret(out))})
    assert r.status_code == 302 and r["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_recovery_code_works_once_and_is_audited(monkeypatch, settings):
    settings.PORTAL_STAFF_REQUIRE_2FA = True
    out = create(
        monkeypatch, "--email", "reviewer@example.gov.cn", "--role", "reviewer", "--district", "huangpu", "--no-qr"
    )
    code = printed_codes(out)[0]
    client = Client()
    sign_in(client, "reviewer@example.gov.cn")
    r = client.post("/accounts/otp/verify/?next=/review/", {"token": code.upper()})
    assert r.status_code == 302 and r["Location"] == "/review/"
    assert client.get("/review/").status_code == 200
    event = AuditEvent.objects.get(action="auth.recovery_code_used")
    assert event.after == {"remaining": 9}

    again = Client()
    sign_in(again, "reviewer@example.gov.cn")
    r = again.post("/accounts/otp/verify/?next=/review/", {"token": code})
    assert r.status_code == 200  # spent
    assert again.get("/review/").status_code == 302


def test_staff_accounts_get_their_role_and_no_admin(monkeypatch):
    create(monkeypatch, "--email", "expert@example.gov.cn", "--role", "expert", "--district", "huangpu", "--no-qr")
    user = User.objects.get(email="expert@example.gov.cn")
    assert user.role == Role.EXPERT and not user.is_superuser and not user.is_staff
    assert AuditEvent.objects.filter(action="user.staff_create", target_id=str(user.pk)).count() == 1


def test_a_district_role_needs_its_district_and_a_system_administrator_has_none(monkeypatch):
    """所属区域: reviewers, experts and bureau administrators work on one district's policies; the
    system administrator sees every district."""
    out = create(monkeypatch, "--email", "th@example.gov.cn", "--role", "reviewer", "--district", "tianhe", "--no-qr")
    assert User.objects.get(email="th@example.gov.cn").district == "tianhe" and "district tianhe" in out
    with pytest.raises(CommandError, match="belongs to a district"):
        create(monkeypatch, "--email", "nowhere@example.gov.cn", "--role", "expert", "--no-qr")
    with pytest.raises(CommandError, match="belongs to no district"):
        create(monkeypatch, "--email", "ops@example.gov.cn", "--role", "sysadmin", "--district", "huangpu", "--no-qr")
    assert list(User.objects.values_list("email", flat=True)) == ["th@example.gov.cn"]


def test_refusals(monkeypatch):
    create(monkeypatch, "--email", "ops@example.gov.cn", "--role", "sysadmin", "--no-qr")
    with pytest.raises(CommandError, match="exists already"):
        create(monkeypatch, "--email", "OPS@example.gov.cn", "--role", "reviewer", "--district", "huangpu", "--no-qr")
    with pytest.raises(CommandError):
        create(monkeypatch, "--email", "someone@example.gov.cn", "--role", "enterprise", "--no-qr")
    with pytest.raises(CommandError):  # the password validators apply
        create(
            monkeypatch,
            "--email",
            "weak@example.gov.cn",
            "--role",
            "reviewer",
            "--district",
            "huangpu",
            "--no-qr",
            password="123",
        )
    assert User.objects.count() == 1 and AuditEvent.objects.filter(action="user.staff_create").count() == 1


def test_a_generated_password_is_printed(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal, no --password-stdin
    out = io.StringIO()
    call_command(
        "staff_create",
        "--email",
        "gen@example.gov.cn",
        "--role",
        "bureau_admin",
        "--district",
        "huangpu",
        "--no-qr",
        stdout=out,
    )
    password = re.search(r"password: (\S+)", out.getvalue()).group(1)
    assert User.objects.get(email="gen@example.gov.cn").check_password(password)


def test_the_qr_code_is_drawn(monkeypatch):
    out = create(monkeypatch, "--email", "qr@example.gov.cn", "--role", "reviewer", "--district", "huangpu")
    assert "█" in out or "▀" in out or "▄" in out


def test_reset_of_a_lost_authenticator(monkeypatch, settings):
    settings.PORTAL_STAFF_REQUIRE_2FA = True
    first = create(
        monkeypatch, "--email", "lost@example.gov.cn", "--role", "reviewer", "--district", "huangpu", "--no-qr"
    )
    user = User.objects.get(email="lost@example.gov.cn")
    AuthToken.objects.create(user=user)
    old_key, old_codes = printed_secret(first), printed_codes(first)

    with pytest.raises(CommandError):  # the reason is required
        call_command("staff_otp_reset", "--email", user.email)
    with pytest.raises(CommandError, match="No account"):
        call_command("staff_otp_reset", "--email", "nobody@example.gov.cn", "--reason", "x")

    out = io.StringIO()
    call_command(
        "staff_otp_reset", "--email", "LOST@example.gov.cn", "--reason", "手机遗失，工单 1234", "--no-qr", stdout=out
    )
    new_key, new_codes = printed_secret(out.getvalue()), printed_codes(out.getvalue())
    assert new_key != old_key and not set(new_codes) & set(old_codes)
    assert TOTPDevice.objects.filter(user=user).count() == 1 and StaticDevice.objects.filter(user=user).count() == 1
    assert not AuthToken.objects.filter(user=user).exists()
    event = AuditEvent.objects.get(action="auth.totp_reset")
    assert "手机遗失" in event.note and event.before["api_token"] is True and event.target_id == str(user.pk)

    client = Client()
    sign_in(client, user.email)
    r = client.post("/accounts/otp/verify/", {"token": old_codes[0]})
    assert r.status_code == 200  # the old recovery codes are gone
    r = client.post("/accounts/otp/verify/?next=/review/", {"token": code_for(new_key)})
    assert r.status_code == 302 and r["Location"] == "/review/"


def test_a_superuser_without_a_staff_role_still_needs_the_second_factor(settings):
    """createsuperuser makes an account with the enterprise role: it must not skip TOTP."""
    settings.PORTAL_STAFF_REQUIRE_2FA = True
    user = UserFactory(role=Role.ENTERPRISE, is_staff=True, is_superuser=True)
    client = Client()
    sign_in(client, user.email)
    r = client.get("/admin/")
    assert r.status_code == 302 and "/accounts/otp/" in r["Location"]
