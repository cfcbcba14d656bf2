"""The public catalogue API: programmes and the policy calculator (政策计算器). These endpoints, and
only these, are open to anonymous users (AllowAny is set on each; the API default is authenticated).
A signed-in enterprise member's estimate counts that enterprise's prior awards."""

from __future__ import annotations

import codecs
import datetime as dt
import json
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.parsers import JSONParser

from . import calculator
from .display import capped_by_label, formula_in_words, input_unit, param_value, parameter_rows, text_provenance
from .lifecycle import policy_state
from .models import Policy, Programme
from .selectors import estimate_as_json, estimate_for, parameters_in_force, programme_get, programmes_list
from .throttles import EstimateThrottle

# ---------------------------------------------------------------- parsing


def _no_constants(name: str):
    raise ValueError(f"{name} is not a number")


class DecimalJSONParser(JSONParser):
    """JSON whose numbers with a fraction or exponent become Decimal, never a binary float
    (700000000.10 stays 700000000.10); NaN and Infinity are refused; nesting is limited
    (portal.parsers)."""

    def load(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            return json.load(codecs.getreader(encoding)(stream), parse_float=Decimal, parse_constant=_no_constants)
        except ValueError as exc:
            raise exceptions.ParseError(_("请求体不是有效的 JSON：%(error)s") % {"error": exc}) from None


# ---------------------------------------------------------------- serializers


class ChoiceSerializer(serializers.Serializer):
    value = serializers.CharField()
    label_zh = serializers.CharField()


class InputSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The input's name in the estimate body (PROGRAMS.md).")
    type = serializers.ChoiceField(choices=["decimal", "int", "bool", "choice", "uscc"])
    unit = serializers.CharField(help_text="yuan / percent / none")
    unit_label = serializers.SerializerMethodField()
    label_zh = serializers.CharField()
    label_en = serializers.CharField(default="")
    help_zh = serializers.CharField(default="")
    required = serializers.BooleanField(default=True)
    must_be = serializers.BooleanField(
        default=None, allow_null=True, help_text="For a condition flag: the value it must have to qualify."
    )
    choices = ChoiceSerializer(many=True, default=list)

    def get_unit_label(self, meta: dict) -> str:
        return input_unit(meta)


class PolicyLifeSerializer(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=["pending", "in_force", "claims", "closed"],
        help_text=(
            "pending: not yet in force; in_force: takes applications in its windows; claims: expired, still taking "
            "final claims (清算批次) for facts inside its validity until `until`; closed: takes nothing new"
        ),
    )
    label = serializers.CharField()
    until = serializers.DateField(allow_null=True)
    detail = serializers.CharField()


class PolicyBriefSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    document_number = serializers.CharField()
    status = serializers.CharField(help_text="draft (征求意见稿) / in_force / expired")
    status_label = serializers.CharField(source="get_status_display")
    district = serializers.CharField()
    valid_from = serializers.DateField()
    valid_to = serializers.DateField()
    life = serializers.SerializerMethodField()

    @extend_schema_field(PolicyLifeSerializer)
    def get_life(self, policy: Policy) -> dict[str, Any]:
        state = policy_state(policy)
        return {"code": state.code, "label": state.label, "until": state.until, "detail": state.detail}


class ProgrammeSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="name_zh")
    # A plain string in the schema: an enum here would collide with the other "kind" enums of the API.
    kind = serializers.CharField(
        help_text="compute 算力类 / model 模型类 / scenario 场景类 / data 数据类 / other 其他类"
    )
    kind_label = serializers.CharField(source="get_kind_display")
    review_path_label = serializers.CharField(source="get_review_path_display")
    policy = PolicyBriefSerializer()
    inputs = serializers.SerializerMethodField()

    class Meta:
        model = Programme
        fields = [
            "code",
            "name",
            "name_en",
            "kind",
            "kind_label",
            "policy",
            "article",
            "responsible_unit",
            "review_path",
            "review_path_label",
            "is_voucher",
            "staged_payment",
            "once_only",
            "summary_zh",
            "inputs",
        ]
        extra_kwargs = {"responsible_unit": {"help_text": "责任单位: reviews the programme and issues its letters."}}

    @extend_schema_field(InputSerializer(many=True))
    def get_inputs(self, programme: Programme) -> list[dict[str, Any]]:
        return InputSerializer(
            [{**m, "must_be": m.get("must_be"), "choices": m.get("choices") or []} for m in programme.inputs], many=True
        ).data


class ParameterSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.ChoiceField(choices=["yuan", "percent", "count", "months", "workdays"])
    value = serializers.CharField(
        help_text='Decimal string: yuan with two places ("500000.00"), a rate as the '
        'decimal itself ("0.3"), a count, months or working days as a whole number.'
    )
    text = serializers.CharField(help_text="As shown to readers: 30%, 500,000.00 元（50万元）; 万元 only where exact.")
    effective_from = serializers.DateField()
    clause = serializers.CharField(help_text="The clause it rests on, quoted in official simplified text.")
    note = serializers.CharField(help_text='The portal\'s note, apart from the clause ("" when none).')
    note_kind = serializers.ChoiceField(
        choices=["reading", "explanation", ""],
        help_text="reading: a reading the portal chose (平台口径), not clause text; explanation: how the clause "
        "is applied (说明).",
    )
    note_label = serializers.CharField(help_text="平台口径 / 说明, in the reader's language.")


