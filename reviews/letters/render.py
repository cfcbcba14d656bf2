"""Letter → PDF with WeasyPrint. The template is the letter's recorded version (letters/<kind>_vN.html,
with its stylesheet static/letters/letter_vN.css); the fonts are the system's Noto CJK (fonts-noto-cjk),
which WeasyPrint embeds as a subset of the glyphs used. The verification QR code is an SVG data URI.
Optionally the PDF is signed (PAdES) with the bureau's PKCS#12 certificate from settings."""

from __future__ import annotations

import base64
import functools
import io
import re
from pathlib import Path

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from reviews.models import Letter

VERSION = re.compile(r"_(v\d+)$")


@functools.cache
def _fonts() -> FontConfiguration:
    return FontConfiguration()


@functools.cache
def _stylesheet(version: str) -> CSS:
    path = Path(settings.BASE_DIR) / "static" / "letters" / f"letter_{version}.css"
    return CSS(filename=str(path), font_config=_fonts())


def verify_url(letter: Letter) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("reviews:letter_verify", args=[letter.code])


def qr_data_uri(text: str) -> str:
    buf = io.BytesIO()
    qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=1).save(buf)
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def letter_html(letter: Letter) -> str:
    url = verify_url(letter)
    return render_to_string(f"letters/{letter.template}.html", {
        "letter": letter, "c": letter.context, "verify_url": url, "qr": qr_data_uri(url),
    })


def letter_pdf(letter: Letter) -> bytes:
    """The letter's PDF (unsigned), rendered from its snapshot with its template version."""
    match = VERSION.search(letter.template)
    version = match.group(1) if match else "v1"
    document = HTML(string=letter_html(letter), base_url=str(settings.BASE_DIR))
    return document.write_pdf(stylesheets=[_stylesheet(version)], font_config=_fonts())


def signing_configured() -> bool:
    return bool(getattr(settings, "PORTAL_LETTER_SIGNING_P12", ""))


def pdf_sign(pdf: bytes, *, reason: str, location: str) -> bytes:
    """PAdES baseline signature with the PKCS#12 certificate named in settings."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    password = getattr(settings, "PORTAL_LETTER_SIGNING_PASSWORD", "") or ""
    signer = signers.SimpleSigner.load_pkcs12(settings.PORTAL_LETTER_SIGNING_P12,
                                              passphrase=password.encode() if password else None)
    if signer is None:
        raise RuntimeError("cannot load the letter signing certificate (PORTAL_LETTER_SIGNING_P12)")
    meta = signers.PdfSignatureMetadata(field_name="BureauSeal", reason=reason, location=location,
                                        subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256")
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    out = signers.PdfSigner(meta, signer=signer).sign_pdf(writer)
    return out.getvalue()
