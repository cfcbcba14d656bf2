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
import os
import re
from decimal import Decimal
from pathlib import Path

import pdfplumber
import pytest
from django.db import transaction
from django.utils import timezone
from pypdf import PdfReader

from reviews.letters import render, services
from reviews.models import Decision, Letter
from vouchers.models import Programme

from .helpers import make_application, make_award

pytestmark = pytest.mark.django_db

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


# ---------------------------------------------------------------- breaking across pages


def _body_lines_above(page, top: float) -> list[str]:
    return [line for t, line, chars in _lines(page, size=16) if chars[0]["top"] < top - 1]


@pytest.mark.parametrize("lines", range(9, 21))
def test_a_decline_never_leaves_its_signature_alone_on_a_page(catalogue, enterprise_a, owner_a, reviewer, lines):
    """A long reason, grown a line at a time so that the end of the text meets the foot of page 1 in
    every way: the page with the signature also holds the closing lines of the text (7.3.5)."""
    reason = "经核查，申报材料所列活动未在政策规定期限内举办，相关支出凭证与申报事项不能对应。" * 1
    reason = (reason * 10)[: 28 * lines - 2] + "。"
    app = _app(catalogue, enterprise_a, owner_a, code="hp-data-trading")
    letter = _create(app, "decline", reviewer, {"reason": reason})
    pages = _pages(_pdf(letter, f"decline-{lines}"))
    date = letter.context["issued_on_zh"]
    [page] = [p for p in pages if any(date == line for _t, line, _c in _lines(p, size=16))]
    issuer = [chars for chars in _lines_with(page, letter.authority) if abs(chars[0]["size"] - 16) <= SIZE][0]
    above = _body_lines_above(page, issuer[0]["top"])
    assert "特此通知。" in above and len(above) >= 3, above  # at least two lines of the text with it
    assert pages.index(page) == len(pages) - 1
    _colophon_clear(page)  # the 版记 at its foot, clear of the text however the text ends


@pytest.mark.parametrize("lines", range(4, 16))
def test_a_clawback_never_leaves_its_signature_alone_on_a_page(catalogue, enterprise_a, owner_a, bureau_admin, lines):
    """The 追回决定书 (its remedies paragraph and the 版记 after the reason) grown a line at a time: the
    signature keeps the closing lines of the text with it, and the 版记 covers none of it."""
    reason = "经核查，该项目申报的研发费用中部分票据与申报事项不能对应，且未能在规定期限内补正说明。" * 12
    letter = _clawback_letter(catalogue, enterprise_a, owner_a, bureau_admin, reason=reason[: 28 * lines - 2] + "。")
    pages = _pages(_pdf(letter, f"clawback-{lines}"))
    date = letter.context["issued_on_zh"]
    [page] = [p for p in pages if any(date == line for _t, line, _c in _lines(p, size=16))]
    # the signature's line is the authority alone (the text names it too, where the account is told)
    [issuer] = [chars for _t, line, chars in _lines(page, size=16) if line == letter.authority]
    above = _body_lines_above(page, issuer[0]["top"])
    assert "特此决定。" in above and len(above) >= 3, above
    assert pages.index(page) == len(pages) - 1
    _colophon_clear(page)


@pytest.mark.parametrize("shift", range(0, 12))
def test_a_staged_payment_table_never_strands_its_header(catalogue, enterprise_a, owner_a, reviewer, shift):
    """The decision text grows a line at a time so the tranche table meets the foot of a page in every
    way: the header (and the sentence leading to it) never stays alone at the foot of a page."""
    app = _app(catalogue, enterprise_a, owner_a, code="hp-vertical-model-compute")
    make_award(application=app, amount="900000")
    text = ("经专家评审，项目建设内容与申报方案一致，资金使用计划合理，分阶段拨付安排如下所述。" * 12)[: 28 * shift]
    letter = _create(
        app,
        "approval",
        reviewer,
        {
            "decision_text": text,
            "tranches": [
                {"label": "首期", "amount": "300000.00", "condition": "项目启动并签订资金使用承诺书"},
                {"label": "二期", "amount": "300000.00", "condition": "项目中期检查合格"},
                {"label": "三期", "amount": "300000.00", "condition": "项目通过验收"},
            ],
        },
    )
    pages = _pages(_pdf(letter, f"staged-{shift}"))
    holding = [p for p in pages if "拨付条件" in "".join(line for _t, line, _c in _lines(p))]
    assert len(holding) == 1  # a short table moves whole
    text_of = "".join(line for _t, line, _c in _lines(holding[0]))
    assert all(label in text_of for label in ("首期", "二期", "三期", "各阶段安排如下"))
    _colophon_clear(pages[-1])