class WindowSerializer(serializers.Serializer):
    name = serializers.CharField()
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    is_open = serializers.BooleanField()


class ProgrammeDetailSerializer(ProgrammeSerializer):
    formula_text = serializers.SerializerMethodField()
    text_provenance = serializers.SerializerMethodField()
    requires_above_scale = serializers.SerializerMethodField()
    industries = serializers.SerializerMethodField()
    parameters = serializers.SerializerMethodField()
    windows = serializers.SerializerMethodField()

    class Meta(ProgrammeSerializer.Meta):
        fields = [
            *ProgrammeSerializer.Meta.fields,
            "clause_text",
            "clause_source",
            "text_provenance",
            "eligibility_zh",
            "materials",
            "criteria",
            "formula",
            "formula_text",
            "requires_above_scale",
            "industries",
            "parameters",
            "windows",
        ]
        extra_kwargs = {
            **ProgrammeSerializer.Meta.extra_kwargs,
            "clause_text": {"help_text": "The clause in official simplified text (规范文本)."},
            "clause_source": {"help_text": "The clause as the seed text writes it (before conversion)."},
        }

    def _today(self) -> dt.date:
        return timezone.localdate()

    def get_formula_text(self, programme: Programme) -> str:
        return formula_in_words(programme, parameters_in_force(programme=programme, on=self._today()))

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_text_provenance(self, programme: Programme) -> list[str]:
        return text_provenance(programme.policy.full_text_source)

    def get_requires_above_scale(self, programme: Programme) -> bool:
        return bool((programme.spec or {}).get("requires_above_scale"))

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_industries(self, programme: Programme) -> list[str]:
        return [i["label_zh"] for i in (programme.spec or {}).get("industries") or []]

    @extend_schema_field(ParameterSerializer(many=True))
    def get_parameters(self, programme: Programme) -> list[dict[str, Any]]:
        rows, _scheduled = parameter_rows(programme=programme, on=self._today())
        return [
            {
                "name": r.name,
                "label": r.label,
                "unit": r.unit,
                "value": r.value_text,
                "text": r.text,
                "effective_from": r.effective_from.isoformat(),
                "clause": r.clause,
                "note": r.note,
                "note_kind": r.note_kind,
                "note_label": r.note_label,
            }
            for r in rows
        ]

    @extend_schema_field(WindowSerializer(many=True))
    def get_windows(self, programme: Programme) -> list[dict[str, Any]]:
        now = timezone.now()
        return [
            {"name": w.name, "opens_at": w.opens_at, "closes_at": w.closes_at, "is_open": w.opens_at <= now}
            for w in programme.windows.filter(closes_at__gt=now).order_by("opens_at")
        ]


class StepSerializer(serializers.Serializer):
    label = serializers.CharField()
    expression = serializers.CharField()
    amount = serializers.CharField(allow_null=True)


class LineSerializer(serializers.Serializer):
    line = serializers.CharField(help_text='"" for a single award; "supplier" / "buyer" for th-scenario-demo.')
    amount = serializers.CharField()
    capped_by = serializers.CharField(allow_null=True)


class FactUseSerializer(serializers.Serializer):
    fact = serializers.CharField(help_text="district / above_scale / industry")
    label = serializers.CharField()
    value = serializers.CharField()
    verified = serializers.BooleanField(help_text="verified by the bureau or by imported department data")
    source = serializers.CharField(
        help_text="how it was verified, or 企业自报（未经核验） the enterprise's own statement"
    )


class EstimateSerializer(serializers.Serializer):
    programme = serializers.CharField()
    on = serializers.DateField()
    eligible = serializers.BooleanField()
    amount = serializers.CharField(help_text='Yuan, decimal string with two places, e.g. "800000.00".')
    uncapped_amount = serializers.CharField()
    capped_by = serializers.CharField(allow_null=True, help_text="The parameter name of the bound that bit.")
    capped_by_label = serializers.CharField(allow_null=True)
    reasons = serializers.ListField(child=serializers.CharField())
    steps = StepSerializer(many=True)
    lines = LineSerializer(many=True)
    parameters = serializers.DictField(
        child=serializers.CharField(), help_text="Parameter values used, written as in a programme's parameters."
    )
    facts = FactUseSerializer(
        many=True,
        help_text="The enterprise facts the estimate rests on (for a signed-in "
        "member's enterprise), each verified or the enterprise's own "
        "statement.",
    )
    prior_awards_counted = serializers.BooleanField(
        help_text="True when the caller is a signed-in enterprise member whose prior awards were counted."
    )


ESTIMATE_BODY = {
    "type": "object",
    "description": "The programme's inputs by their names (see `inputs` of the programme): amounts as decimal "
    "strings or JSON numbers (parsed exactly), flags as true/false, levels as one of the "
    "choices; plus an optional `date` (YYYY-MM-DD, default today) within the policy's validity.",
    "properties": {"date": {"type": "string", "format": "date"}},
    "additionalProperties": {"oneOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"}]},
}


