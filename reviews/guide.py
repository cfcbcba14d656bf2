"""办事指南 the service guide of one programme, as a 政务服务 site gives it: who may apply (the
clause, with its source, and the portal's reading marked 平台口径), the materials with downloadable
templates, 承诺时限 per step, 受理单位 and 咨询电话. Built from the catalogue (the programme's entry,
its optional `guide` block) and the workflow's working-day deadlines; nothing is written here."""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from vouchers.models import Programme
from vouchers.selectors import window_open_for

from .service_steps import guide_steps

# Materials the portal offers a template (范本) for; the text is the portal's form (平台口径).
TEMPLATES = {"credit_commitment"}


def programme_guide(programme: Programme) -> dict:
    policy = programme.policy
    extra = (programme.spec or {}).get("guide") or {}
    basis = f"{policy.document_number} {programme.article}".strip()
    conditions = [{"text": programme.clause_text, "source": basis, "reading": False}]
    if programme.eligibility_zh:
        conditions.append({"text": programme.eligibility_zh, "source": _("平台口径"), "reading": True})
    for note in extra.get("notes") or []:  # the catalogue's own notes, each with its source
        conditions.append(
            {
                "text": note.get("text", ""),
                "source": note.get("source") or _("平台口径"),
                "reading": not note.get("source"),
            }
        )
    materials = []
    for m in programme.materials or []:
        code = m.get("code", "")
        materials.append(
            {
                "code": code,
                "label": m.get("label_zh", code),
                "required": m.get("required", True),
                "template_url": reverse("reviews:material_template", args=[programme.code, code])
                if code in TEMPLATES
                else "",
            }
        )
    window = window_open_for(programme=programme)
    return {
        "programme": programme,
        "policy": policy,
        "basis": basis,
        "unit": (programme.responsible_unit or policy.letter_authority or "").strip(),
        "phone": extra.get("consult_phone") or settings.PORTAL_SERVICE_CONTACT.get("phone", ""),
        "conditions": conditions,
        "materials": materials,
        "steps": guide_steps(programme.review_path),
        "window": window,
        "online": True,
    }


def guide_as_json(guide: dict) -> dict:
    programme = guide["programme"]
    w = guide["window"]
    return {
        "programme": programme.code,
        "name": programme.name_zh,
        "policy": guide["policy"].title,
        "basis": guide["basis"],
        "unit": guide["unit"],
        "phone": guide["phone"],
        "conditions": [
            {"text": c["text"], "source": str(c["source"]), "reading": c["reading"]} for c in guide["conditions"]
        ],
        "materials": [
            {"code": m["code"], "label": m["label"], "required": m["required"], "template_url": m["template_url"]}
            for m in guide["materials"]
        ],
        "steps": guide["steps"],
        "window": {"name": w.name, "opens_at": w.opens_at.isoformat(), "closes_at": w.closes_at.isoformat()}
        if w
        else None,
    }


def _docx(title: str, paragraphs: list[str]) -> bytes:
    """A minimal Word document (WordprocessingML): a centred title and plain paragraphs."""

    def para(text: str, *, centre: bool = False, bold: bool = False) -> str:
        ppr = '<w:pPr><w:jc w:val="center"/></w:pPr>' if centre else ""
        rpr = '<w:rPr><w:b/><w:sz w:val="36"/></w:rPr>' if bold else ""
        return f'<w:p>{ppr}<w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'

    body = para(title, centre=True, bold=True) + "".join(para(p) for p in paragraphs)
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}<w:sectPr/></w:body></w:document>"
    )
    types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr("_rels/.rels", rels)
        z.writestr("word/document.xml", document)
    return buf.getvalue()


def credit_commitment_docx(programme: Programme) -> bytes:
    """信用承诺书（范本）for this programme: the portal's form (平台口径), to be completed, signed and
    sealed by the applicant and uploaded with the application."""
    unit = (programme.responsible_unit or programme.policy.letter_authority or "").strip()
    return _docx(
        "信用承诺书",
        [
            f"致：{unit}",
            f"本单位自愿申报《{programme.policy.title}》{programme.article}“{programme.name_zh}”，现郑重承诺：",
            "一、本单位所提交的申报材料和填报信息真实、准确、完整、有效，不存在弄虚作假、虚报冒领等情形；",
            "二、本单位依法经营、依法纳税，未被列入严重失信主体名单，近三年无重大违法违规行为；",
            "三、同一项目未重复申报或享受同类财政资金支持（从高不重复）；",
            "四、如有违反上述承诺，本单位愿意退回已获资金，并承担相应法律责任和信用后果。",
            "单位名称（盖章）：",
            "统一社会信用代码：",
            "法定代表人（签字）：",
            "日期：    年    月    日",
            "（本范本由平台提供，属平台口径；以受理单位公布的格式为准。）",
        ],
    )
