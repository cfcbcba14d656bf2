"""Forms of the review pages. They only shape input; the rules are the services'. A service's
ValidationError is put back on the form field by field with `errors_to_form`."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from applications.workflow import State
from portal.models import Role, User
from portal.permissions import district_q
from portal.widgets import QuickSelect
from vouchers.models import Policy, Programme

from .models import Objection
from .services.common import OPEN_STATES

EMPTY = [("", _("全部"))]


def errors_to_form(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: known fields by name, the rest as non-field."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = field if field in form.fields else None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


class QueueFilterForm(forms.Form):
    # <select>s rendered in Python (portal.widgets): the queue is the most visited page of the bureau
    scope = forms.ChoiceField(
        label=_("范围"),
        required=False,
        widget=QuickSelect,
        choices=[("", _("分配给我的和待认领的")), ("mine", _("分配给我的")), ("unassigned", _("待认领/未分配"))],
    )
    programme = forms.ChoiceField(label=_("申报项目"), required=False, widget=QuickSelect)
    policy = forms.ChoiceField(label=_("政策"), required=False, widget=QuickSelect)
    state = forms.ChoiceField(
        label=_("状态"),
        required=False,
        widget=QuickSelect,
        choices=EMPTY + [(s.value, s.label) for s in State if s in OPEN_STATES],
    )
    enterprise = forms.CharField(label=_("企业名称或信用代码"), required=False, max_length=100)
    deadline = forms.ChoiceField(
        label=_("办理期限"),
        required=False,
        widget=QuickSelect,
        choices=EMPTY + [("overdue", _("已逾期")), ("week", _("5个工作日内到期"))],
    )
    reviewer = forms.ChoiceField(label=_("审核人员"), required=False, widget=QuickSelect)
    sort = forms.ChoiceField(
        label=_("排序"),
        required=False,
        widget=QuickSelect,
        choices=[("age", _("提交最早优先")), ("-age", _("提交最近优先")), ("deadline", _("期限最近优先"))],
    )

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        # the actor's district's programmes, policies and reviewers only
        self.fields["programme"].choices = EMPTY + [
            (p.code, p.display_name)
            for p in Programme.objects.filter(district_q(actor, "policy__district"))
            .only("code", "name_zh", "name_en")
            .order_by("policy__code", "sort_order", "code")
        ]
        self.fields["policy"].choices = EMPTY + list(
            Policy.objects.filter(district_q(actor, "district")).order_by("code").values_list("code", "title")
        )
        if actor is not None and actor.is_bureau_admin:
            self.fields["scope"].choices = [("", _("全部在办")), ("mine", _("分配给我的")), ("unassigned", _("未分配"))]
            self.fields["reviewer"].choices = EMPTY + [
                (str(u.pk), str(u)) for u in reviewer_choices(actor).order_by("pk")
            ]
        else:
            del self.fields["reviewer"]


def reviewer_choices(actor, district: str = ""):
    """The reviewers an administrator may name: active ones of the administrator's district (and of
    the application's, `district`, when naming one for an application)."""
    qs = User.objects.filter(district_q(actor, "district"), role=Role.REVIEWER, is_active=True)
    return (qs.filter(district=district) if district else qs).order_by("full_name", "pk")


def expert_choices(actor, district: str = ""):
    """The experts an administrator may put on a panel: active ones of the administrator's district
    and the application's."""
    qs = User.objects.filter(district_q(actor, "district"), role=Role.EXPERT, is_active=True)
    return (qs.filter(district=district) if district else qs).order_by("full_name", "pk")