# ---------------------------------------------------------------- views


def _programme(code: str) -> Programme:
    try:
        return programme_get(code=code)
    except Http404:
        raise exceptions.NotFound(_("没有代码为 %(code)s 的申报项目。") % {"code": code}) from None


def _member_enterprise(user):
    if not getattr(user, "is_authenticated", False):
        return None
    membership = getattr(user, "membership", None)
    return membership.enterprise if membership is not None else None


def _estimate_date(raw: Any) -> dt.date | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, str):
        try:
            return dt.date.fromisoformat(raw.strip())
        except ValueError:
            pass
    raise exceptions.ValidationError({"date": [_("日期格式应为 YYYY-MM-DD，如 2026-03-01。")]})


@extend_schema(
    tags=["programmes"],
    summary="申报项目列表 list the programmes",
    parameters=[
        OpenApiParameter("kind", str, enum=[k for k, _l in Programme.Kind.choices]),
        OpenApiParameter("policy", str, description="Policy code: hp2025 / th2024"),
    ],
)
class ProgrammeListView(generics.ListAPIView):
    """Every programme of the catalogue with its inputs (types, units), open to anyone."""

    permission_classes = [AllowAny]
    serializer_class = ProgrammeSerializer

    def get_queryset(self):
        kind = self.request.query_params.get("kind", "")
        if kind and kind not in Programme.Kind.values:
            raise exceptions.ValidationError(
                {
                    "kind": [
                        _("未知类别：%(kind)s（可选：%(all)s）")
                        % {"kind": kind, "all": "、".join(Programme.Kind.values)}
                    ]
                }
            )
        return programmes_list(kind=kind, policy=self.request.query_params.get("policy", ""))


@extend_schema(
    tags=["programmes"],
    summary="申报项目详情 one programme",
    responses={200: ProgrammeDetailSerializer, 404: OpenApiTypes.OBJECT},
)
class ProgrammeDetailView(generics.RetrieveAPIView):
    """The programme with its clause text, materials, parameters in force today and open windows."""

    permission_classes = [AllowAny]
    serializer_class = ProgrammeDetailSerializer

    def get_object(self) -> Programme:
        return _programme(self.kwargs["code"])


class ProgrammeEstimateView(APIView):
    """政策计算器 estimate what the programme would award for these inputs."""

    permission_classes = [AllowAny]
    parser_classes = [DecimalJSONParser]
    throttle_classes = [EstimateThrottle]

    @extend_schema(
        tags=["programmes"],
        summary="测算 estimate an award",
        request={"application/json": ESTIMATE_BODY},
        responses={200: EstimateSerializer, 400: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT},
        examples=[
            OpenApiExample(
                "hp-revenue-growth 500M → 700M (PROGRAMS.md worked example)",
                request_only=True,
                value={"revenue_previous": "500000000", "revenue_current": 700000000, "date": "2026-03-01"},
            ),
            OpenApiExample(
                "Worked example result",
                response_only=True,
                value={
                    "programme": "hp-revenue-growth",
                    "on": "2026-03-01",
                    "eligible": True,
                    "amount": "800000.00",
                    "uncapped_amount": "800000.00",
                    "capped_by": None,
                    "capped_by_label": None,
                    "reasons": [],
                    "steps": [
                        {
                            "label": "单位数 × 每单位金额",
                            "expression": "20 × 40,000.00 = 800,000.00",
                            "amount": "800000.00",
                        }
                    ],
                    "lines": [{"line": "", "amount": "800000.00", "capped_by": None}],
                    "parameters": {"tier2_per_unit": "40000.00"},
                    "prior_awards_counted": False,
                },
            ),
            OpenApiExample(
                "Bad input",
                response_only=True,
                status_codes=["400"],
                value={
                    "revenue_current": ["“当年1-11月营业收入”不能为负数"],
                    "date": ["测算日期 2030-01-01 不在政策有效期内（2025-06-27 至 2028-06-26）"],
                },
            ),
        ],
    )
    def post(self, request: Request, code: str) -> Response:
        programme = _programme(code)
        if not isinstance(request.data, dict):
            raise exceptions.ValidationError(
                {"non_field_errors": [_("请求体须为 JSON 对象，键为本项目的申报数据项名称。")]}
            )
        body = dict(request.data)
        on = _estimate_date(body.pop("date", None)) or timezone.localdate()
        enterprise = _member_enterprise(request.user)
        try:
            est = estimate_for(programme=programme, inputs=body, on=on, enterprise=enterprise)
        except calculator.InputError as exc:
            raise exceptions.ValidationError({k: [v] for k, v in exc.errors.items()}) from None
        data = estimate_as_json(est)
        data["parameters"] = {name: param_value(name, value) for name, value in est.parameters.items()}
        data["capped_by_label"] = capped_by_label(est.capped_by) or None
        data["prior_awards_counted"] = enterprise is not None
        return Response(data)
