"""The official text (规范文本): the simplified policy text made from the seeds with OpenCC and the
cleanup of vouchers.officialtext, stored beside its source by the loader, and quoted by the pages and
the letters with full-width punctuation."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import transaction

from vouchers.catalogue import CATALOGUE_DIR, load_catalogue
from vouchers.officialtext import (
    SourceProfile,
    clause_reference,
    official_text,
    portal_note,
    profile_of,
    to_simplified,
)

HP_SEED = (CATALOGUE_DIR / "texts" / "000_9b2724bc12ca28f5.txt").read_text(encoding="utf-8")
TH_SEED = (CATALOGUE_DIR / "texts" / "002_b4e07f6a1d9fdc80.txt").read_text(encoding="utf-8")
HP = official_text(HP_SEED)
TH = official_text(TH_SEED)
CJK = "\u4e00-\u9fff"


def test_the_seeds_profiles():
    assert profile_of(HP_SEED) == SourceProfile(traditional=True, paginated=False, web_header=True)
    assert profile_of(TH_SEED) == SourceProfile(traditional=False, paginated=True, web_header=False)


# ---------------------------------------------------------------- Huangpu: scraped in traditional characters


def test_huangpu_is_simplified_throughout():
    assert to_simplified(HP) == HP  # OpenCC finds nothing left to convert
    for traditional in "廣開區業於經號條黃關與為發":
        assert traditional not in HP, traditional
    assert "穗开经信规字〔2025〕7号" in HP.splitlines()[0]


def test_huangpu_names_and_terms_survive_the_conversion():
    for term in (
        "广州开发区经济和信息化局",
        "广州市黄埔区工业和信息化局",
        "关于印发",
        "本措施适用于",
        "云部署",
        "API调用",
        "数据采集",
        "其它扶持政策",
        "范围内",
        "穗埔工信规字〔2024〕2号",
        "从高不重复",
    ):
        assert term in HP, term
    # the publisher's spaces name two bodies and stay
    assert "《广州开发区 黄埔区支持人工智能产业高质量发展若干政策措施》" in HP


def test_huangpu_loses_the_sites_header_line():
    assert not re.search("時間|點擊數|时间[:：]|作者[:：]|点击数", HP)
    assert "17:46:52" not in HP and HP.startswith("穗开经信规字〔2025〕7号\n")
    assert HP.endswith("公开方式：主动公开")  # part of the published document, kept


def test_huangpu_numbers_are_as_written():
    for number in (
        "当年（1-11月）",
        "超0.5亿元、1.5亿元、4亿元",
        "5.5万元",
        "的30%进行补助",
        "按照年度数据交易额的3%，",
        "2025年6月27日",
        "“12136”",
    ):
        assert number in HP, number


# ---------------------------------------------------------------- Tianhe: a PDF extraction


def test_tianhe_loses_page_markers_bullets_and_broken_spaces():
    assert not re.search(r"—\s*\d+\s*\**—|\*\*", TH)
    assert not any(line.startswith(("-", " ")) for line in TH.splitlines())
    assert not re.search(f"[{CJK}] +[{CJK}]", TH)
    assert "重要指示精神" in TH and "国家发展新一代人工智能" in TH and "积极培育未来产业" in TH
    assert "世界500强企业" in TH and "给予10万元一次性奖励" in TH and "发展AI时代" in TH
    assert "“广州1024程序员节”" in TH


def test_tianhe_paragraphs_cut_by_a_page_break_are_joined():
    assert "年度营业收入首次达1亿元及以上的，一次性给予100万元奖励。" in TH
    assert "按研发投入增量的3%给予补贴" in TH and "为人工智能大模型企业提供全生命周期服务。" in TH
    assert "按实际发生利息总额的50%给予补助" in TH  # a break with no page marker left
    assert "一、工作目标" in TH.splitlines() and "三、培育措施" in TH.splitlines()  # headings stay apart


def test_tianhe_punctuation_is_full_width_and_numbers_stay():
    assert TH.startswith("天河区促进人工智能大模型产业高质量发展实施意见（2024-2026年）\n（征求意见稿）\n")
    assert "评估模型（DCMM）三级" in TH and "国家“专家特新”小巨人" in TH and "（二）应用场景拓展行动" in TH
    assert "1.加强市场主体梯度培育" in TH and "10.加大资本市场扶持力度" in TH


@pytest.mark.parametrize("text", [HP, TH], ids=["hp2025", "th2024"])
def test_no_half_width_punctuation_inside_chinese(text):
    assert not re.search(f'[{CJK}][,:;()?!"]|[,:;()?!"][{CJK}]', text)
    assert not re.search(f"[{CJK}],[{CJK}]", text)


@pytest.mark.parametrize("seed", [HP_SEED, TH_SEED], ids=["hp2025", "th2024"])
def test_the_conversion_is_stable(seed):
    once = official_text(seed)
    assert official_text(once, profile_of(seed)) == once


# ---------------------------------------------------------------- small cases


@pytest.mark.parametrize(
    ("raw", "profile", "expected"),
    [
        ("給予最高20萬元,每家企業(集團)", SourceProfile(traditional=True), "给予最高20万元，每家企业（集团）"),
        ("增速超1.5%,达2024-2026年;共1,000家", SourceProfile(), "增速超1.5%，达2024-2026年；共1,000家"),
        ('打造"人工智能+"高地:是否?', SourceProfile(), "打造“人工智能+”高地：是否？"),
        ("Hello, world (a test): ok", SourceProfile(), "Hello, world (a test): ok"),
        ("时间 17:46:52,开始", SourceProfile(), "时间 17:46:52，开始"),
        ("发展 AI model 时代, 给予 10 万元", SourceProfile(paginated=True), "发展AI model时代，给予10万元"),
        ("(二) 应用场景", SourceProfile(paginated=True), "（二）应用场景"),
        ("- 1. 加强市场主体", SourceProfile(paginated=True), "1.加强市场主体"),
        ("《广州开发区 黄埔区》", SourceProfile(), "《广州开发区 黄埔区》"),
    ],
)
def test_official_text_of_small_passages(raw, profile, expected):
    assert official_text(raw, profile) == expected


def test_a_remark_in_a_clause_reference_is_the_portals_not_the_clause():
    profile = profile_of(HP_SEED)
    assert clause_reference(
        "第二条:發放最高1000萬元“算力券”(条文未规定券的有效期)", source=HP_SEED, profile=profile
    ) == ("第二条：发放最高1000万元“算力券”", "条文未规定券的有效期")
    # parentheses the seed itself has are the clause's
    assert clause_reference("第七条:當年(1-11月)營業收入同比增速超10%", source=HP_SEED, profile=profile) == (
        "第七条：当年（1-11月）营业收入同比增速超10%",
        "",
    )
    # the label is the portal's and stays as written; the words are the official text
    assert clause_reference("培育措施 1:给予 10 万元一次性奖励", source=TH_SEED) == (
        "培育措施 1：给予10万元一次性奖励",
        "",
    )
    assert portal_note("平台默认值。", remark="条文未规定券的有效期") == "条文未规定券的有效期。平台默认值。"
    assert portal_note("“具備良好應用”由审核人员判断", profile=profile) == "“具备良好应用”由审核人员判断"


# ---------------------------------------------------------------- stored by the loader


@pytest.mark.django_db
def test_the_loader_stores_the_official_text_beside_its_source(catalogue):
    from vouchers.models import ParameterValue, Policy

    hp = Policy.objects.get(code="hp2025")
    assert (hp.full_text, hp.full_text_source) == (HP, HP_SEED)
    th = Policy.objects.get(code="th2024")
    assert (th.full_text, th.full_text_source) == (TH, TH_SEED)
    shipped = {p["code"]: (policy, p) for policy in load_catalogue() for p in policy["programmes"]}
    for code, programme in catalogue.items():
        policy, prog = shipped[code]
        seed = HP_SEED if policy["code"] == "hp2025" else TH_SEED
        assert programme.clause_source == prog["clause_text"]  # the YAML's verbatim quote
        assert programme.clause_text == official_text(prog["clause_text"], profile_of(seed))
        assert programme.clause_text in programme.policy.full_text
    row = ParameterValue.objects.get(programme=catalogue["hp-compute-voucher"], name="voucher_validity_months")
    assert row.clause == "第二条：发放最高1000万元“算力券”"
    assert row.note.startswith("条文未规定券的有效期。") and "平台默认值" in row.note
    row = ParameterValue.objects.get(programme=catalogue["hp-data-trading"], name="rate")
    assert row.clause == "第六条：按照年度数据交易额的3%"


@pytest.mark.django_db
def test_reloading_brings_shipped_rows_up_to_date_once_and_keeps_an_administrators(catalogue, bureau_admin):
    from vouchers.models import ParameterValue
    from vouchers.services.catalogue import catalogue_load, parameter_set

    programme = catalogue["hp-data-trading"]
    # a row loaded before the official text existed: the verbatim quote as its clause
    ParameterValue.objects.filter(programme=programme, name="rate").update(clause="第六条:按照年度數據交易額的3%")
    mine = parameter_set(
        actor=bureau_admin,
        programme=programme,
        name="rate",
        value=Decimal("0.02"),
        effective_from=programme.policy.valid_to,
        clause="2027年度申报指南,第三条",
    )
    assert catalogue_load()["changed"] == 1
    shipped = ParameterValue.objects.get(programme=programme, name="rate", effective_from=programme.policy.valid_from)
    assert shipped.clause == "第六条：按照年度数据交易额的3%" and shipped.value == Decimal("0.03")
    mine.refresh_from_db()
    assert mine.clause == "2027年度申报指南,第三条"  # the administrator's words are theirs
    assert catalogue_load()["changed"] == 0


# ---------------------------------------------------------------- quoted in the letters


@pytest.fixture
def _private_storage(private_storage, settings):
    """tests/conftest.py's private storage, and the site's address that letters print (their verification
    link and QR code)."""
    settings.SITE_URL = "https://portal.example.cn"


@pytest.mark.django_db
@pytest.mark.parametrize(("code", "kind"), [("hp-data-trading", "approval"), ("th-consortium", "decline")])
def test_the_letter_quotes_the_official_clause(
    _private_storage,
    catalogue,
    enterprise_a,
    owner_a,
    reviewer,
    reviewer_th,
    django_capture_on_commit_callbacks,
    code,
    kind,
):
    from reviews.letters import services
    from tests.letters.conftest import pdf_text, squash
    from tests.letters.helpers import make_application, make_award

    programme = catalogue[code]
    application = make_application(enterprise=enterprise_a, programme=programme, created_by=owner_a)
    context = {"reason": "年度投入未达到条件。"} if kind == "decline" else None
    if kind == "approval":
        make_award(application=application, amount="60000")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        issuer = reviewer_th if programme.policy.district == "tianhe" else reviewer  # the district's bureau
        letter = services.letter_create(application=application, kind=kind, actor=issuer, context=context)
    letter.refresh_from_db()
    text = squash(pdf_text(letter.pdf.read()))
    clause = squash(programme.clause_text)
    assert f"政策依据：{programme.article.replace(' ', '')}“{clause}”" in text
    assert not re.search(f"[{CJK}][,:;()][{CJK}]", clause) and to_simplified(clause) == clause
    if code == "hp-data-trading":
        assert "政策有效期内，对年度通过数据交易所挂牌场内交易总金额达到100万元的企业，按照年度数据交易额的3%，" in text
        assert "數據" not in text
