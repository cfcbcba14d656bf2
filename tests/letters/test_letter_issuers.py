"""责任单位 (issue 11): letters are issued by the programme's responsible unit, each authority with its
own prefix and number series; the Tianhe letters by 天河区科技工业和信息化局."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from reviews.letters import services

from .helpers import make_application, make_award

pytestmark = pytest.mark.django_db


def _letter(application, reviewer):
    make_award(application=application, amount="50000")
    with transaction.atomic():
        return services.letter_create(application=application, kind="approval", actor=reviewer)


@pytest.mark.parametrize(
    ("code", "authority", "prefix"),
    [
        ("hp-compute-voucher", "广州开发区经济和信息化局", "穗开经信批字"),
        ("hp-revenue-growth", "广州开发区经济和信息化局", "穗开经信批字"),
        ("hp-data-space", "广州开发区政务服务和数据管理局", "穗开政数批字"),
        ("hp-data-asset-entry", "广州开发区政务服务和数据管理局", "穗开政数批字"),
        ("hp-data-trading", "广州开发区政务服务和数据管理局", "穗开政数批字"),
        ("hp-open-source", "广州开发区科技创新局", "穗开科创批字"),
        ("th-dcmm", "广州市天河区科技工业和信息化局", "天科工信批字"),
    ],
)
def test_the_responsible_unit_issues_the_letter(
    catalogue, enterprise_a, owner_a, reviewer, reviewer_th, code, authority, prefix
):
    programme = catalogue[code]
    assert (programme.responsible_unit, programme.letter_prefix) == (authority, prefix)
    issuer = reviewer_th if programme.policy.district == "tianhe" else reviewer  # the district's bureau
    letter = _letter(make_application(enterprise=enterprise_a, programme=programme, created_by=owner_a), issuer)
    year = timezone.localdate().year
    assert letter.authority == authority and letter.context["authority"] == authority
    assert letter.number == f"{prefix}〔{year}〕1号"


def test_each_authority_keeps_its_own_series(catalogue, enterprise_a, owner_a, reviewer):
    def issue(code):
        app = make_application(enterprise=enterprise_a, programme=catalogue[code], created_by=owner_a)
        return _letter(app, reviewer).number

    year = dt.date.today().year
    first_data, first_compute = issue("hp-data-trading"), issue("hp-compute-voucher")
    second_data = issue("hp-data-space")
    assert first_data.endswith("〕1号") and second_data.endswith("〕2号") and second_data.startswith("穗开政数批字")
    assert first_compute == f"穗开经信批字〔{year}〕1号"
