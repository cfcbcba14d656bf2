"""A client generated from the live schema (issue 15): openapi-python-client makes a package of
`/api/schema/` as the live server answers it, every endpoint module of it imports, and the journey
applicant → reviewer → four-eyes approval → public notice closed → approval letter's PDF → voucher
redeemed by a compute provider and confirmed runs through that package alone (no request written by
hand). The fixtures create only what exists before the journey starts: the accounts (staff with a
confirmed TOTP device, as `manage.py staff_create` leaves them), a window, a pool and a provider. The
one step the test takes outside the API is the calendar: the notice's period is moved into the past,
as the browser journey does, before an administrator asks for the notices that are due."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import io
import pkgutil
import re
import subprocess
import sys
import urllib.request
from decimal import Decimal

import pytest
import yaml
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from applications.models import EnterpriseMember
from portal.models import Role
from reviews.models import AuthorisedApprover
from tests.cast import PDF
from tests.factories import PASSWORD, EnterpriseFactory, UserFactory, make_uscc, member

pytestmark = pytest.mark.django_db(transaction=True)

PACKAGE = "gz_ai_vouchers_client"  # from the schema's title, "GZ AI Vouchers"
COMPUTE = "hp-compute-voucher"
ELIGIBLE_COST = Decimal("300000.00")
REDEEMED = Decimal("120000.00")
INVOICE = "25442000000011113333"
# The generator's configuration: no post-hooks (they run ruff, which is neither needed nor offline-safe
# everywhere), and the file types the API answers read as bytes.
CONFIG = {
    "post_hooks": [],
    "content_type_overrides": {
        media: "application/octet-stream" for media in ("application/pdf", "image/jpeg", "image/png", "application/ofd")
    },
}


@pytest.fixture(scope="module")
def generated(live_server, tmp_path_factory, django_db_blocker):
    """The package generated from the live server's schema, imported, every endpoint module with it
    (once for the module: generating takes a few seconds). The schema view reads no table, but the
    live server's request handling checks the shared connection: allowed here, before any test's
    database fixture."""
    tmp_path = tmp_path_factory.mktemp("generated-client")
    with (
        django_db_blocker.unblock(),
        urllib.request.urlopen(  # noqa: S310 - the live server
            f"{live_server.url}/api/schema/", timeout=60
        ) as answer,
    ):
        schema_text = answer.read().decode()
    schema = yaml.safe_load(schema_text)
    (tmp_path / "schema.yaml").write_text(schema_text, encoding="utf-8")
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(CONFIG), encoding="utf-8")
    out = tmp_path / "client"
    out.mkdir()
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(tmp_path / "schema.yaml"),
            "--config",
            str(tmp_path / "config.yaml"),
            "--meta",
            "none",
        ],
        cwd=out,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    # every operation generated: no warning that one was skipped or a response left out
    assert "WARNING" not in run.stdout + run.stderr, run.stdout + run.stderr
    assert (out / PACKAGE).is_dir(), sorted(p.name for p in out.iterdir())

    sys.path.insert(0, str(out))
    try:
        package = importlib.import_module(PACKAGE)
        modules = [
            importlib.import_module(m.name)
            for m in pkgutil.walk_packages(importlib.import_module(f"{PACKAGE}.api").__path__, f"{PACKAGE}.api.")
            if not m.ispkg
        ]
        yield package, schema, modules
    finally:
        sys.path.remove(str(out))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


@pytest.fixture
def world(catalogue, settings, private_storage):
    """Before the journey: staff with their authenticator (TOTP is required of staff, as in
    production), a verified enterprise with its owner, hp-compute-voucher's open window and pool, a
    compute provider of the catalogue with its desk user."""
    from vouchers.services.budget import pool_set_amount
    from vouchers.services.catalogue import window_open
    from vouchers.services.redemption import provider_member_link, provider_save

    settings.PORTAL_STAFF_REQUIRE_2FA = True
    admin = UserFactory(role=Role.BUREAU_ADMIN, email="admin@hp.example.cn", is_staff=True)
    reviewer = UserFactory(role=Role.REVIEWER, email="reviewer@hp.example.cn")
    leader = UserFactory(role=Role.BUREAU_ADMIN, email="leader@hp.example.cn", is_staff=True)
    AuthorisedApprover.objects.create(user=leader, title="分管副局长", granted_by=admin)
    devices = {
        user.email: TOTPDevice.objects.create(user=user, name="default", confirmed=True)
        for user in (admin, reviewer, leader)
    }
    enterprise = EnterpriseFactory(name="广州嘉算智能科技有限公司", credit_code=make_uscc(880011))
    owner = member(enterprise, EnterpriseMember.MemberRole.OWNER, email="zhang.wei@jiasuan.example.cn")
    provider_user = UserFactory(role=Role.PROVIDER, email="desk@zhisuan.example.cn")
    now = timezone.now()
    programme = catalogue[COMPUTE]
    window_open(
        actor=admin,
        programme=programme,
        name=f"{now.year}年第一批",
        opens_at=now - dt.timedelta(days=30),
        closes_at=now + dt.timedelta(days=60),
    )
    pool_set_amount(actor=admin, programme=programme, fiscal_year=timezone.localdate().year, amount="10000000.00")
    provider = provider_save(
        actor=admin,
        name="广州黄埔智算中心有限公司",
        credit_code=make_uscc(990011),
        services="智能算力租赁",
        district="黄埔区/广州开发区",
        contact_name="赵经理",
        contact_phone="020-88880000",
        valid_from=timezone.localdate() - dt.timedelta(days=100),
        valid_to=None,
    )
    provider_member_link(actor=admin, provider=provider, user=provider_user)
    return {
        "admin": admin,
        "reviewer": reviewer,
        "leader": leader,
        "owner": owner,
        "enterprise": enterprise,
        "provider_user": provider_user,
        "devices": devices,
    }


def totp(device: TOTPDevice) -> str:
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


def ok(response, status: int = 200):
    assert response.status_code == status, (response.status_code, response.content[:500])
    return response.parsed


def test_every_endpoint_module_of_the_generated_client_imports(generated):
    _, schema, modules = generated
    ids = [op["operationId"] for item in schema["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids)) and all(re.fullmatch(r"[a-z][a-z0-9_]*", i) for i in ids)
    operations = set(ids)
    assert {m.__name__.rsplit(".", 1)[1] for m in modules} == operations
    # one request media type per operation: JSON, multipart only where a file is sent
    for item in schema["paths"].values():
        for op in item.values():
            content = (op.get("requestBody") or {}).get("content", {})
            assert len(content) <= 1 and set(content) <= {"application/json", "multipart/form-data"}, op["operationId"]
    assert schema["info"]["title"].isascii() and all(t["name"].isascii() for t in schema["tags"])
    assert any("申报" in t["description"] for t in schema["tags"])  # the Chinese in the descriptions


def test_the_journey_through_the_generated_client(generated, world, live_server):
    package, _, _ = generated
    api = importlib.import_module(f"{PACKAGE}.api")
    models = importlib.import_module(f"{PACKAGE}.models")
    types = importlib.import_module(f"{PACKAGE}.types")
    m = {
        name: importlib.import_module(f"{api.__name__}.{name}")
        for name in (
            "accounts.auth_token_create",
            "programmes.programs_retrieve",
            "applications.applications_create",
            "applications.applications_attachments_create",
            "applications.applications_submit_create",
            "applications.applications_retrieve",
            "reviews.reviews_assignments_claim_create",
            "reviews.reviews_applications_formal_review_create",
            "reviews.reviews_applications_decision_retrieve",
            "reviews.reviews_applications_decision_create",
            "reviews.reviews_proposals_approve_create",
            "reviews.reviews_notices_create",
            "reviews.reviews_notices_close_due_create",
            "letters.letters_list",
            "letters.letters_pdf_download",
            "vouchers.vouchers_list",
            "vouchers.vouchers_retrieve",
            "redemptions.redemptions_create",
            "redemptions.redemptions_confirm_create",
            "me.me_retrieve",
        )
    }
    base = live_server.url

    def sign_in(user, *, second_factor: bool = False):
        body = models.TokenRequestRequest(username=user.email, password=PASSWORD)
        if second_factor:
            body.otp_token = totp(world["devices"][user.email])
        token = ok(m["accounts.auth_token_create"].sync_detailed(client=package.Client(base_url=base), body=body))
        return package.AuthenticatedClient(base_url=base, token=token.token, prefix="Token")

    # 申报 the enterprise opens a draft of the programme, uploads every material and submits
    ent = sign_in(world["owner"])
    programme = ok(m["programmes.programs_retrieve"].sync_detailed(code=COMPUTE, client=ent))
    draft = ok(
        m["applications.applications_create"].sync_detailed(
            client=ent,
            body=models.ApplicationWriteRequest(
                programme=COMPUTE,
                title="大模型推理算力采购项目",
                description="使用区内智能算力开展大模型推理。",
                contract_numbers=["HT-2026-0815"],
                inputs=models.ApplicationWriteRequestInputs.from_dict({"eligible_cost": "300000"}),
            ),
        ),
        201,
    )
    for material in programme.materials:
        upload = types.File(payload=io.BytesIO(PDF), file_name=f"{material['code']}.pdf", mime_type="application/pdf")
        ok(
            m["applications.applications_attachments_create"].sync_detailed(
                draft.id, client=ent, body=models.AttachmentUploadRequest(material=material["code"], file=upload)
            ),
            201,
        )
    submitted = ok(
        m["applications.applications_submit_create"].sync_detailed(
            draft.id, client=ent, body=models.SubmitRequest(declaration=True)
        )
    )
    assert submitted.state == "submitted"

    # 形式审查 a reviewer (password and TOTP) claims it and passes the formal review
    rev = sign_in(world["reviewer"], second_factor=True)
    claimed = ok(
        m["reviews.reviews_assignments_claim_create"].sync_detailed(
            client=rev, body=models.IdsRequest(application_ids=[draft.id])
        )
    )
    assert claimed.ok == 1
    formal = ok(
        m["reviews.reviews_applications_formal_review_create"].sync_detailed(
            draft.id,
            client=rev,
            body=models.FormalInputRequest(action=models.FormalInputActionEnum.PASS, note="材料齐全。"),
        )
    )
    assert formal.state == "bureau_review"

    # 实质审核 the reviewer proposes the calculator's maximum (经办); 四眼原则 someone else checks it (复核),
    # the leader signs when the chain asks for it
    context = ok(m["reviews.reviews_applications_decision_retrieve"].sync_detailed(draft.id, client=rev))
    assert Decimal(context.max_amount) == ELIGIBLE_COST
    proposal = ok(
        m["reviews.reviews_applications_decision_create"].sync_detailed(
            draft.id,
            client=rev,
            body=models.DecisionInputRequest(
                outcome=models.DecisionInputOutcomeEnum.APPROVE,
                amount=context.max_amount,
                comment="材料齐全，测算无误，拟按测算金额支持。",
            ),
        ),
        201,
    )
    assert proposal.status == "pending"
    refused = m["reviews.reviews_proposals_approve_create"].sync_detailed(
        proposal.id, client=rev, body=models.CommentInputRequest(comment="同意。")
    )
    assert refused.status_code == 403  # not the proposer's own check
    admin = sign_in(world["admin"], second_factor=True)
    proposal = ok(
        m["reviews.reviews_proposals_approve_create"].sync_detailed(
            proposal.id, client=admin, body=models.CommentInputRequest(comment="同意。")
        )
    )
    if proposal.status == "pending":
        leader = sign_in(world["leader"], second_factor=True)
        proposal = ok(
            m["reviews.reviews_proposals_approve_create"].sync_detailed(
                proposal.id, client=leader, body=models.CommentInputRequest(comment="同意。")
            )
        )
    assert proposal.status == "approved"

    # 公示 published; when its period is over the administrator finalises what is due
    notice = ok(
        m["reviews.reviews_notices_create"].sync_detailed(
            client=admin, body=models.PublishInputRequest(application_ids=[draft.id])
        ),
        201,
    )
    from reviews.models import PublicNotice  # the calendar only: the period ends

    today = timezone.localdate()
    PublicNotice.objects.filter(pk=notice.id).update(
        starts_on=today - dt.timedelta(days=12), ends_on=today - dt.timedelta(days=1)
    )
    closed = ok(m["reviews.reviews_notices_close_due_create"].sync_detailed(client=admin))
    assert closed.finalized == [draft.id]
    assert ok(m["applications.applications_retrieve"].sync_detailed(draft.id, client=ent)).state == "approved"

    # 正式文书 the approval letter's PDF, downloaded with the enterprise's token
    letters = ok(m["letters.letters_list"].sync_detailed(client=ent, kind=models.LettersListKind.APPROVAL))
    (letter,) = [x for x in letters.results if x.application == draft.reference]
    assert letter.status == "ready" and letter.sha256
    pdf = ok(m["letters.letters_pdf_download"].sync_detailed(letter.id, client=ent)).payload.read()
    assert pdf.startswith(b"%PDF-") and hashlib.sha256(pdf).hexdigest() == letter.sha256
    provider = sign_in(world["provider_user"])
    assert m["letters.letters_pdf_download"].sync_detailed(letter.id, client=provider).status_code == 404
    anonymous = package.AuthenticatedClient(base_url=base, token="not-a-token", prefix="Token")
    assert m["letters.letters_pdf_download"].sync_detailed(letter.id, client=anonymous).status_code in (401, 403)

    # 算力券 the voucher; the provider redeems part of it against an invoice; the enterprise confirms
    (voucher,) = ok(m["vouchers.vouchers_list"].sync_detailed(client=ent)).results
    assert Decimal(voucher.face_value) == ELIGIBLE_COST
    invoice = types.File(payload=io.BytesIO(PDF), file_name="invoice.pdf", mime_type="application/pdf")
    redemption = ok(
        m["redemptions.redemptions_create"].sync_detailed(
            client=provider,
            body=models.RedeemInputRequest(
                voucher_code=voucher.code,
                holder_credit_code=voucher.enterprise_credit_code,
                invoice_number=INVOICE,
                invoice_date=today,
                amount=str(REDEEMED),
                invoice_file=invoice,
            ),
        ),
        201,
    )
    confirmed = ok(m["redemptions.redemptions_confirm_create"].sync_detailed(redemption.id, client=ent))
    assert confirmed.status == "confirmed"
    voucher = ok(m["vouchers.vouchers_retrieve"].sync_detailed(voucher.id, client=ent))
    assert Decimal(voucher.balance) == ELIGIBLE_COST - REDEEMED
