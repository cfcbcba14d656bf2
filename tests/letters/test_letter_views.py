"""Letter pages: permission-checked download for each member of the cast, batch generation and zip
for administrators, the public verification page (unknown code, revoked letter, tampered hash)."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from portal.models import AuditEvent
from reviews.letters import services
from reviews.models import Letter

from .helpers import make_application, make_award

pytestmark = pytest.mark.django_db


@pytest.fixture
def letter(application_a, award_a, reviewer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        made = services.letter_create(application=application_a, kind="approval", actor=reviewer)
    made.refresh_from_db()
    return made


def test_members_of_the_enterprise_and_the_bureau_download_the_pdf(
    letter, client_for, owner_a, agent_a, reviewer, reviewer_other, bureau_admin
):
    url = reverse("reviews:letter_download", args=[letter.pk])
    for user in (owner_a, agent_a, reviewer, reviewer_other, bureau_admin):
        response = client_for(user).get(url)
        assert response.status_code == 200, user
        body = b"".join(response.streaming_content)
        assert hashlib.sha256(body).hexdigest() == letter.sha256
        assert response["Content-Type"] == "application/pdf"
        assert "attachment" in response["Content-Disposition"]


def test_others_get_404_and_anonymous_is_sent_to_login(letter, client_for, owner_b, expert, provider_user):
    url = reverse("reviews:letter_download", args=[letter.pk])
    for user in (owner_b, expert, provider_user):
        assert client_for(user).get(url).status_code == 404, user
    response = client_for(None).get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_letter_list_shows_own_letters_only(letter, client_for, owner_a, owner_b, bureau_admin):
    assert letter.number in client_for(owner_a).get(reverse("reviews:letter_list")).content.decode()
    assert letter.number not in client_for(owner_b).get(reverse("reviews:letter_list")).content.decode()
    assert letter.number in client_for(bureau_admin).get(reverse("reviews:letter_list")).content.decode()


def test_api_lists_letters_scoped_to_the_actor(letter, api_for, owner_a, owner_b, expert):
    data = api_for(owner_a).get("/api/v1/letters/").json()
    assert [row["number"] for row in data["results"]] == [letter.number]
    assert api_for(owner_b).get("/api/v1/letters/").json()["results"] == []
    assert api_for(expert).get(f"/api/v1/letters/{letter.pk}/").status_code == 404
    assert api_for(None).get("/api/v1/letters/").status_code in (401, 403)


def test_verification_page_confirms_the_letter(letter, client_for):
    response = client_for(None).get(reverse("reviews:letter_verify", args=[letter.code.lower()]))
    page = response.content.decode()
    assert response.status_code == 200
    for text in (
        letter.number,
        "广州甲智能科技有限公司",
        "123,456.78",
        "壹拾贰万叁仟肆佰伍拾陆元柒角捌分",
        letter.issued_on.strftime("%Y-%m-%d"),
        letter.sha256,
        "现行有效",
    ):
        assert text in page


def test_verification_of_an_unknown_code_says_so(client_for, db):
    response = client_for(None).get(reverse("reviews:letter_verify", args=["ZZZZZZZZZZ"]))
    assert response.status_code == 404
    assert "不存在" in response.content.decode()
    assert client_for(None).get("/api/v1/letters/verify/ZZZZZZZZZZ/").status_code == 404


def test_verification_of_a_revoked_letter_says_so(letter, client_for, bureau_admin):
    services.letter_revoke(actor=bureau_admin, letter=letter, reason="企业名称有误")
    page = client_for(None).get(reverse("reviews:letter_verify", args=[letter.code])).content.decode()
    assert "已撤销" in page and "企业名称有误" in page and "现行有效" not in page
    assert client_for(None).get(f"/api/v1/letters/verify/{letter.code}/").json()["valid"] is False


def test_hash_check_accepts_the_original_and_rejects_a_tampered_hash(letter, client_for):
    url = reverse("reviews:letter_verify", args=[letter.code])
    ok = client_for(None).post(url, {"sha256": letter.sha256.upper()}).content.decode()
    assert "一致：" in ok and "不一致" not in ok
    tampered = ("0" if letter.sha256[0] != "0" else "1") + letter.sha256[1:]
    bad = client_for(None).post(url, {"sha256": tampered}).content.decode()
    assert "不一致" in bad and tampered in bad


def test_hash_check_by_upload(letter, client_for):
    url = reverse("reviews:letter_verify", args=[letter.code])
    original = letter.pdf.open("rb").read()
    ok = client_for(None).post(url, {"file": SimpleUploadedFile("l.pdf", original, "application/pdf")})
    assert "一致：" in ok.content.decode()
    altered = original.replace(b"%%EOF", b"%%EOF\n% edited", 1)
    bad = client_for(None).post(url, {"file": SimpleUploadedFile("l.pdf", altered, "application/pdf")})
    assert "不一致" in bad.content.decode()


def test_hash_check_with_malformed_hash_gets_a_field_message(letter, client_for):
    response = client_for(None).post(reverse("reviews:letter_verify", args=[letter.code]), {"sha256": "abc"})
    assert response.status_code == 400 and "64位十六进制" in response.content.decode()
    empty = client_for(None).post(reverse("reviews:letter_verify", args=[letter.code]), {})
    assert empty.status_code == 400 and "请上传PDF文件或粘贴哈希值" in empty.content.decode()


def test_verify_start_redirects_to_the_code(client_for, db):
    response = client_for(None).get(reverse("reviews:letter_verify_start"), {"code": " abcd-efgh "})
    assert response.status_code == 302 and response["Location"].endswith("/verify/ABCDEFGH/")


def test_administrators_batch_generate_and_download_a_zip(
    catalogue, enterprise_a, owner_a, reviewer, client_for, bureau_admin, django_capture_on_commit_callbacks
):
    apps = [
        make_application(enterprise=enterprise_a, programme=catalogue["hp-data-trading"], created_by=owner_a)
        for _ in range(3)
    ]
    for app in apps:
        make_award(application=app, amount="1000.00")
        with transaction.atomic():  # on_commit not executed: letters stay pending
            services.letter_create(application=app, kind="approval", actor=reviewer)
    assert Letter.objects.filter(status="pending").count() == 3
    admin = client_for(bureau_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(reverse("reviews:letters_batch"), {"action": "generate"})
    assert response.status_code == 302
    assert Letter.objects.filter(status="ready").count() == 3
    ids = list(Letter.objects.values_list("pk", flat=True))
    response = admin.post(reverse("reviews:letters_batch"), {"action": "zip", "letters": ids})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert len(archive.namelist()) == 3
    by_number = {lt.number: lt.sha256 for lt in Letter.objects.all()}
    for name in archive.namelist():
        number = name.split("-")[0]
        assert hashlib.sha256(archive.read(name)).hexdigest() == by_number[number]
    assert AuditEvent.objects.filter(action="letter.download_zip").exists()


def test_batch_and_revoke_are_refused_to_everyone_but_administrators(
    letter, client_for, owner_a, reviewer, expert, provider_user
):
    for user in (owner_a, reviewer, expert, provider_user):
        c = client_for(user)
        assert c.post(reverse("reviews:letters_batch"), {"action": "zip", "letters": [letter.pk]}).status_code == 403
        status = c.post(reverse("reviews:letter_revoke", args=[letter.pk]), {"reason": "x"}).status_code
        assert status in (403, 404), user
    letter.refresh_from_db()
    assert letter.revoked_at is None
    assert not AuditEvent.objects.filter(action__in=["letter.download_zip", "letter.revoke"]).exists()


def test_administrator_revokes_with_a_reason(letter, client_for, bureau_admin):
    c = client_for(bureau_admin)
    c.post(reverse("reviews:letter_revoke", args=[letter.pk]), {"reason": ""})
    letter.refresh_from_db()
    assert letter.revoked_at is None
    c.post(reverse("reviews:letter_revoke", args=[letter.pk]), {"reason": "重复出具"})
    letter.refresh_from_db()
    assert letter.revoked_at is not None and letter.revoked_reason == "重复出具"


def test_pending_letter_cannot_be_downloaded_yet(application_a, award_a, reviewer, client_for, owner_a):
    with transaction.atomic():
        pending = services.letter_create(application=application_a, kind="approval", actor=reviewer)
    assert client_for(owner_a).get(reverse("reviews:letter_download", args=[pending.pk])).status_code == 404


def test_verification_of_a_letter_still_being_generated(application_a, award_a, reviewer, client_for):
    with transaction.atomic():
        pending = services.letter_create(application=application_a, kind="approval", actor=reviewer)
    page = client_for(None).get(reverse("reviews:letter_verify", args=[pending.code])).content.decode()
    assert pending.number in page and "正在生成" in page and 'name="sha256"' not in page


def test_the_application_page_links_its_letter(letter, client_for, owner_a, owner_b):
    page = client_for(owner_a).get(reverse("applications:detail", args=[letter.application_id])).content.decode()
    assert letter.number in page and reverse("reviews:letter_download", args=[letter.pk]) in page
    # another enterprise does not even see the application
    assert client_for(owner_b).get(reverse("applications:detail", args=[letter.application_id])).status_code == 404
