"""Attachments: PDF, JPEG, PNG and OFD only, decided by content; size limits per file and per
application; names sanitised; stored privately with SHA-256; downloads permission-checked and never
rendered inline; a refused upload leaves the application and the disk as they were."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from applications.models import Attachment
from applications.services import application_submit, attachment_add
from applications.uploads import clean_filename

from .conftest import DOCX_LIKE, EXE, HTML, JPEG, OFD, PDF, PNG, stored_files, upload, zip_bytes

pytestmark = pytest.mark.django_db


def _post(client, app, name, content, material="contract", content_type="application/pdf", **extra):
    return client.post(
        reverse("applications:attachment_upload", args=[app.pk]),
        {"material": material, "file": upload(name, content, content_type), **extra},
    )


@pytest.mark.parametrize(
    ("name", "content", "ctype", "ext"),
    [
        ("合同.pdf", PDF, "application/pdf", "pdf"),
        ("发票.PNG", PNG, "image/png", "png"),
        ("scan.jpeg", JPEG, "image/jpeg", "jpg"),
        ("电子发票.ofd", OFD, "application/ofd", "ofd"),
        ("no-extension", PDF, "application/pdf", "pdf"),  # the content decides, not the name
    ],
)
def test_accepted_types(client_for, owner_a, draft_a, private_storage, name, content, ctype, ext):
    response = _post(client_for(owner_a), draft_a, name, content)
    assert response.status_code == 302
    a = Attachment.objects.get()
    assert (a.content_type, a.size, a.sha256) == (ctype, len(content), hashlib.sha256(content).hexdigest())
    assert a.original_name.endswith(f".{ext}")
    assert a.file.name.startswith("attachments/") and a.file.name.endswith(f".{ext}")
    assert name.split(".")[0] not in a.file.name  # stored under a random name, never the user's
    assert [p.read_bytes() for p in stored_files(private_storage)] == [content]


@pytest.mark.parametrize(
    ("name", "content", "declared"),
    [
        ("invoice.pdf", EXE, "application/pdf"),  # an executable renamed .pdf
        ("photo.png", HTML, "image/png"),  # HTML with a PNG name
        ("e-invoice.ofd", zip_bytes({"readme.txt": b"hello"}), "application/ofd"),  # a ZIP that is not OFD
        ("contract.ofd", DOCX_LIKE, "application/ofd"),  # an office document container
        ("fake.ofd", zip_bytes({"OFD.xml": b"<html>not ofd</html>"}), "application/ofd"),  # OFD.xml that is not OFD
        ("trunc.ofd", b"PK\x03\x04" + b"\x00" * 40, "application/ofd"),  # a broken ZIP
        ("image.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/gif"),
        ("script.pdf", b"#!/bin/sh\nrm -rf /\n", "application/pdf"),
    ],
)
def test_refused_by_content_and_nothing_changes(client_for, owner_a, draft_a, private_storage, name, content, declared):
    before = draft_a.events.count()
    response = _post(client_for(owner_a), draft_a, name, content, content_type=declared)
    assert response.status_code == 400
    assert "PDF、JPG、PNG" in response.content.decode()
    assert not Attachment.objects.exists()
    assert stored_files(private_storage) == []
    assert draft_a.events.count() == before


def test_empty_file_is_refused(client_for, owner_a, draft_a, private_storage):
    response = _post(client_for(owner_a), draft_a, "empty.pdf", b"")
    assert response.status_code == 400
    assert not Attachment.objects.exists() and stored_files(private_storage) == []


def test_oversized_file_is_refused(client_for, owner_a, draft_a, private_storage, settings):
    settings.PORTAL_UPLOAD_MAX_FILE_BYTES = 1000
    response = _post(client_for(owner_a), draft_a, "big.pdf", PDF + b"0" * 1000)
    assert response.status_code == 400
    assert "超过单个文件上限" in response.content.decode()
    assert not Attachment.objects.exists() and stored_files(private_storage) == []


def test_too_much_per_application_is_refused(owner_a, draft_a, private_storage, settings):
    settings.PORTAL_UPLOAD_MAX_APPLICATION_BYTES = 2 * len(PDF) + 10
    attachment_add(actor=owner_a, application=draft_a, material="contract", upload=upload("a.pdf", PDF))
    attachment_add(actor=owner_a, application=draft_a, material="invoice", upload=upload("b.pdf", PDF))
    with pytest.raises(ValidationError) as exc:
        attachment_add(actor=owner_a, application=draft_a, material="payment_proof", upload=upload("c.pdf", PDF))
    assert "合计不能超过" in exc.value.message_dict["file"][0]
    assert Attachment.objects.count() == 2 and len(stored_files(private_storage)) == 2
    # Replacing a file counts the new one instead of the old one, so it still fits.
    old = Attachment.objects.get(material="invoice")
    attachment_add(
        actor=owner_a, application=draft_a, material="invoice", upload=upload("b2.pdf", PDF), replaces=old.pk
    )
    old.refresh_from_db()
    assert old.superseded_at is not None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\system32\\evil.pdf", "evil.pdf"),
        ("/var/www/html/shell.php.pdf", "shell.php.pdf"),
        ("合同\u202egpj.exe.pdf", "合同gpj.exe.pdf"),  # right-to-left override removed
        ('a<b>:"c|?*.pdf', "a_b___c___.pdf"),
        ("....pdf", "附件.pdf"),
        ("report.exe", "report.pdf"),  # the detected type's extension, whatever the name said
        ("x" * 300 + ".pdf", "x" * 80 + ".pdf"),
        ("ＦＵＬＬ　ＷＩＤＴＨ.pdf", "FULL WIDTH.pdf"),
    ],
)
def test_names_are_sanitised(raw, expected):
    assert clean_filename(raw, "pdf") == expected


def test_path_traversal_name_is_stored_safely(client_for, owner_a, draft_a, private_storage):
    response = _post(client_for(owner_a), draft_a, "../../../../tmp/evil.pdf", PDF)
    assert response.status_code == 302
    a = Attachment.objects.get()
    assert a.original_name == "evil.pdf"
    files = stored_files(private_storage)
    assert len(files) == 1 and files[0].resolve().is_relative_to(private_storage.resolve())


def test_unknown_material_is_refused(client_for, owner_a, draft_a, private_storage):
    response = _post(client_for(owner_a), draft_a, "a.pdf", PDF, material="../../secret")
    assert response.status_code == 400
    assert not Attachment.objects.exists() and stored_files(private_storage) == []


def test_failure_after_storing_removes_the_file(owner_a, draft_a, private_storage, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("applications.services.attachments.timeline_add", boom)
    with pytest.raises(RuntimeError):
        attachment_add(actor=owner_a, application=draft_a, material="contract", upload=upload("a.pdf", PDF))
    assert not Attachment.objects.exists()
    assert stored_files(private_storage) == []


def test_replace_marks_the_old_file_superseded(client_for, owner_a, draft_a):
    c = client_for(owner_a)
    _post(c, draft_a, "v1.pdf", PDF)
    old = Attachment.objects.get()
    assert _post(c, draft_a, "v2.png", PNG, replaces=str(old.pk)).status_code == 302
    old.refresh_from_db()
    new = Attachment.objects.exclude(pk=old.pk).get()
    assert old.superseded_at is not None and new.superseded_at is None
    page = c.get(reverse("applications:detail", args=[draft_a.pk])).content.decode()
    assert reverse("applications:attachment_download", args=[draft_a.pk, new.pk]) in page
    assert reverse("applications:attachment_download", args=[draft_a.pk, old.pk]) not in page
    # An already replaced file cannot be replaced again.
    assert _post(c, draft_a, "v3.pdf", PDF, replaces=str(old.pk)).status_code == 400
    assert Attachment.objects.count() == 2


def test_a_file_replaces_only_a_file_of_its_own_material(client_for, owner_a, draft_a, private_storage):
    """The finding (issue 17): with the business licence chosen as the file to replace, uploading the
    contract deleted the licence."""
    licence = attachment_add(
        actor=owner_a, application=draft_a, material="business_license", upload=upload("营业执照.pdf", PDF)
    )
    with pytest.raises(ValidationError) as exc:
        attachment_add(
            actor=owner_a, application=draft_a, material="contract", upload=upload("合同.pdf", PDF), replaces=licence.pk
        )
    assert "只能替换同一材料类别的文件" in exc.value.message_dict["replaces"][0]
    licence.refresh_from_db()
    assert licence.superseded_at is None and Attachment.objects.count() == 1
    assert len(stored_files(private_storage)) == 1
    # through the page: refused with the reason, the licence kept
    r = _post(client_for(owner_a), draft_a, "合同.pdf", PDF, material="contract", replaces=str(licence.pk))
    assert r.status_code == 400 and "只能替换同一材料类别的文件" in r.content.decode()
    licence.refresh_from_db()
    assert licence.superseded_at is None and Attachment.objects.count() == 1
    # the form offers each material's files under its own heading
    page = client_for(owner_a).get(reverse("applications:detail", args=[draft_a.pk])).content.decode()
    assert '<optgroup label="营业执照">' in page


def test_remove_keeps_the_file_on_record(client_for, owner_a, draft_a):
    _post(client_for(owner_a), draft_a, "v1.pdf", PDF)
    a = Attachment.objects.get()
    client_for(owner_a).post(reverse("applications:attachment_remove", args=[draft_a.pk, a.pk]))
    a.refresh_from_db()
    assert a.superseded_at is not None


def test_no_upload_once_submitted(complete_a, owner_a, private_storage):
    application_submit(actor=owner_a, application=complete_a, declaration=True)
    count = len(stored_files(private_storage))
    with pytest.raises(ValidationError):
        attachment_add(actor=owner_a, application=complete_a, material="contract", upload=upload("late.pdf", PDF))
    assert len(stored_files(private_storage)) == count
    assert Attachment.objects.filter(application=complete_a).count() == len(complete_a.programme.materials)


def test_download_is_an_attachment_with_detected_type_and_nosniff(client_for, owner_a, agent_a, draft_a):
    _post(client_for(owner_a), draft_a, "发票 2026.png", PNG)
    a = Attachment.objects.get()
    for user in (owner_a, agent_a):
        response = client_for(user).get(reverse("applications:attachment_download", args=[draft_a.pk, a.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert response["Content-Disposition"].startswith("attachment;")
        assert "filename*=utf-8''%E5%8F%91%E7%A5%A8%202026.png" in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == PNG


def test_download_by_reviewer_allowed_by_others_refused(
    client_for, owner_a, owner_b, reviewer, expert, provider_user, draft_a
):
    _post(client_for(owner_a), draft_a, "a.pdf", PDF)
    a = Attachment.objects.get()
    url = reverse("applications:attachment_download", args=[draft_a.pk, a.pk])
    assert client_for(reviewer).get(url).status_code == 200
    for user in (owner_b, expert, provider_user):
        assert client_for(user).get(url).status_code == 404
    assert client_for().get(url).status_code == 302  # anonymous: to the login page


def test_download_of_a_file_through_another_application_is_404(client_for, owner_a, owner_b, draft_a, compute):
    from applications.services import application_create

    _post(client_for(owner_a), draft_a, "a.pdf", PDF)
    a = Attachment.objects.get()
    app_b = application_create(actor=owner_b, programme=compute).application
    url = reverse("applications:attachment_download", args=[app_b.pk, a.pk])
    assert client_for(owner_b).get(url).status_code == 404
