"""The voucher's QR code leads the provider to its redemption desk with the voucher filled in; the
public directory lists the providers admitted today and what they offer."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from vouchers.models import ComputeProvider, ProviderMember, Redemption, Voucher
from vouchers.templatetags.voucher_qr import redemption_link

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(provider_user):
    p = ComputeProvider.objects.create(
        name="广州智算云服务有限公司",
        credit_code="91440101MA5CKGXK2A",
        services="智能算力租赁、模型云部署",
        contact_phone="020-00000000",
        valid_from=dt.date(2025, 1, 1),
    )
    ProviderMember.objects.create(provider=p, user=provider_user)
    return p


@pytest.fixture
def voucher(catalogue, enterprise_a, owner_a):
    from tests.letters.helpers import make_application, make_award

    app = make_application(enterprise=enterprise_a, programme=catalogue["hp-compute-voucher"], created_by=owner_a)
    award = make_award(application=app, amount="100000.00")
    today = timezone.localdate()
    return Voucher.objects.create(
        code="HPV-2026-000009",
        award=award,
        enterprise=enterprise_a,
        programme=award.programme,
        face_value=award.amount,
        balance=award.amount,
        issued_on=today,
        expires_on=today + dt.timedelta(days=365),
    )


def test_holder_sees_the_qr_code_and_the_provider_lands_on_a_filled_desk(
    voucher, provider, owner_a, provider_user, client_for, settings
):
    settings.SITE_URL = "https://portal.example.cn"
    page = client_for(owner_a).get(f"/vouchers/{voucher.pk}/").content.decode()
    assert "核销二维码" in page and "<svg" in page
    link = redemption_link(voucher)
    assert (
        link == f"https://portal.example.cn/provider/?voucher=HPV-2026-000009&holder={voucher.enterprise.credit_code}"
    )
    desk = client_for(provider_user).get(link.removeprefix("https://portal.example.cn")).content.decode()
    assert 'value="HPV-2026-000009"' in desk and f'value="{voucher.enterprise.credit_code}"' in desk
    assert not Redemption.objects.exists()  # opening the desk redeems nothing


def test_staff_and_others_do_not_get_the_holders_qr_code(voucher, bureau_admin, owner_b, client_for):
    assert "核销二维码" not in client_for(bureau_admin).get(f"/vouchers/{voucher.pk}/").content.decode()
    assert client_for(owner_b).get(f"/vouchers/{voucher.pk}/").status_code == 404


def test_scanning_without_being_a_provider_is_refused(voucher, owner_b, client_for):
    assert client_for(owner_b).get(redemption_link(voucher)).status_code == 403
    assert not Redemption.objects.exists()


def test_public_directory_lists_admitted_providers_only(provider, client_for):
    ComputeProvider.objects.create(
        name="已出库服务商",
        credit_code="91440101MA5CKGXK3B",
        services="算力",
        valid_from=dt.date(2024, 1, 1),
        valid_to=dt.date(2024, 12, 31),
    )
    page = client_for(None).get("/compute-providers/").content.decode()
    assert "广州智算云服务有限公司" in page and "模型云部署" in page and "已出库服务商" not in page
    assert "广州智算云服务有限公司" not in client_for(None).get("/compute-providers/", {"q": "不存在"}).content.decode()
    assert client_for(None).post("/compute-providers/").status_code == 405
    assert "/compute-providers/" in client_for(None).get("/").content.decode()  # linked from the footer