def test_a_long_table_repeats_its_header_and_leaves_no_row_alone(catalogue, enterprise_a, owner_a, reviewer):
    app = _app(catalogue, enterprise_a, owner_a, code="hp-data-space")
    items = [{"label": f"第{i}项证明材料", "note": "请上传加盖公章的扫描件，并与原件一致；" * 2} for i in range(1, 31)]
    letter = _create(app, "supplement", reviewer, {"items": items})
    pages = _pages(_pdf(letter, "supplement-long"))
    with_rows = []
    for page in pages:
        text = [line for _t, line, _c in _lines(page, size=14)]
        rows = [line for line in text if re.match(r"(\d+)第\1项", line)]
        if rows:
            with_rows.append(rows)
            assert any(line.startswith("序号") for line in text), text  # the header on every page of it
    assert len(with_rows) >= 2 and all(len(rows) >= 2 for rows in with_rows), with_rows
    assert sum(len(rows) for rows in with_rows) == 30


# ---------------------------------------------------------------- the title

LONG_NAME = "广州开发区智算未来人工智能科技研究院有限公司"


@pytest.mark.parametrize("kind", ["approval", "decline"])
def test_no_title_breaks_a_word_for_any_programme(catalogue, enterprise_a, owner_a, reviewer, reviewer_th, kind):
    """Every programme of the catalogue, with an ordinary and a long enterprise name: each title line
    is 二号, centred, and a line ends only between words (7.3.1 词意完整)."""
    from reviews.letters import content

    for name in (enterprise_a.name, LONG_NAME):
        enterprise_a.name = name
        enterprise_a.save(update_fields=["name"])
        for programme in Programme.objects.select_related("policy").order_by("code"):
            app = make_application(enterprise=enterprise_a, programme=programme, created_by=owner_a)
            context = {"amount": "10000"} if kind == "approval" else {"reason": "不符合条件。"}
            issuer = reviewer_th if programme.policy.district == "tianhe" else reviewer  # the district's bureau
            letter = _create(app, kind, issuer, context)
            first = _pages(_pdf(letter))[0]
            lines = [(line, chars) for _t, line, chars in _lines(first, size=22)]
            assert "".join(line for line, _c in lines) == letter.context["title"]
            seams = _seams(letter.context["title_words"])
            at = 0
            for line, _chars in lines[:-1]:
                at += len(line)
                assert at in seams, f"{programme.code}: {[line for line, _c in lines]}"
            for _line, chars in lines:
                centre = (chars[0]["x0"] + chars[-1]["x1"]) / 2
                assert abs(centre - (BLOCK_LEFT + BLOCK_RIGHT) / 2) <= POS
            # the programme's name stays on one line; the enterprise's too, unless that costs a line
            assert any(programme.name_zh in line for line, _c in lines), [line for line, _c in lines]
            whole = [w if isinstance(w, str) else "".join(w) for w in letter.context["title_words"]]
            if len(name) <= 20 and not any(name in line for line, _c in lines):
                assert len(render.title_lines(whole)) > len(lines), [line for line, _c in lines]
            assert any("有限公司" in line for line, _c in lines)
            assert content.name_words(name)  # never empty


def _seams(words: list) -> set[int]:
    out, at = set(), 0
    for word in words:
        for piece in [word] if isinstance(word, str) else word:
            at += len(piece)
            out.add(at)
    return out


def test_title_lines_are_balanced_and_break_between_words():
    words = ["关于核定", "广州", "甲智能科技", "有限公司", "算力算法赋能补贴", "支持资金的通知"]
    lines = render.title_lines(words)
    assert lines == ["关于核定广州甲智能科技有限公司", "算力算法赋能补贴支持资金的通知"]
    assert render.title_lines(["数据场内交易奖励", "申报材料补正通知书"]) == ["数据场内交易奖励申报材料补正通知书"]
    # a word longer than a line is the only one cut
    # a name is broken at its seams only when that saves a line
    name = ["广州", "基准102号人工智能科技", "有限公司"]
    assert render.title_lines(["关于核定", name, "垂直大模型算力补助", "支持资金的通知"]) == [
        "关于核定广州基准102号人工智能科技",
        "有限公司垂直大模型算力补助支持资金的通知",
    ]
    assert render.title_lines(["关于核定", ["广州", "甲智能科技", "有限公司"], "算力券", "支持资金的通知"]) == [
        "关于核定广州甲智能科技有限公司",
        "算力券支持资金的通知",
    ]  # whole: breaking it saves no line
    cut = render.title_lines(["关于", "甲" * 25, "的通知"], capacity=20)
    assert "".join(cut) == "关于" + "甲" * 25 + "的通知" and max(len(x) for x in cut) <= 20


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
