"""Printing an enrolment (the authenticator's secret, its link as a QR code, the recovery codes) for
the operator to hand to the person, once."""

from __future__ import annotations

import io

from portal.services_staff import Enrolment


def enrolment_print(stdout, enrolment: Enrolment, *, qr: bool = True) -> None:
    stdout.write("")
    stdout.write("Two-factor login (TOTP) — add this to an authenticator app, then keep this page safe:")
    grouped = " ".join(enrolment.secret[i : i + 4] for i in range(0, len(enrolment.secret), 4))
    stdout.write(f"  secret (type it in):   {grouped}")
    stdout.write(f"  otpauth URI:           {enrolment.otpauth_uri}")
    if qr:
        import qrcode

        code = qrcode.QRCode(border=1)
        code.add_data(enrolment.otpauth_uri)
        out = io.StringIO()
        code.print_ascii(out=out, invert=True)
        stdout.write(out.getvalue())
    stdout.write("Recovery codes (each works once, in place of a TOTP code, when the authenticator is lost):")
    for code_text in enrolment.recovery_codes:
        stdout.write(f"  {code_text}")
    stdout.write("")
