"""Optional PAdES signature with the bureau's PKCS#12 certificate; verified with pyHanko."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.db import transaction

from reviews.letters import services

pytestmark = pytest.mark.django_db


def self_signed_p12(path, password: bytes):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "广州开发区经济和信息化局"),
            x509.NameAttribute(NameOID.COMMON_NAME, "Letter signing test"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(b"seal", key, cert, None, serialization.BestAvailableEncryption(password))
    )
    return cert


def test_signed_letter_validates_with_pyhanko(
    settings, tmp_path, application_a, award_a, reviewer, django_capture_on_commit_callbacks
):
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    cert = self_signed_p12(tmp_path / "seal.p12", b"s3cret")
    settings.PORTAL_LETTER_SIGNING_P12 = str(tmp_path / "seal.p12")
    settings.PORTAL_LETTER_SIGNING_PASSWORD = "s3cret"
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        letter = services.letter_create(application=application_a, kind="approval", actor=reviewer)
    letter.refresh_from_db()
    assert letter.signed
    data = letter.pdf.read()
    assert hashlib.sha256(data).hexdigest() == letter.sha256  # the hash covers the signed file

    trust = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    reader = PdfFileReader(letter.pdf.open("rb"))
    [sig] = reader.embedded_signatures
    status = validate_pdf_signature(sig, ValidationContext(trust_roots=[trust]))
    assert status.intact and status.valid and status.trusted
    assert status.coverage.name in ("ENTIRE_FILE", "ENTIRE_REVISION")
    assert sig.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES


def test_unsigned_by_default(application_a, award_a, reviewer, django_capture_on_commit_callbacks):
    from pypdf import PdfReader

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        letter = services.letter_create(application=application_a, kind="approval", actor=reviewer)
    letter.refresh_from_db()
    assert not letter.signed
    assert "/AcroForm" not in PdfReader(letter.pdf.open("rb")).trailer["/Root"]
