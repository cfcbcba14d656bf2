"""Forms of the applicant's pages. They parse and render; the rules live in the services, whose
field errors are put back on the form (`add_service_errors`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.widgets import DateInput
from vouchers.display import input_label

from .drafts import DATE_FIELDS, LIST_FIELDS, MAX_LENGTHS, TEXT_FIELDS
from .models import Enterprise
from .models_supplement import GENERAL_ANSWER
from .selectors_preapproval import requires_preapproval
from .services import ENTERPRISE_FIELDS

UNITS = {"yuan": _("元"), "percent": "%"}


# What a service's error keys that are no field of the form are called on the page (never the key).
SERVICE_ERROR_LABELS = {
    "enterprise": _("企业实名核验"),
    "title": _("项目名称"),
    "contract_numbers": _("合同编号、发票号码或项目标识"),
    "answers": _("补正答复"),
    "declaration": _("承诺"),
    "window": _("申报批次"),
    "programme": _("申报项目"),
}


def add_service_errors(
    form: forms.Form, error: ValidationError | Mapping[str, Any], field_map=None, checklist: list[dict] | None = None
) -> None:
    """Put a service's field errors on the form (unknown keys become form-wide errors, named in
    words). With the materials checklist, "materials" becomes one error per missing material, by
    its label and linked to its row (form.error_targets, read by templates/_error_summary.html)."""
    field_map = field_map or {}
    targets = getattr(form, "error_targets", None) or {}
    items = (
        error.message_dict.items()
        if isinstance(error, ValidationError) and hasattr(error, "error_dict")
        else (error.items() if isinstance(error, Mapping) else [("__all__", error.messages)])
    )
    for key, messages in items:
        if key == "materials" and checklist is not None:
            for row in checklist:
                if row["required"] and not row["files"]:
                    message = _("%(label)s：尚未上传。") % {"label": row["label"]}
                    targets[message] = f"#material-{row['code']}"
                    form.add_error(None, message)
            continue
        name = field_map.get(key, key)
        target = name if name in form.fields else None
        for message in [messages] if isinstance(messages, str) else messages:
            if target is None and name not in ("__all__", "non_field_errors"):
                label = SERVICE_ERROR_LABELS.get(key.split(".", 1)[0])
                message = _("%(label)s：%(message)s") % {"label": label, "message": message} if label else message
            form.add_error(target, message)
    form.error_targets = targets


class ClaimDocumentsForm(forms.Form):
    """认领 the documents of a claim; whether they are there and what they are is the service's to say."""

    claimant_is_legal_representative = forms.BooleanField(
        label=_("我是本企业的法定代表人"),
        required=False,
        help_text=_("不是法定代表人的，须上传法定代表人签字并加盖公章的授权委托书。"),
    )
    business_licence = forms.FileField(
        label=_("营业执照"), required=False, help_text=_("营业执照扫描件或照片（PDF、JPG、PNG、OFD），由主管部门核验。")
    )
    authorization = forms.FileField(
        label=_("授权委托书"), required=False, help_text=_("认领人不是法定代表人时必须上传。")
    )


class EnterpriseRegisterForm(forms.ModelForm, ClaimDocumentsForm):
    """登记企业: the credit code is checked by the service (GB 32100 check character, uniqueness); the
    licence (and the power of attorney) by the verification service."""

    credit_code = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=60,  # spaces and dashes allowed
        help_text=_("18位，见营业执照；登记后不能修改。"),
    )

    class Meta:
        model = Enterprise
        fields = ["name", "credit_code", *[f for f in ENTERPRISE_FIELDS if f != "name"]]
        help_texts = {"legal_representative": _("与营业执照一致。")}

    def _post_clean(self):  # the service validates the model, not the form
        pass