class AssignForm(forms.Form):
    reviewer = forms.ModelChoiceField(
        label=_("审核人员"),
        queryset=User.objects.none(),
        error_messages={"required": _("请选择审核人员。"), "invalid_choice": _("请选择在岗的审核人员。")},
    )

    def __init__(self, *args, actor=None, district: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewer_choices(actor, district)


class BulkForm(forms.Form):
    ACTIONS = [
        ("claim", _("认领")),
        ("assign", _("分配给审核人员")),
        ("send_to_experts", _("形式审查通过，提交专家评审")),
    ]
    action = forms.ChoiceField(label=_("批量操作"), choices=ACTIONS, error_messages={"required": _("请选择批量操作。")})
    ids = forms.TypedMultipleChoiceField(
        label=_("申报"), coerce=int, choices=[], error_messages={"required": _("请至少勾选一项申报。")}
    )
    reviewer = forms.ModelChoiceField(label=_("审核人员"), queryset=User.objects.none(), required=False)
    note = forms.CharField(
        label=_("形式审查意见"), required=False, max_length=2000, help_text=_("批量提交专家评审时必填。")
    )

    def __init__(self, *args, ids=(), actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ids"].choices = [(i, i) for i in ids]
        self.fields["reviewer"].queryset = reviewer_choices(actor)

    def clean(self):
        data = super().clean()
        if data.get("action") == "assign" and not data.get("reviewer"):
            self.add_error("reviewer", _("批量分配须选择审核人员。"))
        return data


class SupplementReturnForm(forms.Form):
    """退回补正: a checkbox and a note per material of the checklist (missing ones pre-ticked), and
    up to three other items."""

    note = forms.CharField(
        label=_("补正说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args, checklist=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.checklist = list(checklist)
        for row in self.checklist:
            self.fields[f"m_{row['code']}"] = forms.BooleanField(
                label=row["label"],
                required=False,
                initial=not row["present"],
                help_text=_("缺失") if not row["present"] else _("已上传 %(n)d 份") % {"n": len(row["files"])},
            )
            # the note's box sits in the material's row without a label of its own: named for screen readers
            self.fields[f"n_{row['code']}"] = forms.CharField(
                label=_("补正要求"),
                required=False,
                max_length=500,
                widget=forms.TextInput(attrs={"aria-label": _("%(material)s的补正要求") % {"material": row["label"]}}),
            )
        for i in range(1, 4):
            label = _("其他补正事项 %(i)d") % {"i": i}
            self.fields[f"other_label_{i}"] = forms.CharField(
                label=label, required=False, max_length=200, widget=forms.TextInput(attrs={"aria-label": label})
            )
            self.fields[f"other_note_{i}"] = forms.CharField(
                label=_("补正要求"),
                required=False,
                max_length=500,
                widget=forms.TextInput(attrs={"aria-label": _("%(material)s的补正要求") % {"material": label}}),
            )

    def material_rows(self):
        return [
            {"row": row, "check": self[f"m_{row['code']}"], "note": self[f"n_{row['code']}"]} for row in self.checklist
        ]

    def other_rows(self):
        return [{"label": self[f"other_label_{i}"], "note": self[f"other_note_{i}"]} for i in range(1, 4)]

    def items(self) -> list[dict[str, str]]:
        data = self.cleaned_data
        out = [
            {"code": row["code"], "note": data.get(f"n_{row['code']}", "")}
            for row in self.checklist
            if data.get(f"m_{row['code']}")
        ]
        for i in range(1, 4):
            label, note = data.get(f"other_label_{i}", "").strip(), data.get(f"other_note_{i}", "").strip()
            if label or note:
                out.append({"code": f"other-{i}", "label": label, "note": note})
        return out


class ExpertsAssignForm(forms.Form):
    experts = forms.ModelMultipleChoiceField(
        label=_("评审专家"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请选择评审专家。")},
    )

    def __init__(self, *args, exclude=(), actor=None, district: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["experts"].queryset = expert_choices(actor, district).exclude(pk__in=list(exclude))


class DeclarationForm(forms.Form):
    conflict = forms.TypedChoiceField(
        label=_("利益冲突声明"),
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        choices=[
            ("no", _("本人与申报单位及项目不存在利益冲突（亲属、任职、投资、合作等关系），同意参加评审")),
            ("yes", _("本人与申报单位存在利益冲突，申请回避")),
        ],
        error_messages={"required": _("请作出利益冲突声明。")},
    )
    note = forms.CharField(label=_("说明"), required=False, max_length=300, help_text=_("存在利益冲突时请说明关系。"))


class ScoreForm(forms.Form):
    comment = forms.CharField(
        label=_("综合评审意见"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for c in self.criteria:
            top = Decimal(str(c["max_score"]))
            self.fields[f"score_{c['code']}"] = forms.DecimalField(
                label=_("%(label)s（满分 %(max)s）") % {"label": c.get("label_zh") or c["code"], "max": top},
                min_value=0,
                max_value=top,
                decimal_places=2,
                max_digits=6,
                error_messages={
                    "required": _("请为该指标评分。"),
                    "invalid": _("请输入数字。"),
                    "min_value": _("评分不能低于 0 分。"),
                    "max_value": _("评分不能超过满分 %(limit_value)s 分。"),
                    "max_decimal_places": _("评分最多保留两位小数。"),
                },
            )
            self.fields[f"comment_{c['code']}"] = forms.CharField(
                label=_("评审意见"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
            )
        self.order_fields(
            [f for c in self.criteria for f in (f"score_{c['code']}", f"comment_{c['code']}")] + ["comment"]
        )

    def scores(self) -> dict[str, object]:
        return {c["code"]: self.cleaned_data.get(f"score_{c['code']}") for c in self.criteria}

    def comments(self) -> dict[str, str]:
        return {c["code"]: self.cleaned_data.get(f"comment_{c['code']}", "") for c in self.criteria}


class DecisionForm(forms.Form):
    """实质审核: approve (amount per award line; reduced needs a reason) or decline with a reason."""

    outcome = forms.ChoiceField(
        label=_("审核结论"),
        widget=forms.RadioSelect,
        choices=[("approve", _("予以支持（金额不超过测算上限；低于上限须说明核减理由）")), ("decline", _("不予支持"))],
        error_messages={"required": _("请选择审核结论。")},
    )
    reason = forms.CharField(
        label=_("理由"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("核减或不予支持时必填。"),
    )
    comment = forms.CharField(
        label=_("经办意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text=_("必填。提交后须经审批链的其他环节同意，决定方才生效。"),
    )

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.line_names = []
        for ln in lines:
            name = f"amount_{ln['line']}" if ln["line"] else "amount"
            self.line_names.append((ln["line"], name))
            self.fields[name] = forms.DecimalField(
                label=_("%(who)s核定金额（元），上限 %(max)s") % {"who": ln["label"], "max": f"{ln['max']:,}"},
                required=False,
                min_value=0,
                decimal_places=2,
                max_digits=16,
                initial=ln["max"],
                error_messages={
                    "invalid": _("请输入有效的金额（元）。"),
                    "min_value": _("金额不能为负数。"),
                    "max_decimal_places": _("金额最多保留两位小数（精确到分）。"),
                },
            )
        self.order_fields(["outcome", *[n for _, n in self.line_names], "reason", "comment"])

    def clean(self):
        data = super().clean()
        if data.get("outcome") == "decline" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("不予支持须说明理由。"))
        return data

    def amounts(self) -> dict[str, object]:
        return {line: self.cleaned_data.get(name) for line, name in self.line_names}


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("不予支持理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("不予支持须说明理由。")},
    )
    comment = forms.CharField(
        label=_("经办意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text=_("必填。须经审批链的其他环节同意后生效。"),
    )


class PublishForm(forms.Form):
    title = forms.CharField(
        label=_("公示标题"), required=False, max_length=200, help_text=_("留空则按“项目名称+批次+拟支持名单公示”生成。")
    )
    workdays = forms.IntegerField(
        label=_("公示期（工作日）"),
        min_value=1,
        max_value=60,
        error_messages={
            "required": _("请填写公示期。"),
            "min_value": _("公示期至少 1 个工作日。"),
            "max_value": _("公示期不超过 60 个工作日。"),
        },
    )
    ids = forms.TypedMultipleChoiceField(
        label=_("拟公示申报"), coerce=int, choices=[], error_messages={"required": _("请至少选择一项申报。")}
    )

    def __init__(self, *args, ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ids"].choices = [(i, i) for i in ids]


class ObjectionForm(forms.Form):
    """提出异议 (public, no login): named, with contact details that stay confidential."""

    application = forms.TypedChoiceField(
        label=_("异议对象"),
        coerce=int,
        choices=[],
        error_messages={"required": _("请选择异议所针对的项目。"), "invalid_choice": _("请选择本公示中所列的项目。")},
    )
    objector_kind = forms.ChoiceField(
        label=_("以何种名义提出"),
        widget=forms.RadioSelect,
        choices=Objection.ObjectorKind.choices,
        error_messages={"required": _("请选择以个人或单位名义提出。")},
    )
    objector_name = forms.CharField(
        label=_("姓名/单位名称"),
        max_length=200,
        help_text=_("异议须实名提出（个人姓名或单位名称）。"),
        error_messages={"required": _("异议须署名：请填写姓名或单位名称。")},
    )
    objector_id_number = forms.CharField(label=_("身份证件号码/统一社会信用代码"), max_length=30, required=False)
    contact_phone = forms.CharField(
        label=_("联系电话"),
        max_length=30,
        help_text=_("联系方式仅用于核实，严格保密。"),
        error_messages={"required": _("请填写联系电话，以便核实。")},
    )
    contact_email = forms.EmailField(
        label=_("联系邮箱"), required=False, error_messages={"invalid": _("请输入有效的电子邮箱。")}
    )
    content = forms.CharField(
        label=_("异议内容及理由"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        error_messages={"required": _("请写明异议的事实和理由。")},
    )

    def __init__(self, *args, entries=(), **kwargs):
        super().__init__(*args, **kwargs)
        seen, choices = set(), []
        for e in entries:
            if e["application_id"] not in seen and e["status"] == "listed":
                seen.add(e["application_id"])
                label = f"{e['enterprise_name']} · {e['project_title'] or e['programme_name']}"
                choices.append((e["application_id"], label))
        self.fields["application"].choices = [("", "—")] + choices


class ResolveForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("核查结论"),
        coerce=lambda v: v == "upheld",
        widget=forms.RadioSelect,
        choices=[("dismissed", _("异议不成立，维持拟支持")), ("upheld", _("异议成立，取消该项支持"))],
        error_messages={"required": _("请选择核查结论。")},
    )
    reason = forms.CharField(
        label=_("核查意见和理由"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        error_messages={"required": _("请写明核查意见和理由。")},
    )


class BatchApproveForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("核定方式"),
        widget=forms.RadioSelect,
        choices=[
            ("rank", _("按排名择优（名额和资金池余额内，依专家平均分从高到低）")),
            ("pro_rata", _("按比例核减（资金池不足时）")),
        ],
        error_messages={"required": _("请选择核定方式。")},
    )
    ids = forms.TypedMultipleChoiceField(
        label=_("核定申报"), coerce=int, choices=[], error_messages={"required": _("请至少选择一项申报。")}
    )
    comment = forms.CharField(
        label=_("经办意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text=_("必填。每项申报的拟办意见分别经审批链审批后生效。"),
    )

    def __init__(self, *args, ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ids"].choices = [(i, i) for i in ids]
