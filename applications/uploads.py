"""What an uploaded file is, decided from its content (magic bytes), never from its name or the
browser's declared type. Only PDF, JPEG, PNG and OFD (the Chinese fixed-layout format: a ZIP
container whose root holds OFD.xml) are accepted."""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

ALLOWED = {
    # filetype's extension → (stored extension, content type served on download)
    "pdf": ("pdf", "application/pdf"),
    "jpg": ("jpg", "image/jpeg"),
    "png": ("png", "image/png"),
    "apng": ("png", "image/png"),
}
OFD = ("ofd", "application/ofd")
ZIP_MAGIC = b"PK\x03\x04"
OFD_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?OFD[\s>/]")
OFD_XML_PEEK = 64 * 1024
NAME_MAX = 80


@dataclass(frozen=True)
class CheckedFile:
    extension: str
    content_type: str
    size: int
    sha256: str
    safe_name: str


def _head(upload: UploadedFile, n: int = 8192) -> bytes:
    upload.seek(0)
    head = upload.read(n)
    upload.seek(0)
    return head


def _is_ofd(upload: UploadedFile) -> bool:
    """A ZIP whose root holds OFD.xml with an OFD root element. Nothing is extracted; at most
    OFD_XML_PEEK bytes of one entry are decompressed."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            if "OFD.xml" not in archive.namelist():
                return False
            with archive.open("OFD.xml") as entry:
                return bool(OFD_ROOT.search(entry.read(OFD_XML_PEEK)))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError, RuntimeError, ValueError):
        return False
    finally:
        upload.seek(0)


def detect_type(upload: UploadedFile) -> tuple[str, str]:
    """(extension, content type) of an accepted file; ValidationError for anything else."""
    head = _head(upload)
    if head.startswith(ZIP_MAGIC):
        if _is_ofd(upload):
            return OFD
        raise ValidationError(
            _("压缩包或其他文档不是有效的OFD文件（缺少 OFD.xml），只接受 PDF、JPG、PNG、OFD 格式。"), code="file_type"
        )
    kind = filetype.guess(head)
    if kind is None or kind.extension not in ALLOWED:
        raise ValidationError(
            _("文件内容不是 PDF、JPG、PNG 或 OFD 格式（按文件内容识别，与文件名无关），请重新选择。"), code="file_type"
        )
    return ALLOWED[kind.extension]


def clean_filename(name: str, extension: str) -> str:
    """The name shown and offered on download: no path, no control or bidi characters, no characters
    that file systems refuse, at most NAME_MAX characters, and the extension of the detected type."""
    text = unicodedata.normalize("NFKC", name or "")
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(c for c in text if unicodedata.category(c)[0] not in ("C", "Z") or c == " ")
    text = re.sub(r'[<>:"|?*;]', "_", text)
    stem = text.rsplit(".", 1)[0] if "." in text else text
    stem = stem.strip(" .")[:NAME_MAX].strip(" .") or _("附件")
    return f"{stem}.{extension}"


def check_upload(upload: UploadedFile) -> CheckedFile:
    """Size, type by content, SHA-256 and a safe display name; ValidationError (code file_size or
    file_type) when the file is refused."""
    limit = settings.PORTAL_UPLOAD_MAX_FILE_BYTES
    size = upload.size or 0
    if size <= 0:
        raise ValidationError(_("文件为空，请重新选择。"), code="file_empty")
    if size > limit:
        raise ValidationError(
            _("文件大小 %(size)s 超过单个文件上限 %(limit)s。")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="file_size",
        )
    extension, content_type = detect_type(upload)
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(
        extension=extension,
        content_type=content_type,
        size=size,
        sha256=digest.hexdigest(),
        safe_name=clean_filename(upload.name or "", extension),
    )
