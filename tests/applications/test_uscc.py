"""The credit code (统一社会信用代码) at every entry point: the API, the registration page, the admin, the
calculator's `uscc` inputs. Typed with full-width characters, spaces or dashes it is accepted and stored
normalised; a bad authority or type code is refused with the reason; a division outside Guangzhou (or
not the declared district) is accepted and shown as a warning to staff, never to the enterprise."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.models import Enterprise
from applications.services import application_create, application_save_draft, enterprise_register
from applications.uscc import credit_code_division
from portal.models import Role
from portal.uscc import check_character
from tests.factories import UserFactory, make_uscc
from tests.vouchers.catalogue_helpers import ON

pytestmark = pytest.mark.django_db

ENTERPRISE = {
    "name": "广州戊算力科技有限公司",
    "registered_district": "huangpu",
    "tax_district": "huangpu",
    "stats_district": "huangpu",
    "industry": "ai",
    "contact_name": "孙八",
    "contact_phone": "020-66668888",
    "legal_representative": "孙八",
    "claimant_is_legal_representative": True,
}
PDF = b"%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def licence() -> SimpleUploadedFile:
    return SimpleUploadedFile("营业执照.pdf", PDF, content_type="application/pdf")


SHANGHAI = "91310101MA1FP0001" + check_character("91310101MA1FP0001")  # 上海市黄浦区
PUDONG = "91310115MA1FP0002" + check_character("91310115MA1FP0002")  # 上海市浦东新区
HUANGPU = "91440112MA5CKGXK1" + check_character("91440112MA5CKGXK1")  # 广州市黄埔区


def full_width(code: str) -> str:
    """ＡＢＣ１２３, grouped with ideographic spaces, as an input method types it."""
    wide = "".join(chr(ord(c) + 0xFEE0) for c in code)
    return f"{wide[:2]}\u3000{wide[2:8]} {wide[8:17]}－{wide[17]}"


def register_api(client, code: str, **fields):
    return client.post(
        "/api/v1/enterprises/",
        {**ENTERPRISE, **fields, "credit_code": code, "business_licence": licence()},
        format="multipart",
    )


# ---------------------------------------------------------------- normalised at every entry point


def test_the_api_accepts_full_width_and_spaced_codes_and_stores_them_normalised(api_for):
    code = make_uscc(61)
    response = register_api(api_for(UserFactory(role=Role.ENTERPRISE)), full_width(code).lower())
    assert response.status_code == 201, response.json()
    assert response.json()["credit_code"] == code
    assert Enterprise.objects.get().credit_code == code


def test_the_registration_page_accepts_full_width_and_spaced_codes(client_for):
    code = make_uscc(62)
    response = client_for(UserFactory(role=Role.ENTERPRISE)).post(
        reverse("applications:enterprise_register"),
        {**ENTERPRISE, "credit_code": f" {code[:8]} - {code[8:]}  ", "business_licence": licence()},
    )
    assert response.status_code == 302
    assert Enterprise.objects.get().credit_code == code
    response = client_for(UserFactory(role=Role.ENTERPRISE)).post(
        reverse("applications:enterprise_register"), {**ENTERPRISE, "name": "另一家", "credit_code": full_width(code)}
    )
    assert response.status_code == 400 and "已注册" in response.content.decode()  # the same code, normalised
    assert Enterprise.objects.count() == 1


def test_the_admin_stores_the_code_normalised(client):
    admin = UserFactory(role=Role.SYSADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin, backend="portal.backends.EmailOrUsernameBackend")
    code = make_uscc(63)
    data = {**ENTERPRISE, "credit_code": full_width(code), "members-TOTAL_FORMS": "0", "members-INITIAL_FORMS": "0"}
    assert client.post("/admin/applications/enterprise/add/", data).status_code == 302
    assert Enterprise.objects.get().credit_code == code


# ---------------------------------------------------------------- refused, with the reason


@pytest.mark.parametrize(
    "first17,fragment",
    [
        ("B1440112MA5CKGXK1", "第1位是登记管理部门代码，“B”"),
        ("94440112MA5CKGXK1", "第2位是机构类别代码，“4”不是登记管理部门 9（工商）"),
        ("Y2440112MA5CKGXK1", "机构类别代码，“2”"),
    ],
)
def test_bad_authority_and_type_codes_are_refused_with_the_reason(api_for, client_for, first17, fragment):
    code = first17 + check_character(first17)  # the check character is right: the structure is wrong
    response = register_api(api_for(UserFactory(role=Role.ENTERPRISE)), code)
    assert response.status_code == 400 and fragment in response.json()["credit_code"][0]
    response = client_for(UserFactory(role=Role.ENTERPRISE)).post(
        reverse("applications:enterprise_register"), {**ENTERPRISE, "credit_code": code}
    )
    assert response.status_code == 400 and fragment in response.content.decode()
    assert not Enterprise.objects.exists()


def test_a_division_that_is_not_digits_is_refused(api_for):
    response = register_api(api_for(UserFactory(role=Role.ENTERPRISE)), "9144A112MA5CKGXK1X")
    assert response.status_code == 400 and "行政区划码" in response.json()["credit_code"][0]


def test_the_refusal_is_translated(api_for, settings):
    client = api_for(UserFactory(role=Role.ENTERPRISE))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = register_api(client, "B" + HUANGPU[1:])
    assert response.status_code == 400 and "registration authority" in response.json()["credit_code"][0]


# ---------------------------------------------------------------- the division: a warning for staff


def test_a_shanghai_code_is_accepted_with_a_warning_for_staff_only(api_for, client_for, client):
    owner = UserFactory(role=Role.ENTERPRISE)
    response = register_api(api_for(owner), SHANGHAI)
    assert response.status_code == 201, response.json()
    enterprise = Enterprise.objects.get(credit_code=SHANGHAI)
    # the enterprise sees no warning, in the API or on its page
    assert response.json()["credit_code_division"] is None
    assert api_for(owner).get(f"/api/v1/enterprises/{enterprise.pk}/").json()["credit_code_division"] is None
    assert "不在广州市" not in client_for(owner).get(reverse("applications:enterprise")).content.decode()
    # staff do: an administrator registering through the API, and the Django admin's list and record
    bureau = UserFactory(role=Role.BUREAU_ADMIN)
    response = register_api(api_for(bureau), PUDONG)
    assert response.status_code == 201, response.json()
    division = response.json()["credit_code_division"]
    assert division["code"] == "310115" and division["name"] == "上海市浦东新区"
    assert division["in_guangzhou"] is False and division["district"] == ""
    assert "不在广州市" in division["warning"]
    sysadmin = UserFactory(role=Role.SYSADMIN, is_staff=True, is_superuser=True)
    client.force_login(sysadmin, backend="portal.backends.EmailOrUsernameBackend")
    listing = client.get("/admin/applications/enterprise/").content.decode()
    assert "行政区划码 310101（上海市黄浦区）不在广州市" in listing
    record = client.get(f"/admin/applications/enterprise/{enterprise.pk}/change/").content.decode()
    assert "上海市黄浦区 (310101)" in record and "不在广州市" in record


def test_huangpu_is_named_and_agrees_with_the_declared_district(api_for):
    bureau = UserFactory(role=Role.BUREAU_ADMIN)
    response = register_api(api_for(bureau), HUANGPU)
    assert response.json()["credit_code_division"] == {
        "code": "440112",
        "name": "广东省广州市黄埔区",
        "in_guangzhou": True,
        "district": "黄埔区",
        "warning": None,
    }


def test_a_district_other_than_the_declared_one_is_a_warning(api_for):
    bureau = UserFactory(role=Role.BUREAU_ADMIN)
    response = register_api(api_for(bureau), HUANGPU, registered_district="tianhe")
    assert response.status_code == 201
    warning = response.json()["credit_code_division"]["warning"]
    assert "440112 属于黄埔区" in warning and "天河区" in warning


@pytest.mark.parametrize(
    "division,fragment",
    [
        ("440199", "不在行政区划代码表中"),  # unknown to the list
        ("440116", "已撤销"),  # 萝岗区, merged into 黄埔区 in 2014
    ],
)
def test_unknown_and_withdrawn_divisions_are_warnings_not_refusals(division, fragment):
    first17 = f"91{division}MA5CKGXK1"
    enterprise = enterprise_register(
        actor=UserFactory(role=Role.ENTERPRISE),
        credit_code=first17 + check_character(first17),
        business_licence=licence(),
        **ENTERPRISE,
    )
    assert fragment in credit_code_division(enterprise)["warning"]


# ---------------------------------------------------------------- the calculator's uscc inputs


def test_the_estimate_accepts_full_width_codes(catalogue, api_for):
    body = {
        "contract_paid": "3000000",
        "supplier_uscc": full_width(make_uscc(1)),
        "buyer_uscc": make_uscc(2).lower(),
        "date": ON,
    }
    r = api_for(None).post(
        "/api/v1/programs/th-scenario-demo/estimate/", data=json.dumps(body), content_type="application/json"
    )
    assert r.status_code == 200, r.content
    assert r.json()["amount"] == "600000.00"
    bad = {**body, "buyer_uscc": "94" + make_uscc(2)[2:]}
    r = api_for(None).post(
        "/api/v1/programs/th-scenario-demo/estimate/", data=json.dumps(bad), content_type="application/json"
    )
    assert r.status_code == 400 and "机构类别代码" in r.json()["buyer_uscc"][0]


def test_the_application_stores_uscc_inputs_normalised(owner_a, catalogue):
    app = application_create(actor=owner_a, programme=catalogue["th-scenario-demo"]).application
    own = owner_a.membership.enterprise.credit_code
    saved = application_save_draft(
        actor=owner_a,
        application=app,
        data={
            "inputs": {
                "contract_paid": "1000000",
                "supplier_uscc": full_width(make_uscc(3)),
                "buyer_uscc": full_width(own),
            }
        },
    )
    assert not saved.errors
    app.refresh_from_db()
    assert (app.inputs["supplier_uscc"], app.inputs["buyer_uscc"]) == (make_uscc(3), own)
