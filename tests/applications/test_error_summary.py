"""Errors where the eye is (issue 17): a refused form shows a summary at its top naming each problem
by the field's label (a missing material by the material's label, never the service's key
"materials"), each linked to its field; a refused upload says why, next to the file input as well as
at the top; nothing changes either way."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from applications.models import Attachment

from .conftest import EXE, upload

pytestmark = pytest.mark.django_db


def _summary(html: str) -> str:
    found = re.search(r'<div class="error-summary"[^>]*>(.*?)</div>', html, flags=re.S)
    assert found, "no error summary on the page"
    return found.group(0)


def _links(summary: str) -> dict[str, str]:
    """The summary's entries: text → where its link leads."""
    return {
        unescape(re.sub(r"<[^>]+>", "", text)).strip(): href
        for href, text in re.findall(r'<a href="([^"]+)">(.*?)</a>', summary, flags=re.S)
    }


def test_submit_without_materials_names_each_missing_material_and_links_to_its_row(client_for, owner_a, draft_a):
    response = client_for(owner_a).post(reverse("applications:submit", args=[draft_a.pk]), {"declaration": "on"})
    assert response.status_code == 400
    html = response.content.decode()
    summary = _summary(html)
    main = html[html.index("<main") :]
    assert main.index('class="error-summary"') < main.index('<form method="post"')  # at the top, above the form
    assert 'role="alert"' in summary and 'tabindex="-1"' in summary  # announced; portal.js moves focus there
    links = _links(summary)
    required = [m for m in draft_a.programme.materials if m.get("required", True)]
    assert required
    for material in required:
        assert links.get(f"{material['label_zh']}：尚未上传。") == f"#material-{material['code']}", links
        assert f'id="material-{material["code"]}"' in html  # the link's target is on the page
    assert "materials" not in unescape(summary)  # the service's key is never shown
    draft_a.refresh_from_db()
    assert draft_a.state == "draft" and draft_a.declared_at is None


def test_a_field_error_is_named_by_the_fields_label_and_linked_to_the_field(client_for, owner_a, complete_a):
    response = client_for(owner_a).post(reverse("applications:submit", args=[complete_a.pk]), {})
    assert response.status_code == 400
    html = response.content.decode()
    links = _links(_summary(html))
    declaration = [href for text, href in links.items() if text.startswith("本单位承诺")]
    assert declaration == ["#id_declaration"], links
    assert 'id="id_declaration"' in html and 'aria-invalid="true"' in html
    assert "declaration" not in "".join(links)  # the label, not the field name
    complete_a.refresh_from_db()
    assert complete_a.state == "draft"


def test_a_refused_upload_says_why_next_to_the_file_input(client_for, owner_a, draft_a, private_storage):
    before = draft_a.events.count()
    response = client_for(owner_a).post(
        reverse("applications:attachment_upload", args=[draft_a.pk]),
        {"material": "contract", "file": upload("invoice.pdf", EXE, "application/pdf")},
    )
    assert response.status_code == 400
    html = response.content.decode()
    # next to the input: the field's own error, which the input points to (aria-describedby)
    field = re.search(r'<input[^>]*type="file"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in field
    error_id = re.search(r'aria-describedby="([^" ]+-error)', field).group(1)
    beside = re.search(rf'<div class="error" id="{error_id}">(.*?)</div>', html, flags=re.S).group(1)
    assert "PDF、JPG、PNG" in beside
    # and at the top the message says why, not only that the file was not uploaded
    message = re.search(r"文件未上传，申报保持不变：([^<]+)", html)
    assert message and "PDF、JPG、PNG" in message.group(1)
    assert not Attachment.objects.exists() and draft_a.events.count() == before


def test_another_enterprise_cannot_post_an_upload_and_nothing_changes(client_for, owner_b, draft_a, private_storage):
    response = client_for(owner_b).post(
        reverse("applications:attachment_upload", args=[draft_a.pk]),
        {"material": "contract", "file": upload("invoice.pdf", EXE, "application/pdf")},
    )
    assert response.status_code == 404
    assert not Attachment.objects.exists()
