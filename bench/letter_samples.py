#!/usr/bin/env python
"""Sample pages of every kind of official letter, for the closing note of issue 16 and for looking at
the layout by eye: page 1 and the last page of an approval, a staged approval, a decline, a reduction,
a supplement notice, a 事前同意函, a voucher notice and a 追回决定书, rendered from demo-like data with
the letters' own code (reviews.letters) and written as small PNGs (pdftoppm -r 60) to
docs/letters/samples/<kind>-p1.png and <kind>-last.png (the last only when the letter has more pages).

    .venv/bin/python bench/letter_samples.py [--out docs/letters/samples] [--keep-pdf DIR]

It works in a throw-away SQLite database and storage directory (nothing else is touched); needs
pdftoppm (poppler-utils)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

KINDS = ["approval", "staged", "decline", "reduction", "supplement", "preapproval", "voucher", "clawback"]


def _setup(work: Path) -> None:
    os.environ.update(
        {
            "DATABASE_URL": f"sqlite:///{work / 'samples.sqlite3'}",
            "DJANGO_DEBUG": "false",
            "PORTAL_PRIVATE_STORAGE": str(work / "private"),
            "REDIS_URL": "",
            "PORTAL_SITE_URL": "https://gzai.example.gov.cn",
        }
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _letters() -> dict:
    """One letter of each kind about demo-like enterprises and projects (no PDF generated here)."""
    from django.db import transaction
    from django.utils import timezone

    from applications.models import PreApproval
    from portal.models import Role
    from reviews.letters import services
    from reviews.models import Decision, LetterIssuer
    from tests.factories import EnterpriseFactory, UserFactory
    from tests.letters.helpers import make_application, make_award
    from vouchers.models import Award, Clawback, Programme
    from vouchers.services.catalogue import catalogue_load
    from vouchers.services.redemption import voucher_issue

    catalogue_load()
    programmes = {p.code: p for p in Programme.objects.select_related("policy")}
    reviewer = UserFactory(role=Role.REVIEWER, email="reviewer@example.cn", district="huangpu")
    reviewer_th = UserFactory(role=Role.REVIEWER, email="reviewer-th@example.cn", district="tianhe")
    admin = UserFactory(role=Role.BUREAU_ADMIN, email="admin@example.cn", district="huangpu")
    owner = UserFactory(role=Role.ENTERPRISE, email="owner@example.cn")
    ent = EnterpriseFactory(name="广州智算未来人工智能科技有限公司")
    ent_th = EnterpriseFactory(
        name="广州天河星图数据科技有限公司",
        registered_district="tianhe",
        tax_district="tianhe",
        stats_district="tianhe",
    )
    LetterIssuer.objects.create(
        authority="广州开发区经济和信息化局",  # 追回决定书's repayment account
        repayment_account_name="广州开发区财政国库支付中心",
        repayment_bank="中国工商银行广州开发区支行",
        repayment_account_number="3602000109000123456",
    )
    today = timezone.localdate()

    def app(code, title, enterprise=ent):
        return make_application(enterprise=enterprise, programme=programmes[code], created_by=owner, title=title)

    def letter(application, kind, actor, context=None):
        with transaction.atomic():
            return services.letter_create(application=application, kind=kind, actor=actor, context=context)

    out = {}
    a = app("hp-data-trading", "数据产品场内挂牌交易项目")
    make_award(application=a, amount="123456.78")
    out["approval"] = letter(
        a,
        "approval",
        reviewer,
        {"notice_starts_on": str(today - dt.timedelta(days=12)), "notice_ends_on": str(today - dt.timedelta(days=5))},
    )
    a = app("hp-vertical-model-compute", "面向智能制造的垂直大模型训练算力项目")
    make_award(application=a, amount="900000")
    out["staged"] = letter(
        a,
        "approval",
        reviewer,
        {
            "tranches": [
                {"label": "首期", "amount": "300000.00", "condition": "项目启动并签订资金使用承诺书"},
                {"label": "二期", "amount": "300000.00", "condition": "项目中期检查合格"},
                {"label": "三期", "amount": "300000.00", "condition": "项目通过验收"},
            ],
            "copy_to": ["广州开发区财政局"],
        },
    )
    a = app("th-dcmm", "数据管理能力成熟度评估项目", ent_th)
    out["decline"] = letter(
        a,
        "decline",
        reviewer_th,
        {"reason": "经审核，你单位申报时尚未取得数据管理能力成熟度评估（DCMM）证书，不符合政策规定的申报条件。"},
    )
    a = app("hp-revenue-growth", "大模型产品营业收入增长项目")
    make_award(application=a, amount="400000")
    Decision.objects.create(
        application=a,
        outcome=Decision.Outcome.REDUCE,
        amount=Decimal("400000"),
        max_amount=Decimal("500000"),
        reason="部分发票不属于申报期内，相应金额不予计入。",
        decided_on=today,
    )
    out["reduction"] = letter(a, "approval", reviewer, {"copy_to": ["广州开发区财政局"]})
    a = app("hp-data-space", "可信数据空间建设项目")
    out["supplement"] = letter(
        a,
        "supplement",
        reviewer,
        {
            "items": [
                {"label": "营业执照", "note": "请上传加盖公章的副本扫描件"},
                {"label": "2026年3月发票", "note": "缺少3月份算力服务发票及付款凭证"},
                {"label": "项目实施方案", "note": "请补充项目进度安排和资金使用计划"},
            ],
            "due_on": today + dt.timedelta(days=15),
        },
    )
    p = PreApproval.objects.create(
        reference=f"SQ{today.year}-000042",
        enterprise=ent_th,
        programme=programmes["th-events"],
        event_name="天河人工智能大模型产业峰会",
        event_date=today + dt.timedelta(days=40),
        venue="广州市天河区体育西路191号",
        plan="主论坛、三场分论坛。",
        budget=Decimal("800000.00"),
        requested_by=owner,
        state=PreApproval.State.APPROVED,
        decided_by=reviewer_th,
        decided_on=today,
        reason="同意按方案举办，活动结束后按规定申报。",
    )
    with transaction.atomic():
        out["preapproval"] = services.letter_create_for_preapproval(preapproval=p, actor=reviewer_th)
    a = app("hp-compute-voucher", "智能算力租用项目")
    voucher_issue(award=make_award(application=a, amount="300000"))
    out["voucher"] = letter(a, "approval", reviewer)
    a = app("hp-revenue-growth", "大模型研发与产业化项目")
    award = make_award(application=a, amount="500000")
    Award.objects.filter(pk=award.pk).update(disbursed=Decimal("500000"))
    award.refresh_from_db()
    c = Clawback.objects.create(
        number=f"ZH{today.year}-000001",
        award=award,
        enterprise=ent,
        amount=Decimal("200000.00"),
        decided_by=admin,
        decided_on=today,
        due_on=today + dt.timedelta(days=30),
        reason="经核查，项目部分研发费用票据与申报事项不能对应，相应补贴资金予以追回。",
    )
    with transaction.atomic():
        out["clawback"] = services.letter_create_for_clawback(clawback=c, actor=admin)
    return out


def _png(pdf: Path, page: int, target: Path) -> None:
    """pdftoppm's page, then stored with a 32-colour palette (black text, red heading and rule, their
    anti-aliasing): a third of the size, nothing visible lost at 60 dpi."""
    from PIL import Image

    stem = target.with_suffix("")
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", "-f", str(page), "-l", str(page), "-singlefile", str(pdf), str(stem)],
        check=True,
    )
    with Image.open(target) as image:
        small = image.convert("RGB").quantize(colors=32, method=Image.Quantize.MEDIANCUT)
    small.save(target, optimize=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(ROOT / "docs" / "letters" / "samples"))
    parser.add_argument("--keep-pdf", default="", help="also keep the PDFs in this folder")
    args = parser.parse_args()
    if shutil.which("pdftoppm") is None:
        print("letter_samples needs pdftoppm (poppler-utils)", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="letter-samples-"))
    try:
        _setup(work)
        from pypdf import PdfReader

        from reviews.letters import render

        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        for old in out.glob("*.png"):
            old.unlink()
        letters = _letters()
        for kind in KINDS:
            pdf = work / f"{kind}.pdf"
            pdf.write_bytes(render.letter_pdf(letters[kind]))
            if args.keep_pdf:
                Path(args.keep_pdf).mkdir(parents=True, exist_ok=True)
                shutil.copy(pdf, Path(args.keep_pdf) / pdf.name)
            pages = len(PdfReader(str(pdf)).pages)
            _png(pdf, 1, out / f"{kind}-p1.png")
            if pages > 1:
                _png(pdf, pages, out / f"{kind}-last.png")
            print(f"{kind:12s} {letters[kind].number}  {pages} page(s)  {pdf.stat().st_size // 1024} KB")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
