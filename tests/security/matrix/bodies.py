"""The request bodies of the matrix's state-changing cases: valid data, so that a refusal is a
refusal of the actor and not of the input."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.cast import Cast

from .cases import pdf_upload


def days(n: int):
    import datetime as dt

    return dt.timedelta(days=n)


def decision(c: Cast) -> dict:
    from tests.cast import _maximum

    return {"outcome": "approve", "amount": _maximum(c.a_bureau), "reason": "", "comment": "符合条件，拟全额支持。"}


def collective(c: Cast) -> dict:
    return {
        "programme": c.competitive.code,
        "ids": [c.a_competitive_approved.pk],
        "application_ids": [c.a_competitive_approved.pk],
        "meeting_name": "2026年第6次局务会议",
        "meeting_date": today(),
        "attendees": "张局长\n李副局长",
        "minutes": "同意予以支持。",
    }


def objection(c: Cast) -> dict:
    return {
        "application": c.a_notice.pk,
        "objector_kind": "person",
        "objector_name": "李四",
        "contact_phone": "13900000000",
        "content": "该企业的项目实际并未在区内实施，请核查。",
    }


def preapproval_request(c: Cast) -> dict:
    import datetime as dt

    from django.utils import timezone

    return {
        "programme": "th-events",
        "event_name": "大模型开发者大会",
        "venue": "天河区",
        "event_date": (timezone.localdate() + dt.timedelta(days=10)).isoformat(),
        "plan": "大会议程。",
        "budget": "300000.00",
    }


def account(c: Cast) -> dict:
    return {
        "account_name": c.enterprise_a.name,
        "bank_name": "中国农业银行",
        "branch_name": "天河支行",
        "account_number": "99998888777766665555",
    }


def resubmit(c: Cast) -> dict:
    return {
        "legal_representative": "张甲",
        "claimant_is_legal_representative": "true",
        "business_licence": pdf_upload(),
    }


def contest(c: Cast) -> dict:
    return {
        "credit_code": c.enterprise_c.credit_code,
        "name": c.enterprise_c.name,
        "legal_representative": "陈丙",
        "registered_district": "tianhe",
        "statement": "本企业代码被他人冒用登记。",
        "claimant_is_legal_representative": "true",
        "business_licence": pdf_upload(),
    }


def today() -> str:
    from django.utils import timezone

    return timezone.localdate().isoformat()


def return_file() -> SimpleUploadedFile:
    text = "序号,收款账号,金额（元）,结果\n1,44050112345678901234,100000.00,失败\n"
    return SimpleUploadedFile("回执.csv", text.encode(), content_type="text/csv")


def scores(c: Cast) -> dict:
    return {f"score_{k['code']}": "20" for k in c.competitive.criteria} | {"comment": "良好"}
