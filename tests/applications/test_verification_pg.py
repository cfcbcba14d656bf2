"""实名核验 under real concurrency (PostgreSQL, threads): two verifiers deciding the same claim at once
decide it once; an owner's new fact-change request racing the bureau's decision on the pending one
neither deadlocks nor leaves two pending (the partial unique constraint is the backstop); two users
registering the same code at once make one enterprise, the other is told the code is taken."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from applications.membership import enterprise_update
from applications.models import Enterprise, EnterpriseClaim, FactChangeRequest
from applications.services import enterprise_register
from applications.verification import claim_accept, claim_refuse
from applications.verification_facts import fact_change_accept
from portal.models import AuditEvent, Role
from tests.factories import EnterpriseFactory, UserFactory, make_uscc, member

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("private_storage")]

PDF = b"%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PROFILE = {
    "name": "并发科技有限公司",
    "registered_district": "huangpu",
    "tax_district": "huangpu",
    "stats_district": "huangpu",
    "legal_representative": "甲",
    "contact_name": "甲",
    "contact_phone": "1",
}


def pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("x.pdf", PDF, content_type="application/pdf")


def race(*calls) -> list[str]:
    """Run the calls at the same moment, each in its own thread and connection; what each ended with."""
    results: list[str] = []
    barrier = threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait()
            call()
            results.append("ok")
        except ValidationError as error:
            results.append("refused: " + "；".join(error.messages))
        except Exception as error:  # noqa: BLE001 - a deadlock or an IntegrityError must show in the assertion
            results.append(f"error: {type(error).__name__}: {error}")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return sorted(results)


def test_two_verifiers_decide_a_claim_once():
    claimant = UserFactory(role=Role.ENTERPRISE)
    enterprise = enterprise_register(
        actor=claimant,
        credit_code=make_uscc(9101),
        business_licence=pdf(),
        claimant_is_legal_representative=True,
        **PROFILE,
    )
    claim = enterprise.claims.get()
    one, two = UserFactory(role=Role.REVIEWER), UserFactory(role=Role.BUREAU_ADMIN)
    results = race(
        lambda: claim_accept(actor=one, claim=claim), lambda: claim_refuse(actor=two, claim=claim, reason="不清晰")
    )
    assert results[0] == "ok" and results[1].startswith("refused: ") and "已处理" in results[1], results
    assert AuditEvent.objects.filter(action__in=["enterprise.claim_accept", "enterprise.claim_refuse"]).count() == 1
    claim.refresh_from_db()
    enterprise.refresh_from_db()
    assert (claim.state == "accepted") == enterprise.is_verified


def test_a_new_request_racing_the_bureaus_decision_leaves_one_pending_at_most():
    enterprise = EnterpriseFactory()
    owner = member(enterprise)
    first = enterprise_update(actor=owner, enterprise=enterprise, is_startup=True, evidence=[pdf()]).fact_change
    reviewer = UserFactory(role=Role.REVIEWER)
    results = race(
        lambda: fact_change_accept(actor=reviewer, request=first),
        lambda: enterprise_update(actor=owner, enterprise=enterprise, tax_district="tianhe", evidence=[pdf()]),
    )
    assert not [r for r in results if r.startswith("error")], results
    assert FactChangeRequest.objects.filter(state="pending").count() <= 1
    first.refresh_from_db()
    assert first.state in ("accepted", "withdrawn")


def test_two_registrations_of_one_code_make_one_enterprise():
    code = make_uscc(9102)
    users = [UserFactory(role=Role.ENTERPRISE) for _ in range(2)]
    results = race(
        *[
            lambda u=u: enterprise_register(
                actor=u, credit_code=code, business_licence=pdf(), claimant_is_legal_representative=True, **PROFILE
            )
            for u in users
        ]
    )
    assert results[0] == "ok" and results[1].startswith("refused: ") and "已注册" in results[1], results
    assert Enterprise.objects.count() == 1 and EnterpriseClaim.objects.count() == 1
