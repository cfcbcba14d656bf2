"""Voucher and provider pages: each member of the cast sees only what is theirs; bad input gets a
field message and writes nothing; settlement page and CSV for administrators."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEvent, Role
from tests.factories import UserFactory
from vouchers.models import ComputeProvider, ProviderMember, ProviderRelation, Redemption, Voucher
from vouchers.services import redemption as svc

from .redemption_helpers import PDF, invoice_pdf, issue_voucher, make_provider, redeem

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
        },
    }


@pytest.fixture
def voucher(catalogue, enterprise_a, owner_a):
    return issue_voucher(programme=catalogue["hp-compute-voucher"], enterprise=enterprise_a, created_by=owner_a)


@pytest.fixture
def provider(provider_user):
    return make_provider(user=provider_user)


@pytest.fixture
def redemption(voucher, provider, provider_user):
    return redeem(actor=provider_user, voucher=voucher, amount="3000.00", invoice_number="INV20260001")


def post_redeem(client, voucher, **overrides):
    data = {
        "voucher_code": voucher.code,
        "holder_credit_code": voucher.enterprise.credit_code,
        "invoice_number": "FP0000000001",
        "invoice_date": timezone.localdate().isoformat(),
        "amount": "1500.00",
        "invoice_file": invoice_pdf(),
    }
    data.update(overrides)
    return client.post(reverse("vouchers:provider_home"), data)


# ----------------------------------------------------------------- holder pages


def test_holder_and_bureau_see_the_voucher(voucher, client_for, owner_a, agent_a, reviewer, bureau_admin):
    url = reverse("vouchers:voucher_detail", args=[voucher.pk])
    for user in (owner_a, agent_a, reviewer, bureau_admin):
        response = client_for(user).get(url)
        assert response.status_code == 200 and voucher.code in response.content.decode(), user
    assert voucher.code in client_for(owner_a).get(reverse("vouchers:voucher_list")).content.decode()


def test_others_do_not_see_the_voucher(voucher, client_for, owner_b, expert, provider_user):
    url = reverse("vouchers:voucher_detail", args=[voucher.pk])
    for user in (owner_b, expert, provider_user):
        assert client_for(user).get(url).status_code == 404, user
        assert voucher.code not in client_for(user).get(reverse("vouchers:voucher_list")).content.decode()
    assert client_for(None).get(url).status_code == 302


def test_holder_confirms_and_disputes_through_the_page(voucher, redemption, provider_user, client_for, owner_a):
    c = client_for(owner_a)
    second = redeem(actor=provider_user, voucher=voucher, amount="100.00", invoice_number="INV20260002")
    assert c.post(reverse("vouchers:redemption_confirm", args=[redemption.pk])).status_code == 302
    c.post(reverse("vouchers:redemption_dispute", args=[second.pk]), {"reason": ""})
    assert Redemption.objects.get(pk=second.pk).status == Redemption.Status.PENDING  # reason required
    c.post(reverse("vouchers:redemption_dispute", args=[second.pk]), {"reason": "未收到服务"})
    assert Redemption.objects.get(pk=redemption.pk).status == Redemption.Status.CONFIRMED
    assert Redemption.objects.get(pk=second.pk).status == Redemption.Status.DISPUTED
    assert Voucher.objects.get(pk=voucher.pk).balance == Decimal("497000.00")


def test_confirm_and_dispute_refused_to_the_wrong_cast(
    redemption, client_for, owner_b, provider_user, reviewer, bureau_admin, expert
):
    for user in (owner_b, expert):
        c = client_for(user)
        assert c.post(reverse("vouchers:redemption_confirm", args=[redemption.pk])).status_code == 404
        assert c.post(reverse("vouchers:redemption_dispute", args=[redemption.pk]), {"reason": "x"}).status_code == 404
    for user in (provider_user, reviewer, bureau_admin):
        c = client_for(user)
        assert c.post(reverse("vouchers:redemption_confirm", args=[redemption.pk])).status_code == 403
        assert c.post(reverse("vouchers:redemption_dispute", args=[redemption.pk]), {"reason": "x"}).status_code == 403
    assert Redemption.objects.get(pk=redemption.pk).status == Redemption.Status.PENDING


def test_invoice_download_is_scoped(redemption, client_for, owner_a, provider_user, bureau_admin, owner_b, expert):
    url = reverse("vouchers:redemption_invoice", args=[redemption.pk])
    for user in (owner_a, provider_user, bureau_admin):
        response = client_for(user).get(url)
        assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    other_provider = UserFactory(role=Role.PROVIDER)
    make_provider(user=other_provider, n=5)
    for user in (owner_b, expert, other_provider):
        assert client_for(user).get(url).status_code == 404


# ----------------------------------------------------------------- provider desk


def test_provider_redeems_through_the_page(voucher, provider, client_for, provider_user):
    response = post_redeem(client_for(provider_user), voucher)
    assert response.status_code == 302
    r = Redemption.objects.get()
    assert (r.amount, r.invoice_number, r.provider) == (Decimal("1500.00"), "FP0000000001", provider)
    page = client_for(provider_user).get(reverse("vouchers:provider_home")).content.decode()
    assert "FP0000000001" in page


@pytest.mark.parametrize(
    ("override", "field_text"),
    [
        ({"amount": "600000.00"}, "余额"),
        ({"voucher_code": "SLQ-2026-AAAA-BBBB"}, "不匹配"),
        ({"holder_credit_code": "91440112MA5XXXXX1X"}, "不可转让"),
        ({"invoice_file": invoice_pdf("x.pdf", b"<html>not a pdf</html>")}, "PDF、JPG 或 PNG"),
        ({"amount": "1.234"}, "两位小数"),
    ],
)
def test_bad_redemption_input_gets_a_message_and_writes_nothing(
    voucher, provider, client_for, provider_user, override, field_text
):
    response = post_redeem(client_for(provider_user), voucher, **override)
    assert response.status_code == 400
    assert field_text in response.content.decode()
    assert Redemption.objects.count() == 0
    assert Voucher.objects.get(pk=voucher.pk).balance == voucher.face_value


def test_invoice_used_twice_through_the_page(voucher, provider, client_for, provider_user):
    c = client_for(provider_user)
    assert post_redeem(c, voucher).status_code == 302
    response = post_redeem(c, voucher)
    assert response.status_code == 400 and "已用于核销" in response.content.decode()
    assert Redemption.objects.count() == 1


def test_provider_desk_refused_to_everyone_else(voucher, client_for, owner_a, reviewer, bureau_admin, expert):
    for user in (owner_a, reviewer, bureau_admin, expert):
        assert post_redeem(client_for(user), voucher).status_code == 403, user
    stray = UserFactory(role=Role.PROVIDER)  # a provider user not linked to the catalogue
    assert client_for(stray).get(reverse("vouchers:provider_home")).status_code == 403
    assert Redemption.objects.count() == 0


# ----------------------------------------------------------------- administrators


def test_administrator_adds_a_provider_links_a_user_and_declares_a_relation(client_for, bureau_admin, enterprise_a):
    c = client_for(bureau_admin)
    response = c.post(
        reverse("vouchers:providers"),
        {
            "name": "广州黄埔云算力有限公司",
            "credit_code": "91440112MA59ABCD2K",
            "services": "GPU算力租赁",
            "district": "黄埔区",
            "valid_from": "2026-01-01",
            "valid_to": "2027-12-31",
        },
    )
    provider = ComputeProvider.objects.get(credit_code="91440112MA59ABCD2K")
    assert response.status_code == 302
    user = UserFactory(role=Role.PROVIDER, email="ops@cloud.example.cn")
    c.post(reverse("vouchers:provider_member_add", args=[provider.pk]), {"email": "OPS@cloud.example.cn"})
    assert ProviderMember.objects.filter(provider=provider, user=user).exists()
    c.post(
        reverse("vouchers:provider_relation_add", args=[provider.pk]),
        {"enterprise_credit_code": enterprise_a.credit_code, "kind": "control", "note": "同一实际控制人"},
    )
    assert ProviderRelation.objects.filter(provider=provider, enterprise=enterprise_a).exists()
    assert "同一实际控制人" in c.get(reverse("vouchers:provider_admin", args=[provider.pk])).content.decode()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"provider.create", "provider.member_link", "provider.relation_declare"} <= actions


def test_provider_form_errors_are_shown(client_for, bureau_admin):
    response = client_for(bureau_admin).post(
        reverse("vouchers:providers"),
        {
            "name": "X",
            "credit_code": "",
            "services": "",
            "district": "黄埔区",
            "valid_from": "2026-05-01",
            "valid_to": "2026-01-01",
        },
    )
    assert response.status_code == 400 and ComputeProvider.objects.count() == 0


def test_catalogue_pages_refused_to_non_administrators(provider, client_for, owner_a, reviewer, provider_user, expert):
    urls = [
        reverse("vouchers:providers"),
        reverse("vouchers:provider_admin", args=[provider.pk]),
        reverse("vouchers:settlement"),
    ]
    for user in (owner_a, reviewer, provider_user, expert):
        c = client_for(user)
        for url in urls:
            assert c.get(url).status_code == 403, (user, url)
        assert c.post(reverse("vouchers:providers"), {"name": "Y"}).status_code == 403
        assert (
            c.post(
                reverse("vouchers:provider_relation_add", args=[provider.pk]),
                {"enterprise_credit_code": "x", "kind": "other"},
            ).status_code
            == 403
        )
    assert ComputeProvider.objects.count() == 1 and not ProviderRelation.objects.exists()


def test_settlement_per_quarter_per_provider_page_and_csv(
    voucher, provider, provider_user, owner_a, client_for, bureau_admin
):
    a = redeem(actor=provider_user, voucher=voucher, amount="1000.00", invoice_number="S0000001")
    b = redeem(actor=provider_user, voucher=voucher, amount="250.50", invoice_number="S0000002")
    redeem(actor=provider_user, voucher=voucher, amount="99.00", invoice_number="S0000003")  # still pending
    for r in (a, b):
        svc.redemption_confirm(actor=owner_a, redemption=r)
    year, quarter = timezone.localdate().year, (timezone.localdate().month - 1) // 3 + 1
    c = client_for(bureau_admin)
    page = c.get(reverse("vouchers:settlement"), {"year": year, "quarter": quarter}).content.decode()
    assert provider.name in page and "1,250.50" in page and "99.00" in page
    response = c.get(reverse("vouchers:settlement"), {"year": year, "quarter": quarter, "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][:7] == [provider.name, provider.credit_code, f"{year}Q{quarter}", "2", "1250.50", "1", "99.00"]
    detail = c.get(reverse("vouchers:settlement"), {"year": year, "quarter": quarter, "format": "detail"})
    lines = list(csv.reader(io.StringIO(detail.content.decode("utf-8-sig"))))
    assert sorted(line[4] for line in lines[1:]) == ["S0000001", "S0000002"]
    other = c.get(reverse("vouchers:settlement"), {"year": year - 1, "quarter": quarter, "format": "csv"})
    assert len(list(csv.reader(io.StringIO(other.content.decode("utf-8-sig"))))) == 1


def test_quarter_bounds():
    from vouchers.redemption_selectors import quarter_bounds

    start, end = quarter_bounds(2026, 4)
    assert (start.date(), end.date()) == (dt.date(2026, 10, 1), dt.date(2027, 1, 1))


# ----------------------------------------------------------------- API


def test_api_redeem_confirm_and_scoping(voucher, provider, api_for, provider_user, owner_a, owner_b, expert):
    data = {
        "voucher_code": voucher.code,
        "holder_credit_code": voucher.enterprise.credit_code,
        "invoice_number": "API0000001",
        "invoice_date": timezone.localdate().isoformat(),
        "amount": "800.00",
        "invoice_file": invoice_pdf(),
    }
    response = api_for(provider_user).post("/api/v1/redemptions/", data, format="multipart")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert [v["code"] for v in api_for(owner_a).get("/api/v1/vouchers/").json()["results"]] == [voucher.code]
    assert api_for(owner_b).get("/api/v1/vouchers/").json()["results"] == []
    assert api_for(owner_b).get(f"/api/v1/vouchers/{voucher.pk}/").status_code == 404
    assert api_for(expert).post(f"/api/v1/redemptions/{pk}/confirm/").status_code == 404
    assert api_for(provider_user).post(f"/api/v1/redemptions/{pk}/confirm/").status_code == 403
    confirmed = api_for(owner_a).post(f"/api/v1/redemptions/{pk}/confirm/")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"


def test_api_bad_redemption_is_400_with_field_messages(voucher, provider, api_for, provider_user, owner_a):
    data = {
        "voucher_code": voucher.code,
        "holder_credit_code": voucher.enterprise.credit_code,
        "invoice_number": "API0000002",
        "invoice_date": timezone.localdate().isoformat(),
        "amount": "999999.00",
        "invoice_file": invoice_pdf(),
    }
    response = api_for(provider_user).post("/api/v1/redemptions/", data, format="multipart")
    assert response.status_code == 400 and "余额" in response.json()["amount"][0]
    data.update(amount="10.00", invoice_file=invoice_pdf())
    assert api_for(owner_a).post("/api/v1/redemptions/", data, format="multipart").status_code == 403
    assert Redemption.objects.count() == 0
