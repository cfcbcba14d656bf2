"""GB/T 9704-2012 《党政机关公文格式》 measured on real rendered letters of every kind, with pdfplumber
(positions in PDF points, 1 mm = 72 / 25.4 pt; `top` is measured from the page's top edge).

What is measured, and how the standard's words are read:
- 版心 (5.2): A4, block 156 × 225 mm with 天头 37 mm and 订口 28 mm: x from 28 to 184 mm, y from 37
  to 262 mm. Every character lies inside it, except the page numbers.
- 发文机关标志 (7.2.1): its upper edge (the top of the characters' em box, pdfplumber's `top`) 35 mm
  below the block's top edge, i.e. 72 mm from the page's top; red; centred.
- 发文字号 (7.2.3) two blank lines (of the 28.95 pt grid) below the heading; the red rule 4 mm under it.
- 标题 (7.3.1) 二号 (22 pt), never broken inside a word; 正文 (7.3.3) 三号 (16 pt), 28 characters a line.
- 成文日期 (7.3.5.1) four characters (64 pt) from the block's right edge, the issuer centred over it; no
  page holding only the signature and date.
- 版记 (7.4) 四号 (14 pt), its last rule on the last line of the last page's block.
- 页码 (7.5) 四号, "— n —", the top of the line 7 mm below the block; odd pages one character in
  from the right edge, even pages one character in from the left.
Tolerances: 1 mm for positions, 0.5 pt for sizes.

Set LETTER_LAYOUT_DUMP=/some/dir to keep the PDFs looked at (pdftoppm -png -r 60)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from pypdf import PdfReader

from reviews.letters import render
from reviews.models import Decision, Letter

from .helpers import make_award
from .layout import (
    BLOCK_BOTTOM,
    BLOCK_LEFT,
    BLOCK_RIGHT,
    BLOCK_TOP,
    MM,
    PAGE_H,
    PAGE_W,
    POS,
    RED,
    SIZE,
    _app,
    _clawback_letter,
    _colophon_clear,
    _create,
    _em_bottom,
    _em_top,
    _find,
    _find_any,
    _lines,
    _lines_with,
    _page_number,
    _pages,
    _pdf,
    _preapproval_letter,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def kinds(catalogue, enterprise_a, owner_a, reviewer, reviewer_th, bureau_admin):
    """One letter of each kind, keyed by name: approval, staged, voucher, reduction, decline, supplement,
    preapproval, clawback."""
    from vouchers.services.redemption import voucher_issue

    out = {}
    app = _app(catalogue, enterprise_a, owner_a)
    make_award(application=app, amount="123456.78")
    out["approval"] = _create(app, "approval", reviewer)

    app = _app(catalogue, enterprise_a, owner_a, code="hp-vertical-model-compute")
    make_award(application=app, amount="900000")
    out["staged"] = _create(
        app,
        "approval",
        reviewer,
        {
            "tranches": [
                {"label": "首期", "amount": "300000.00", "condition": "项目启动并签订资金使用承诺书"},
                {"label": "二期", "amount": "300000.00", "condition": "项目中期检查合格"},
                {"label": "三期", "amount": "300000.00", "condition": "项目通过验收"},
            ]
        },
    )

    app = _app(catalogue, enterprise_a, owner_a, code="hp-compute-voucher")
    voucher_issue(award=make_award(application=app, amount="300000"))
    out["voucher"] = _create(app, "approval", reviewer)

    app = _app(catalogue, enterprise_a, owner_a, code="hp-revenue-growth")
    make_award(application=app, amount="400000")
    Decision.objects.create(
        application=app,
        outcome=Decision.Outcome.REDUCE,
        amount=Decimal("400000"),
        max_amount=Decimal("500000"),
        reason="部分发票不属于申报期内，相应金额不予计入。",
        decided_on=timezone.localdate(),
    )
    out["reduction"] = _create(app, "approval", reviewer, {"copy_to": ["广州开发区财政局"]})

    app = _app(catalogue, enterprise_a, owner_a, code="th-dcmm")
    out["decline"] = _create(
        app,
        "decline",
        reviewer_th,  # th-dcmm: Tianhe's bureau (所属区域)
        {"reason": "申报时尚未取得数据管理能力成熟度评估证书。"},
    )

    app = _app(catalogue, enterprise_a, owner_a, code="hp-data-space")
    out["supplement"] = _create(
        app,
        "supplement",
        reviewer,
        {
            "items": [
                {"label": "营业执照", "note": "请上传加盖公章的副本"},
                {"label": "发票", "note": "缺少2026年3月发票"},
            ],
            "due_on": dt.date(2026, 12, 8),
        },
    )

    out["preapproval"] = _preapproval_letter(catalogue, enterprise_a, owner_a, reviewer_th)
    out["clawback"] = _clawback_letter(catalogue, enterprise_a, owner_a, bureau_admin)
    return out


# ---------------------------------------------------------------- the measurements

KINDS = ["approval", "staged", "voucher", "reduction", "decline", "supplement", "preapproval", "clawback"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_follows_the_standard(kinds, kind):
    letter = kinds[kind]
    data = _pdf(letter, kind)
    pages = _pages(data)
    first, last = pages[0], pages[-1]
    assert (round(first.width), round(first.height)) == (round(PAGE_W), round(PAGE_H))  # A4

    # 发文机关标志: upper edge 35 mm below the block's top, red, centred
    heading = _find(first, letter.authority)
    assert abs(min(_em_top(first, c) for c in heading) - (BLOCK_TOP + 35 * MM)) <= POS
    assert all(tuple(round(v, 3) for v in c["non_stroking_color"]) == RED for c in heading)
    centre = (heading[0]["x0"] + heading[-1]["x1"]) / 2
    assert abs(centre - (BLOCK_LEFT + BLOCK_RIGHT) / 2) <= POS

    # 发文字号 two blank lines below it, centred; the red rule 4 mm under the number
    number = _find(first, letter.number)
    gap = min(_em_top(first, c) for c in number) - max(_em_bottom(first, c) for c in heading)
    assert abs(gap - 2 * 28.95) <= POS, gap
    assert abs((number[0]["x0"] + number[-1]["x1"]) / 2 - (BLOCK_LEFT + BLOCK_RIGHT) / 2) <= POS
    rules = [
        r
        for r in first.rects + first.lines
        if r["top"] > number[0]["bottom"] and r["top"] < number[0]["bottom"] + 10 * MM
    ]
    [rule] = [r for r in rules if abs(r["x0"] - BLOCK_LEFT) <= POS and abs(r["x1"] - BLOCK_RIGHT) <= POS]
    assert abs(rule["top"] - (max(_em_bottom(first, c) for c in number) + 4 * MM)) <= POS
    assert tuple(round(v, 3) for v in rule["non_stroking_color"] or rule["stroking_color"]) == RED

    # 标题 二号, 正文 三号 (28 characters a line), everything inside the block
    title_sizes = {
        round(c["size"], 1)
        for c in first.chars
        if c["text"] in letter.context["title"]
        and c["top"] > rule["bottom"]
        and c["top"] < rule["bottom"] + 60 * MM
        and c["size"] > 20
    }
    assert title_sizes and all(abs(s - 22) <= SIZE for s in title_sizes)
    addressee = _find(first, letter.addressee_name + "（")
    assert all(abs(c["size"] - 16) <= SIZE for c in addressee)
    assert abs(addressee[0]["x0"] - BLOCK_LEFT) <= POS  # 主送机关 flush left
    body = [(top, line) for top, line, chars in _lines(first, size=16) if chars[0]["top"] > addressee[0]["bottom"]]
    wide = [line for page in pages for _t, line, _c in _lines(page, size=16) if all(ord(ch) > 0x2E80 for ch in line)]
    assert wide and max(len(line) for line in wide) == 28, wide  # the grid: 28 characters a line
    steps = [b[0] - a[0] for a, b in zip(body, body[1:], strict=False)]
    assert steps and all(abs(step - 28.95) <= SIZE for step in steps), steps  # and 22 lines of 28.95 pt
    for page in pages:
        inside = [c for c in page.chars if c["top"] < BLOCK_BOTTOM]
        assert all(c["x0"] >= BLOCK_LEFT - POS and c["x1"] <= BLOCK_RIGHT + POS for c in inside)
        assert all(c["top"] >= BLOCK_TOP - POS for c in inside)

    # 政策依据 in the body size
    if letter.kind != Letter.Kind.SUPPLEMENT:
        assert all(abs(c["size"] - 16) <= SIZE for c in _find_any(pages, "政策依据："))

    # 成文日期 four characters from the right edge; the issuer centred over it (or two characters in)
    date = _find(last, letter.context["issued_on_zh"])
    issuer = [chars for chars in _lines_with(last, letter.authority) if chars[0]["top"] < date[0]["top"]][-1]
    assert abs(date[-1]["x1"] - (BLOCK_RIGHT - 4 * 16)) <= POS or abs(issuer[-1]["x1"] - (BLOCK_RIGHT - 2 * 16)) <= POS
    assert abs((date[0]["x0"] + date[-1]["x1"]) / 2 - (issuer[0]["x0"] + issuer[-1]["x1"]) / 2) <= POS
    assert date[0]["top"] > issuer[0]["bottom"]

    # 版记 at the foot of the last page: 四号, 印发 line on the block's last line, its rule the block's edge
    issued = _find(last, letter.context["issued_on_zh"] + "印发")
    assert all(abs(c["size"] - 14) <= SIZE for c in issued)
    assert abs(issued[-1]["x1"] - (BLOCK_RIGHT - 14)) <= POS  # 印发日期 one character in from the right
    assert BLOCK_BOTTOM - 28.95 <= issued[0]["bottom"] <= BLOCK_BOTTOM
    bottom_rules = [
        r
        for r in last.rects + last.lines
        if r["bottom"] >= issued[0]["bottom"] and abs(r["x0"] - BLOCK_LEFT) <= POS and abs(r["x1"] - BLOCK_RIGHT) <= POS
    ]
    assert bottom_rules and abs(max(r["bottom"] for r in bottom_rules) - BLOCK_BOTTOM) <= POS
    for page in pages[:-1]:
        assert "印发" not in "".join(line for _t, line, _c in _lines(page, size=14))
    _colophon_clear(last)
    if letter.context.get("copy_to"):
        cc = _find(last, "抄送：广州开发区财政局。")
        assert all(abs(c["size"] - 14) <= SIZE for c in cc) and abs(cc[0]["x0"] - (BLOCK_LEFT + 14)) <= POS
        assert cc[0]["top"] < issued[0]["top"]

    # 页码: 四号 "— n —", 7 mm below the block, odd pages right and even pages left, one character in
    for n, page in enumerate(pages, start=1):
        chars = _page_number(page)
        assert "".join(c["text"] for c in chars).replace(" ", "") == f"—{n}—"
        assert all(abs(c["size"] - 14) <= SIZE for c in chars)
        assert abs(min(_em_top(page, c) for c in chars) - (BLOCK_BOTTOM + 7 * MM)) <= POS
        if n % 2:
            assert abs(max(c["x1"] for c in chars) - (BLOCK_RIGHT - 14)) <= POS
        else:
            assert abs(min(c["x0"] for c in chars) - (BLOCK_LEFT + 14)) <= POS


# ---------------------------------------------------------------- number series


def test_notices_take_numbers_from_their_own_series(kinds):
    year = timezone.localdate().year
    assert kinds["supplement"].number == f"穗开政数补字〔{year}〕1号"
    assert kinds["decline"].number == f"天科工信函〔{year}〕1号"
    assert kinds["approval"].number == f"穗开政数批字〔{year}〕1号"  # the approvals' series is untouched
    assert [kinds[k].serial for k in ("staged", "voucher", "reduction")] == [1, 2, 3]  # 穗开经信批字
    assert kinds["preapproval"].number == f"天科工信复字〔{year}〕1号"
    assert kinds["clawback"].number == f"穗开经信决字〔{year}〕1号"


# ---------------------------------------------------------------- fonts and seal


def _fonts(data: bytes) -> dict[str, bool]:
    """Each font the PDF names → whether its file is embedded."""
    out = {}
    for page in PdfReader(io.BytesIO(data)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            leaf = descendants[0].get_object() if descendants else font
            descriptor = leaf.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            out[str(font["/BaseFont"])] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return out


def test_the_letter_names_only_fonts_it_embeds(kinds, settings, tmp_path):
    settings.PORTAL_LETTER_FONTS_DIR = str(tmp_path / "no-fonts")
    fonts = _fonts(_pdf(kinds["decline"]))
    assert fonts and all(fonts.values()), fonts
    assert all("Noto-Serif-CJK-SC" in name for name in fonts), fonts  # the free fallback


def test_the_bureaus_fonts_are_used_when_installed(kinds, settings, tmp_path):
    """A face named FangSong_GB2312 in the fonts folder becomes the text face (made here from a free
    Latin font renamed, as the real one is not free): embedded, and used for what it covers."""
    from fontTools.ttLib import TTFont

    folder = tmp_path / "fonts"
    folder.mkdir()
    font = TTFont("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
    for record in font["name"].names:
        if record.nameID in (1, 4, 16):
            record.string = "FangSong_GB2312"
        if record.nameID == 6:
            record.string = "FangSong_GB2312"
    font.save(folder / "fangsong.ttf")
    settings.PORTAL_LETTER_FONTS_DIR = str(folder)
    assert render.bureau_fonts(folder) == {"text": folder / "fangsong.ttf"}
    fonts = _fonts(_pdf(kinds["approval"]))
    assert all(fonts.values()), fonts
    assert any("FangSong_GB2312" in name for name in fonts), fonts


def test_an_authoritys_seal_is_placed_over_the_signature(kinds, settings, tmp_path):
    from PIL import Image, ImageDraw

    folder = tmp_path / "seals"
    folder.mkdir()
    letter = kinds["approval"]
    image = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((10, 10, 390, 390), outline=(230, 0, 18, 255), width=16)
    image.save(folder / f"{letter.authority}.png")
    settings.PORTAL_LETTER_SEALS_DIR = str(folder)
    last = _pages(_pdf(letter, "sealed"))[-1]
    date = _find(last, letter.context["issued_on_zh"])
    [seal] = [im for im in last.images if abs(im["width"] - 42 * MM) <= POS]
    assert abs(seal["height"] - 42 * MM) <= POS
    assert abs((seal["x0"] + seal["x1"]) / 2 - (date[0]["x0"] + date[-1]["x1"]) / 2) <= POS  # centred on it
    assert seal["top"] < date[0]["top"] < seal["bottom"]  # pressing on the date
    assert (date[0]["top"] + date[0]["bottom"]) / 2 > (seal["top"] + seal["bottom"]) / 2 - 28.95  # near its centre
    text = "".join(line for _t, line, _c in _lines(last))
    assert "不加盖印章" not in text
