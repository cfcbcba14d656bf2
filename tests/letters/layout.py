"""Making one letter of each kind and reading its PDF with pdfplumber, for the layout tests
(tests/letters/test_layout.py says what is measured and how the standard's words are read)."""

from __future__ import annotations

import datetime as dt
import io
import os
from decimal import Decimal
from pathlib import Path

import pdfplumber
from django.db import transaction
from django.utils import timezone

from reviews.letters import render, services
from reviews.models import Letter

from .helpers import make_application, make_award

MM = 72 / 25.4
PAGE_W, PAGE_H = 210 * MM, 297 * MM
BLOCK_LEFT, BLOCK_RIGHT = 28 * MM, (28 + 156) * MM
BLOCK_TOP, BLOCK_BOTTOM = 37 * MM, (37 + 225) * MM
POS = 1 * MM  # positions within 1 mm
SIZE = 0.5  # sizes within 0.5 pt
RED = (0.902, 0.0, 0.071)  # #e60012


# ---------------------------------------------------------------- letters and their PDFs


def _create(application, kind, actor, context=None) -> Letter:
    with transaction.atomic():
        return services.letter_create(application=application, kind=kind, actor=actor, context=context)


def _pdf(letter: Letter, name: str = "") -> bytes:
    data = render.letter_pdf(letter)
    dump = os.environ.get("LETTER_LAYOUT_DUMP")
    if dump and name:
        Path(dump).mkdir(parents=True, exist_ok=True)
        (Path(dump) / f"{name}.pdf").write_bytes(data)
    return data


def _pages(data: bytes) -> list:
    return pdfplumber.open(io.BytesIO(data)).pages


def _app(catalogue, enterprise, owner, code="hp-data-trading", title="智能算力服务采购项目"):
    return make_application(enterprise=enterprise, programme=catalogue[code], created_by=owner, title=title)


def _preapproval_letter(catalogue, enterprise, owner, actor) -> Letter:
    """事前同意函 of an approved th-events pre-approval (Tianhe's bureau)."""
    from applications.models import PreApproval

    p = PreApproval.objects.create(
        reference="SQ2026-000042",
        enterprise=enterprise,
        programme=catalogue["th-events"],
        event_name="天河人工智能大模型产业峰会暨算力生态合作对接会",
        event_date=timezone.localdate() + dt.timedelta(days=40),
        venue="广州市天河区体育西路191号中石化大厦会议中心",
        plan="主论坛、三场分论坛。",
        budget=Decimal("800000.00"),
        requested_by=owner,
        state=PreApproval.State.APPROVED,
        decided_by=actor,
        decided_on=timezone.localdate(),
        reason="同意按方案举办，活动结束后按规定申报。",
    )
    with transaction.atomic():
        return services.letter_create_for_preapproval(preapproval=p, actor=actor)


def _clawback_letter(catalogue, enterprise, owner, actor, reason: str = "") -> Letter:
    """追回决定书 of a claw-back on a paid award (the decision row made directly: its service is the
    vouchers' own, tested there)."""
    from vouchers.models import Award, Clawback

    app = _app(catalogue, enterprise, owner, code="hp-revenue-growth", title="大模型研发与产业化项目")
    award = make_award(application=app, amount="500000")
    Award.objects.filter(pk=award.pk).update(disbursed=Decimal("500000"))
    award.refresh_from_db()
    c = Clawback.objects.create(
        number="ZH2026-000001",
        award=award,
        enterprise=enterprise,
        amount=Decimal("200000.00"),
        decided_by=actor,
        decided_on=timezone.localdate(),
        due_on=timezone.localdate() + dt.timedelta(days=30),
        reason=reason or "经核查，项目部分研发费用票据与申报事项不能对应，补贴资金予以追回。",
    )
    with transaction.atomic():
        return services.letter_create_for_clawback(clawback=c, actor=actor)


# ---------------------------------------------------------------- reading the PDF


def _lines(page, *, size: float | None = None) -> list[tuple[float, str, list[dict]]]:
    """The page's text lines (top, text, chars), optionally only characters of one size."""
    chars = [c for c in page.chars if c["text"].strip() and (size is None or abs(c["size"] - size) < SIZE)]
    rows: dict[float, list[dict]] = {}
    for c in sorted(chars, key=lambda c: (round(c["top"], 0), c["x0"])):
        key = next((k for k in rows if abs(k - c["top"]) < 2), c["top"])
        rows.setdefault(key, []).append(c)
    out = []
    for top, cs in sorted(rows.items()):
        cs.sort(key=lambda c: c["x0"])
        out.append((top, "".join(c["text"] for c in cs), cs))
    return out


def _find(page, text: str) -> list[dict]:
    """The characters of the first line holding `text`."""
    for _top, line, chars in _lines(page):
        if text in line:
            start = line.index(text)
            return chars[start : start + len(text)]
    raise AssertionError(f"{text!r} not on the page: {[line for _t, line, _c in _lines(page)]}")


def _em_top(page, c: dict) -> float:
    """The upper edge of a character's em box: its baseline (the text matrix) less 0.88 em, the
    ideographic em box of the CJK faces (pdfplumber's own `top` uses the font's descent instead)."""
    return page.height - c["matrix"][5] - 0.88 * c["size"]


def _em_bottom(page, c: dict) -> float:
    return page.height - c["matrix"][5] + 0.12 * c["size"]


def _colophon_clear(page) -> None:
    """The 版记 (its bordered box, drawn from its first rule to the block's bottom) covers no text."""
    boxes = [
        r
        for r in page.rects
        if abs(r["x0"] - BLOCK_LEFT) <= POS
        and abs(r["x1"] - BLOCK_RIGHT) <= POS
        and abs(r["bottom"] - BLOCK_BOTTOM) <= POS
    ]
    assert boxes, "no 版记 at the foot of the page"
    top = min(r["top"] for r in boxes)
    above = [c for c in page.chars if c["top"] < top and c["top"] < BLOCK_BOTTOM]
    assert all(_em_bottom(page, c) <= top + 0.5 for c in above), [
        c["text"] for c in above if _em_bottom(page, c) > top + 0.5
    ]


def _page_number(page) -> list[dict]:
    return [c for c in page.chars if c["top"] > BLOCK_BOTTOM]


def _find_any(pages, text: str) -> list[dict]:
    for page in pages:
        try:
            return _find(page, text)
        except AssertionError:
            continue
    raise AssertionError(f"{text!r} not in the letter")


def _lines_with(page, text: str) -> list[list[dict]]:
    out = []
    for _t, line, chars in _lines(page):
        if text in line:
            start = line.index(text)
            out.append(chars[start : start + len(text)])
    assert out, text
    return out
