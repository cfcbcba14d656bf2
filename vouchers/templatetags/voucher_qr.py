"""{% voucher_qr voucher %}: a QR code (inline SVG) the compute provider scans to open its redemption
desk with the voucher's code and its holder's credit code filled in."""

from __future__ import annotations

import io
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.safestring import mark_safe

register = template.Library()


def redemption_link(voucher) -> str:
    query = urlencode({"voucher": voucher.code, "holder": voucher.enterprise.credit_code})
    return f"{settings.SITE_URL.rstrip('/')}{reverse('vouchers:provider_home')}?{query}"


@register.inclusion_tag("guide/_voucher_qr.html")
def voucher_qr(voucher) -> dict:
    link = redemption_link(voucher)
    svg = io.BytesIO()
    qrcode.make(link, image_factory=qrcode.image.svg.SvgPathImage, box_size=8).save(svg)
    # the SVG is made here from the link, nothing of the user's: safe to put into the page as is
    return {"svg": mark_safe(svg.getvalue().decode()), "link": link, "voucher": voucher}  # noqa: S308
