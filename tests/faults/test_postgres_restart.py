"""PostgreSQL restarted during a burst of submissions, approvals and declines against a live gunicorn
server: every request either succeeded or failed with a clear error (503 with a Chinese message,
never a 500 or a dropped connection), nothing is half-written (an application is a draft without any
trace of submission, or submitted with exactly one timeline entry and one audit event; a decision
comes with its award and ledger entries, or its numbered decline letter, or not at all; letter
numbers run without a gap; every pool matches its ledger: manage.py budget_check), and the failed
requests succeed when sent again.

This restarts the cluster that serves the test database (one quick restart per run; the shared
cluster in CI, which runs it)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from knox.models import AuthToken

from applications.models import Application, ApplicationEvent, EnterpriseMember
from applications.workflow import State
from portal.models import AuditEvent, Role
from reviews.models import Decision, Letter, LetterSeries
from reviews.selectors import decision_estimate
from reviews.services import assignments, formal
from tests.approvals import propose
from tests.cast import DRAFT, _draft, _submitted
from tests.factories import EnterpriseFactory, UserFactory, member
from vouchers.models import ApplicationWindow, Award, BudgetPool, LedgerEntry

from .conftest import fault, http, process_env, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), fault]

ENTERPRISES = 4
SUBMISSIONS_EACH = 6
APPROVALS_EACH = 3
DECLINES_EACH = 1
COST = {**DRAFT, "inputs": {"eligible_cost": "100000.00"}}  # three awards stay within the 500,000 cap


def cluster_of_test_database() -> tuple[str, str]:
    port = str(connection.settings_dict["PORT"] or 5432)
    out = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        version, name, cluster_port = line.split()[:3]
        if cluster_port == port:
            return version, name
    pytest.skip(f"no local PostgreSQL cluster on port {port} to restart")


def restart(version: str, name: str) -> float:
    started = time.monotonic()
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", "-m", "fast", version, name, "restart"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return time.monotonic() - started


def scenario():
    from vouchers.services.catalogue import catalogue_load

    catalogue_load()
    from vouchers.models import Programme

    programme = Programme.objects.get(code="hp-compute-voucher")
    now = timezone.now()
    ApplicationWindow.objects.create(
        programme=programme, name="第一批", opens_at=now - dt.timedelta(days=5), closes_at=now + dt.timedelta(days=30)
    )
    BudgetPool.objects.get_or_create(
        programme=programme, fiscal_year=timezone.localdate().year, defaults={"amount": "100000000"}
    )
    admin = UserFactory(role=Role.BUREAU_ADMIN, is_staff=True)
    reviewer = UserFactory(role=Role.REVIEWER)
    requests, drafts, decided, declined = [], [], [], []
    admin_token = AuthToken.objects.create(user=admin)[1]
    n = 0
    for e in range(ENTERPRISES):
        owner = member(EnterpriseFactory(), EnterpriseMember.MemberRole.OWNER)
        token = AuthToken.objects.create(user=owner)[1]
        for _ in range(SUBMISSIONS_EACH):
            n += 1
            app = _draft(programme, owner, n=100 * e + n, data=COST)
            drafts.append(app.pk)
            requests.append(("submit", app.pk, f"/api/v1/applications/{app.pk}/submit/", token, {"declaration": True}))
        for i in range(APPROVALS_EACH + DECLINES_EACH):
            n += 1
            app = _submitted(programme, owner, n=100 * e + n, data=COST)
            assignments.reviewer_assign(actor=admin, application=app, reviewer=reviewer)
            formal.formal_review_pass(actor=reviewer, application=app, note="材料齐全，符合申报条件。")
            # 四眼: the reviewer proposed; the burst is the administrator's check (复核), the chain's last
            # step, where the decision takes effect
            if i < APPROVALS_EACH:
                proposal = propose(actor=reviewer, application=app, amount=str(decision_estimate(app).amount))
                decided.append(app.pk)
                kind = "approve"
            else:
                proposal = propose(
                    actor=reviewer, application=app, outcome="decline", reason="项目不属于智能算力服务，不予支持。"
                )
                declined.append(app.pk)
                kind = "decline"
            requests.append(
                (kind, app.pk, f"/api/v1/reviews/proposals/{proposal.pk}/approve/", admin_token, {"comment": "同意。"})
            )
    # interleave the kinds
    requests.sort(key=lambda r: (r[1] % 7, r[1]))
    return requests, drafts, decided, declined


def check_invariants(drafts: list[int], decided: list[int], declined: list[int]) -> dict[str, int]:
    counts = {"submitted": 0, "draft": 0, "approved": 0, "undecided": 0, "declined": 0, "not_declined": 0}
    for app in Application.objects.filter(pk__in=drafts):
        events = ApplicationEvent.objects.filter(application=app, action="submit").count()
        audits = AuditEvent.objects.filter(action="application.submit", target_id=str(app.pk)).count()
        if app.state == State.SUBMITTED:
            assert (events, audits) == (1, 1) and app.submitted_at and app.declared_at, (app.reference, events, audits)
            counts["submitted"] += 1
        else:
            assert app.state == State.DRAFT and (events, audits) == (0, 0) and app.submitted_at is None, app.reference
            counts["draft"] += 1
    for app in Application.objects.filter(pk__in=decided):
        decisions = Decision.objects.filter(application=app, current=True).count()
        awards = Award.objects.filter(application=app).count()
        entries = LedgerEntry.objects.filter(award__application=app).count()
        audits = AuditEvent.objects.filter(action="application.approve", target_id=str(app.pk)).count()
        if app.state == State.APPROVED_PENDING_NOTICE:
            assert (decisions, awards, audits) == (1, 1, 1) and entries >= 1, (
                app.reference,
                decisions,
                awards,
                entries,
                audits,
            )
            counts["approved"] += 1
        else:
            assert app.state == State.BUREAU_REVIEW and (decisions, awards, entries, audits) == (0, 0, 0, 0), (
                app.reference,
                app.state,
                decisions,
                awards,
                entries,
                audits,
            )
            counts["undecided"] += 1
    for app in Application.objects.filter(pk__in=declined):
        decisions = Decision.objects.filter(application=app, current=True, outcome=Decision.Outcome.DECLINE).count()
        letters = Letter.objects.filter(application=app, kind=Letter.Kind.DECLINE).count()
        audits = AuditEvent.objects.filter(action="application.decline", target_id=str(app.pk)).count()
        if app.state == State.DECLINED:
            assert (decisions, letters, audits) == (1, 1, 1), (app.reference, decisions, letters, audits)
            counts["declined"] += 1
        else:
            assert app.state == State.BUREAU_REVIEW and (decisions, letters, audits) == (0, 0, 0), (
                app.reference,
                app.state,
                decisions,
                letters,
                audits,
            )
            counts["not_declined"] += 1
    for series in LetterSeries.objects.all():  # numbers taken in rolled-back transactions were given back
        serials = sorted(Letter.objects.filter(prefix=series.prefix, year=series.year).values_list("serial", flat=True))
        assert serials == list(range(1, series.last_serial + 1)), (series, serials)
    for letter in Letter.objects.all():  # a PDF is there and matches, or is still to be made (the sweep)
        assert (letter.status == Letter.Status.READY and letter.sha256) or (
            letter.status == Letter.Status.PENDING and not letter.sha256
        ), (letter.number, letter.status)
    call_command("budget_check", verbosity=0)  # raises CommandError on any pool/ledger mismatch
    return counts


def test_a_postgres_restart_during_a_burst_leaves_nothing_half_written(tmp_path, processes):
    version, name = cluster_of_test_database()
    requests, drafts, decided, declined = scenario()
    storage = tmp_path / "private"
    storage.mkdir()
    env = process_env(storage, "")  # tasks run in the request (no broker needed here)
    env["TEST_CELERY_EAGER"] = "1"
    processes.server(env, workers=3)
    for _ in range(6):  # warm every worker up
        http("GET", "/api/v1/programs/")

    results: dict[int, tuple[int, str]] = {}
    go = threading.Event()

    def send(request):
        kind, pk, path, token, body = request
        go.wait()
        status, text, _seconds = http("POST", path, token=token, json=body, timeout=60)
        results[pk] = (status, text)
        time.sleep(0.05)

    with ThreadPoolExecutor(max_workers=6) as pool:
        futures = [pool.submit(send, r) for r in requests]
        go.set()
        # The burst is under way (a quarter answered) when PostgreSQL goes down for its restart.
        wait_for(lambda: len(results) >= len(requests) // 4, timeout=120, interval=0.02, what="the burst under way")
        took = restart(version, name)
        for f in futures:
            f.result()
    connection.close()  # this process's connection died with the restart
    wait_for(lambda: _database_answers(), timeout=30, what="PostgreSQL back")

    expected_ok = {"submit": 200, "approve": 200, "decline": 200}
    failed = []
    for kind, pk, path, _token, _body in requests:
        status, text = results[pk]
        if status == expected_ok[kind]:
            continue
        assert status == 503, f"{kind} {path}: {status} {text[:300]}"
        assert "数据库暂时不可用" in json.loads(text)["detail"], text[:300]
        failed.append((kind, pk, path))
    counts = check_invariants(drafts, decided, declined)
    print(
        f"PostgreSQL restart took {took:.1f}s; {len(failed)} of {len(requests)} requests answered 503, the rest "
        f"succeeded; after the burst: {counts}"
    )
    assert failed, f"the restart ({took:.1f}s) hit no request: make the burst longer"
    assert len(failed) < len(requests), "no request succeeded: the restart came before the burst"
    assert counts["draft"] + counts["undecided"] + counts["not_declined"] <= len(failed)

    # The clients send the failed requests again: each is done (or found done), nothing twice.
    by_pk = {r[1]: r for r in requests}
    for kind, pk, path in failed:
        _k, _pk, _p, token, body = by_pk[pk]
        status, text, _s = http("POST", path, token=token, json=body)
        assert status in (expected_ok[kind], 400), f"retry {kind} {path}: {status} {text[:300]}"
    counts = check_invariants(drafts, decided, declined)
    assert counts == {
        "submitted": len(drafts),
        "draft": 0,
        "approved": len(decided),
        "undecided": 0,
        "declined": len(declined),
        "not_declined": 0,
    }, counts


def _database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:  # noqa: BLE001 - still restarting
        connection.close()
        return False
