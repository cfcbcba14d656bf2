"""GB/T 9704-2012 layout across pages and in titles, measured on real rendered letters (tests/letters/
test_layout.py says how): no signature alone on a page, no table header stranded, no word broken
across a title's lines."""

from __future__ import annotations

import re

import pytest

from reviews.letters import render
from vouchers.models import Programme

from .helpers import make_application, make_award
from .layout import (
    BLOCK_LEFT,
    BLOCK_RIGHT,
    POS,
    SIZE,
    _app,
    _clawback_letter,
    _colophon_clear,
    _create,
    _lines,
    _lines_with,
    _pages,
    _pdf,
)

pytestmark = pytest.mark.django_db


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
