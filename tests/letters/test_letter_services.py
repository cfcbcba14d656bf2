"""Letters: numbering in the decision's transaction, the snapshot, the PDF and its text."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from portal.models import AuditEvent, Notification
from reviews.letters import services
from reviews.letters.tasks import letter_generate
from reviews.models import Letter, LetterSeries

from .conftest import pdf_text, squash

pytestmark = pytest.mark.django_db


def create(application, kind="approval", actor=None, context=None, capture=None):
    with transaction.atomic():
        return services.letter_create(application=application, kind=kind, actor=actor, context=context)


def test_approval_letter_pdf_says_number_addressee_and_amount_in_both_forms(
    award_a, application_a, reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        letter = create(application_a, actor=reviewer)
    letter.refresh_from_db()
    assert letter.status == Letter.Status.READY
    # hp-data-trading (第六条) is the 区政务和数据局's: its letters, its series (issue 11)
    assert letter.number.startswith("穗开政数批字〔") and letter.number.endswith("〕1号")
    data = letter.pdf.read()
    assert data.startswith(b"%PDF-")
    assert hashlib.sha256(data).hexdigest() == letter.sha256 and letter.size == len(data)
    text = squash(pdf_text(data))
    assert squash(letter.number) in text
    assert "广州甲智能科技有限公司" in text
    assert application_a.enterprise.credit_code in text
    assert "123,456.78" in text
    assert "壹拾贰万叁仟肆佰伍拾陆元柒角捌分" in text
    assert "第六条" in text  # the clause it rests on
    assert "广州开发区政务服务和数据管理局" in text
    assert letter.code in text
    assert letter.template == "approval_v1" and letter.amount == Decimal("123456.78")
    # the enterprise's members are told once
    assert Notification.objects.filter(
        kind="letter", recipient__membership__enterprise=application_a.enterprise, dedupe_key=f"letter:{letter.pk}"
    ).exists()
    assert AuditEvent.objects.filter(action="letter.create", target_id=str(letter.pk)).exists()


def test_pdf_embeds_the_noto_cjk_font_as_a_subset(award_a, application_a, django_capture_on_commit_callbacks):
    from pypdf import PdfReader

    with django_capture_on_commit_callbacks(execute=True):
        letter = create(application_a)
    letter.refresh_from_db()
    reader = PdfReader(letter.pdf.open("rb"))
    fonts = set()
    for page in reader.pages:
        for f in page["/Resources"]["/Font"].values():
            fonts.add(str(f.get_object()["/BaseFont"]))
    assert any("Noto-Serif-CJK-SC" in f for f in fonts), fonts
    # subset fonts carry a six-letter tag: ABCDEF+Name
    assert all("+" in f for f in fonts), fonts
    assert letter.size < 400 * 1024


def test_numbers_are_sequential_per_prefix_and_year(catalogue, enterprise_a, owner_a, reviewer, reviewer_th):
    from .helpers import make_application

    hp = [
        make_application(enterprise=enterprise_a, programme=catalogue["hp-revenue-growth"], created_by=owner_a)
        for _ in range(3)
    ]
    th = make_application(enterprise=enterprise_a, programme=catalogue["th-consortium"], created_by=owner_a)
    letters = [create(a, kind="supplement", actor=reviewer, context={"items": [{"label": "营业执照"}]}) for a in hp]
    other = create(th, kind="supplement", actor=reviewer_th, context={"items": [{"label": "审计报告"}]})
    assert [lt.serial for lt in letters] == [1, 2, 3]
    # 补正通知书 have their own series (补字), apart from the approvals' 批字 (issue 16)
    assert other.serial == 1 and other.number.startswith("天科工信补字〔")
    assert LetterSeries.objects.get(prefix="穗开经信补字").last_serial == 3
    assert not LetterSeries.objects.filter(prefix="穗开经信批字").exists()


def test_a_rolled_back_decision_gives_its_number_back(application_a, award_a, reviewer):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.letter_create(application=application_a, kind="approval", actor=reviewer)
        raise RuntimeError("decision failed after the letter was recorded")
    assert Letter.objects.count() == 0
    letter = create(application_a, actor=reviewer)
    assert letter.serial == 1  # not skipped


def test_approval_and_decline_letters_are_made_once_per_application(application_a, award_a, reviewer):
    first = create(application_a, actor=reviewer)
    again = create(application_a, actor=reviewer)
    assert again.pk == first.pk and Letter.objects.count() == 1


def test_supplement_notice_lists_every_item(application_a, reviewer, django_capture_on_commit_callbacks):
    import datetime as dt

    items = [
        {"label": "营业执照", "note": "请上传加盖公章的副本"},
        {"label": "发票", "note": "缺少2026年3月发票"},
        {"label": "支付凭证", "note": ""},
    ]
    with django_capture_on_commit_callbacks(execute=True):
        letter = create(
            application_a, kind="supplement", actor=reviewer, context={"items": items, "due_on": dt.date(2026, 12, 8)}
        )
    letter.refresh_from_db()
    text = squash(pdf_text(letter.pdf.read()))
    for item in items:
        assert item["label"] in text and squash(item["note"]) in text
    assert "2026年12月8日" in text
    assert letter.amount is None


def test_supplement_notice_without_items_is_refused_and_takes_no_number(application_a, reviewer):
    with pytest.raises(ValidationError):
        create(application_a, kind="supplement", actor=reviewer, context={"items": []})
    assert not LetterSeries.objects.filter(last_serial__gt=0).exists()


def test_decline_notice_states_reason_and_remedies(application_a, reviewer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        letter = create(
            application_a, kind="decline", actor=reviewer, context={"reason": "年度场内交易额未达到100万元。"}
        )
    letter.refresh_from_db()
    text = squash(pdf_text(letter.pdf.read()))
    assert "年度场内交易额未达到100万元" in text and "行政复议" in text and "不予支持" in text


def test_decline_without_reason_is_refused(application_a, reviewer):
    with pytest.raises(ValidationError):
        create(application_a, kind="decline", actor=reviewer, context={})


def test_only_bureau_staff_or_the_system_issue_letters(application_a, award_a, owner_a, expert, provider_user):
    for actor in (owner_a, expert, provider_user):
        with pytest.raises(PermissionDenied):
            create(application_a, actor=actor)
    assert Letter.objects.count() == 0


def test_policy_without_prefix_is_refused_with_a_clear_message(application_a, award_a, reviewer):
    policy = application_a.programme.policy
    policy.letter_prefix = ""
    policy.save()
    application_a.programme.letter_prefix = ""
    application_a.programme.save()
    with pytest.raises(ValidationError, match="文号前缀"):
        create(application_a, actor=reviewer)


def test_generation_is_idempotent_and_the_stored_pdf_never_changes(application_a, award_a, reviewer):
    letter = create(application_a, actor=reviewer)  # no on_commit: not generated yet
    letter_generate.delay(letter.pk)
    letter.refresh_from_db()
    first_hash, first_name = letter.sha256, letter.pdf.name
    letter_generate.delay(letter.pk)
    services.letter_generate_now(letter_id=letter.pk)
    letter.refresh_from_db()
    assert (letter.sha256, letter.pdf.name, letter.attempts) == (first_hash, first_name, 1)
    assert hashlib.sha256(letter.pdf.read()).hexdigest() == first_hash
    assert AuditEvent.objects.filter(action="letter.generate", target_id=str(letter.pk)).count() == 1


def test_a_killed_run_leaves_no_second_letter(application_a, award_a, reviewer):
    """A worker killed after writing the file but before committing: the redelivered task replaces
    the orphan file and stores one PDF."""
    letter = create(application_a, actor=reviewer)
    field = Letter._meta.get_field("pdf")
    orphan = field.generate_filename(letter, f"{letter.year}/{letter.pk:08d}-{letter.code}.pdf")
    field.storage.save(orphan, __import__("io").BytesIO(b"%PDF-1.7 half written"))
    letter_generate.delay(letter.pk)
    letter.refresh_from_db()
    assert letter.pdf.name == orphan
    assert hashlib.sha256(letter.pdf.read()).hexdigest() == letter.sha256
    assert Letter.objects.count() == 1


def test_failed_generation_is_recorded_and_retried(application_a, award_a, reviewer, monkeypatch):
    from reviews.letters import render

    letter = create(application_a, actor=reviewer)
    calls = {"n": 0}
    real = render.letter_pdf

    def flaky(lt):
        calls["n"] += 1
        if calls["n"] < 3:
            raise OSError("font cache busy")
        return real(lt)

    monkeypatch.setattr(render, "letter_pdf", flaky)
    # without propagation an eager task follows Celery's retries in-process (autoretry with backoff)
    monkeypatch.setitem(letter_generate.app.conf, "task_eager_propagates", False)
    result = letter_generate.apply(args=[letter.pk])
    letter.refresh_from_db()
    assert result.successful() and result.result == letter.sha256
    assert calls["n"] == 3 and letter.status == Letter.Status.READY and letter.last_error == ""


def test_failures_are_recorded_on_the_letter(application_a, award_a, reviewer, monkeypatch):
    from reviews.letters import render

    letter = create(application_a, actor=reviewer)
    monkeypatch.setattr(render, "letter_pdf", lambda lt: (_ for _ in ()).throw(OSError("disk full")))
    monkeypatch.setitem(letter_generate.app.conf, "task_eager_propagates", False)
    result = letter_generate.apply(args=[letter.pk])
    letter.refresh_from_db()
    # every retry used: the letter is failed (生成失败), for an administrator to retry (tests/ops)
    assert result.failed() and letter.status == Letter.Status.FAILED and not letter.sha256
    assert "disk full" in letter.last_error and letter.attempts == letter_generate.max_retries + 1


def test_revoked_letter_keeps_its_pdf(
    application_a, award_a, reviewer, bureau_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        letter = create(application_a, actor=reviewer)
    letter.refresh_from_db()
    digest = letter.sha256
    with pytest.raises(PermissionDenied):
        services.letter_revoke(actor=reviewer, letter=letter, reason="错误")
    revoked = services.letter_revoke(actor=bureau_admin, letter=letter, reason="金额核定有误")
    assert revoked.status == Letter.Status.REVOKED and revoked.sha256 == digest
    # a revoked approval may be replaced by a new letter with a new number
    again = create(application_a, actor=reviewer)
    assert again.pk != letter.pk and again.serial == letter.serial + 1


def test_periodic_sweep_generates_letters_left_pending(application_a, award_a, reviewer):
    import datetime as dt

    from django.utils import timezone

    from reviews.letters.tasks import letters_generate_pending

    letter = create(application_a, actor=reviewer)  # the broker was down: nothing was queued
    assert letters_generate_pending.delay().get() == 0  # too recent: its own task may still be on its way
    Letter.objects.filter(pk=letter.pk).update(created_at=timezone.now() - dt.timedelta(minutes=30))
    assert letters_generate_pending.delay().get() == 1
    letter.refresh_from_db()
    assert letter.status == Letter.Status.READY and letter.sha256
    assert letters_generate_pending.delay().get() == 0


def test_another_districts_staff_neither_issue_nor_see_nor_revoke_a_letter(
    application_a, award_a, reviewer, reviewer_th, bureau_admin_th
):
    """所属区域: application_a is Huangpu's; Tianhe's staff are refused at every step, nothing written."""
    from reviews.letters.selectors import letters_for_actor

    with pytest.raises(PermissionDenied, match="其他区域"):
        create(application_a, actor=reviewer_th)
    assert Letter.objects.count() == 0
    letter = create(application_a, actor=reviewer)
    assert list(letters_for_actor(actor=reviewer)) == [letter] and not letters_for_actor(actor=bureau_admin_th)
    with pytest.raises(PermissionDenied, match="其他区域"):
        services.letter_revoke(actor=bureau_admin_th, letter=letter, reason="错误")
    Letter.objects.filter(pk=letter.pk).update(status=Letter.Status.FAILED)
    with pytest.raises(PermissionDenied, match="其他区域"):
        services.letter_retry(actor=bureau_admin_th, letter=letter)
    assert services.letters_generate_batch(actor=bureau_admin_th) == 0
    letter.refresh_from_db()
    assert letter.status == Letter.Status.FAILED and letter.revoked_at is None


def test_the_qr_code_in_the_pdf_reads_as_the_letters_verification_link(
    award_a, application_a, django_capture_on_commit_callbacks
):
    """The QR code is an image of whole pixels a module, drawn without smoothing: read back out of the
    PDF, module by module, it is the QR code of the letter's verification link."""
    import io

    import qrcode
    from pypdf import PdfReader
    from pypdf.generic import BooleanObject

    from reviews.letters.render import QR_MODULE_PX, verify_url

    with django_capture_on_commit_callbacks(execute=True):
        letter = create(application_a)
    letter.refresh_from_db()
    images = {  # (the pages share their resources)
        image.name: image for page in PdfReader(io.BytesIO(letter.pdf.read())).pages for image in page.images
    }
    assert len(images) == 1, images  # the seal is drawn as vectors
    (image,) = images.values()
    xobject = image.indirect_reference.get_object()
    assert xobject.get("/Interpolate") == BooleanObject(False)
    code = qrcode.QRCode(border=1)
    code.add_data(verify_url(letter))
    expected = code.get_matrix()
    n = len(expected)
    bitmap = image.image.convert("L")
    assert bitmap.size == (n * QR_MODULE_PX, n * QR_MODULE_PX)
    half = QR_MODULE_PX // 2
    read = [
        [bitmap.getpixel((x * QR_MODULE_PX + half, y * QR_MODULE_PX + half)) < 128 for x in range(n)] for y in range(n)
    ]
    assert read == expected
    assert verify_url(letter).endswith(f"/verify/{letter.code}/")