class EnterpriseProfileForm(forms.ModelForm):
    """The profile; a change of the eligibility facts (and, once verified, of the name or the legal
    representative) is sent to the bureau with the evidence instead of applying at once."""

    evidence = forms.FileField(
        label=_("变更证明材料"),
        required=False,
        help_text=_(
            "修改规模以上企业、注册地、税收或统计关系所在地、所属行业、初创企业、独立核算"
            "（实名核验后还包括企业名称、法定代表人）须上传证明材料，由主管部门核验后生效。"
        ),
    )
    change_note = forms.CharField(
        label=_("变更说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    class Meta:
        model = Enterprise
        fields = list(ENTERPRISE_FIELDS)

    def _post_clean(self):
        pass


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=_("经办人电子邮箱"),
        error_messages={"invalid": _("请输入有效的电子邮箱地址。")},
        help_text=_("对方将收到邀请链接，使用该邮箱注册或登录后即可加入本企业。"),
    )


def input_field_name(name: str) -> str:
    return f"in_{name}"


class ApplicationForm(forms.Form):
    """One form per programme: the project description plus the programme's declared inputs.
    Every field is optional while drafting (what is typed is saved as typed); the ones needed for
    submission are marked as required when the form is shown, without the browser enforcing it."""

    use_required_attribute = False

    title = forms.CharField(label=_("项目名称"), required=False, max_length=MAX_LENGTHS["title"] * 2)
    project_key = forms.CharField(
        label=_("项目标识"),
        required=False,
        max_length=MAX_LENGTHS["project_key"] * 2,
        help_text=_("同一项目在不同政策下申报时请使用同一标识（用于“从高不重复”核查），可不填。"),
    )
    description = forms.CharField(
        label=_("项目简介"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_LENGTHS["description"] * 2,
    )
    contract_numbers = forms.CharField(
        label=_("合同编号"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("每行一个（也可用逗号分隔）。合同编号、发票号码、项目标识至少填一项。"),
    )
    invoice_numbers = forms.CharField(
        label=_("发票号码"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("每行一个；数电发票填20位号码，纸质发票可填“发票代码-发票号码”。"),
    )

    period_end = forms.CharField(
        label=_("申报事项所属期间截止日"),
        required=False,
        widget=DateInput(),
        help_text=_(
            "申报上年度营业收入、已发生费用等事项时，填写该期间的最后一天（如 2026-12-31）："
            "按该日有效的政策和参数测算。政策到期后的清算批次必须填写，且须在政策有效期内。"
        ),
    )

    SUBMIT_REQUIRED = ("title",)

    def __init__(self, *args, programme, preapprovals=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme
        self.input_names: list[str] = []
        for meta in programme.inputs or []:
            name = input_field_name(meta["name"])
            self.input_names.append(meta["name"])
            self.fields[name] = self._field_for(meta)
        if requires_preapproval(programme):  # th-events: the 事前同意 the claim rests on
            self.fields["preapproval"] = forms.ChoiceField(
                label=_("事前同意"),
                required=True,
                choices=[("", _("请选择已获同意的事前申请")), *(preapprovals or [])],
                help_text=_(
                    "本项目须事前经天河区科工信局同意：选择活动举办前已获同意的事前申请（在“事前同意”中申请）。"
                ),
            )
        self._mark_required()

    @staticmethod
    def _field_for(meta: Mapping[str, Any]) -> forms.Field:
        label = input_label(meta)  # label_en on the English interface
        unit = UNITS.get(meta.get("unit") or "", meta.get("unit") or "")
        if unit:
            label = f"{label}（{unit}）"
        help_text = meta.get("help_zh") or ""
        kind = meta.get("type")
        attrs: dict[str, str] = {"autocomplete": "off"}
        if kind == "bool":
            return forms.ChoiceField(
                label=label,
                help_text=help_text,
                required=False,
                choices=[("", _("请选择")), ("true", _("是")), ("false", _("否"))],
            )
        if kind == "choice":
            choices = [("", _("请选择"))] + [
                (str(c["value"]), c.get("label_zh") or str(c["value"])) for c in meta.get("choices") or []
            ]
            return forms.ChoiceField(label=label, help_text=help_text, required=False, choices=choices)
        if kind == "decimal":
            attrs.update(inputmode="decimal", placeholder=str(_("例如 1200000.00")))
        elif kind == "int":
            attrs.update(inputmode="numeric")
        elif kind == "uscc":
            attrs.update(autocapitalize="characters")  # spaces, dashes and full-width are normalised
        return forms.CharField(
            label=label, help_text=help_text, required=False, max_length=60, widget=forms.TextInput(attrs=attrs)
        )

    def _mark_required(self) -> None:
        # Only for display (an asterisk); drafts may be incomplete and the browser does not enforce it.
        for name in self.SUBMIT_REQUIRED:
            self.fields[name].required = True
        for meta in self.programme.inputs or []:
            if meta.get("required", True):
                self.fields[input_field_name(meta["name"])].required = True

    def full_clean(self):
        marked = [n for n, f in self.fields.items() if f.required]
        for name in marked:
            self.fields[name].required = False
        super().full_clean()
        for name in marked:
            self.fields[name].required = True

    def service_data(self, data: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The raw values posted, as the draft service takes them (only the fields present, so an
        autosave of part of the page never blanks the rest)."""
        data = self.data if data is None else data
        out: dict[str, Any] = {}
        for key in (*TEXT_FIELDS, *LIST_FIELDS, *DATE_FIELDS):
            if key in data:
                out[key] = data.get(key, "")
        if "preapproval" in data and requires_preapproval(self.programme):
            out["preapproval"] = data.get("preapproval", "")
        inputs = {n: data.get(input_field_name(n), "") for n in self.input_names if input_field_name(n) in data}
        if inputs:
            out["inputs"] = inputs
        return out

    @classmethod
    def initial_from(cls, application) -> dict[str, Any]:
        """The form as the applicant left it: the raw draft text first, else the stored values."""
        draft = application.draft_data or {}
        claims: dict[str, list[str]] = {"contract": [], "invoice": []}
        for c in application.claims.all():
            claims.setdefault(c.kind, []).append(c.value)
        initial: dict[str, Any] = {
            "title": draft.get("title", application.title),
            "project_key": draft.get("project_key", application.project_key),
            "description": draft.get("description", application.description),
            "contract_numbers": draft.get("contract_numbers", "\n".join(sorted(claims["contract"]))),
            "invoice_numbers": draft.get("invoice_numbers", "\n".join(sorted(claims["invoice"]))),
            "period_end": draft.get("period_end", application.period_end.isoformat() if application.period_end else ""),
        }
        initial["preapproval"] = str(application.preapproval_id or "")
        raw_inputs = draft.get("inputs") or {}
        for meta in application.programme.inputs or []:
            name = meta["name"]
            value = raw_inputs.get(name, application.inputs.get(name))
            if isinstance(value, bool):
                value = "true" if value else "false"
            initial[input_field_name(name)] = "" if value is None else value
        return initial

    @staticmethod
    def error_field(key: str) -> str:
        """The form field of a service error key (inputs.eligible_cost → in_eligible_cost)."""
        return input_field_name(key.split(".", 1)[1]) if key.startswith("inputs.") else key


class AttachmentForm(forms.Form):
    material = forms.ChoiceField(label=_("材料类别"), choices=())
    file = forms.FileField(
        label=_("文件"),
        help_text=_("PDF、JPG、PNG 或 OFD 格式（按文件内容识别）。"),
        error_messages={"required": _("请选择要上传的文件。"), "empty": _("文件为空，请重新选择。")},
    )
    replaces = forms.TypedChoiceField(
        label=_("替换已上传的文件（可选）"), required=False, coerce=int, empty_value=None, choices=()
    )

    def __init__(self, *args, materials: Mapping[str, str], current: list[tuple[int, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["replaces"].choices = [("", _("不替换，新增文件"))] + list(current)
        self.fields["replaces"].error_messages["invalid_choice"] = _("要替换的文件不存在或已被替换。")
        self.fields["material"].choices = [("", _("请选择"))] + list(materials.items())
        self.fields["material"].error_messages["invalid_choice"] = _("请选择材料类别。")
        self.fields["material"].error_messages["required"] = _("请选择材料类别。")


class SubmitForm(forms.Form):
    declaration = forms.BooleanField(
        label=_("本单位承诺：所填报信息及上传的全部材料真实、准确、完整，如有虚假，愿承担相应法律责任并退回已获资金。"),
        required=False,
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("撤回原因"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class ResubmitForm(forms.Form):
    """补正答复: one answer per item of the open request."""

    def __init__(self, *args, items: list[dict], message: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[f"answer_{item['code']}"] = forms.CharField(
                label=item["label"],
                help_text=item["note"],
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        # the reviewer's note on the request as a whole gets its own answer, after the items
        self.general = bool(message.strip())
        if self.general:
            self.fields[f"answer_{GENERAL_ANSWER}"] = forms.CharField(
                label=_("对补正总体说明的答复"),
                help_text=message,
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def answers(self) -> dict[str, str]:
        answers = {i["code"]: self.cleaned_data.get(f"answer_{i['code']}", "") for i in self.items}
        if self.general:
            answers[GENERAL_ANSWER] = self.cleaned_data.get(f"answer_{GENERAL_ANSWER}", "")
        return answers
