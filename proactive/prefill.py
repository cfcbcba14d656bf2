"""快申快享 pre-filling: an application starts with the inputs its programme's calculator reads from
facts (一企一档, the catalogue's `fact:` links, read as matching reads them), each value with where it
came from — the department, the source, the period and the import batch. The enterprise may change a
value; it then is its own declaration, the source stays on record and the reviewer sees both
(proactive.selectors.declared_vs_facts flags the difference)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from applications.selectors import enterprise_of
from applications.services import DraftSaved, application_create
from vouchers.models import Programme

from . import facts as F
from .matching import fact_for, programme_for_matching
from .models import Department, EnterpriseFact
from .selectors import same_value


def prefill_for(*, enterprise_id: int, programme: Programme) -> dict[str, dict[str, Any]]:
    """input name → {value, label, kind, department, department_label, source, period, fact_import,
    file_name, display} for each input of the programme a fact of the enterprise supplies."""
    prepared = programme_for_matching(programme, timezone.localdate())
    kinds = {kind for _n, _l, kind, _p, _r in prepared.sources if kind}
    rows: dict[tuple[str, str], EnterpriseFact] = {}
    periods: dict[str, dict[str, str]] = {}
    for fact in EnterpriseFact.objects.filter(enterprise_id=enterprise_id, kind__in=sorted(kinds)).select_related(
        "fact_import"
    ):
        rows[(fact.kind, fact.period)] = fact
        periods.setdefault(fact.kind, {})[fact.period] = fact.period  # fact_for then names the period it picks
    out: dict[str, dict[str, Any]] = {}
    for name, label, kind, period, _required in prepared.sources:
        chosen = fact_for(periods, kind, period) if kind else None
        if chosen is None:
            continue
        fact = rows[(kind, chosen)]
        out[name] = {
            "value": F.as_input(kind, fact.value),
            "display": F.value_display(kind, fact.value),
            "label": label,
            "kind": kind,
            "department": fact.department,
            "department_label": str(Department(fact.department).label),
            "source": fact.source,
            "period": fact.period,
            "fact_import": fact.fact_import_id,
            "file_name": fact.fact_import.file_name if fact.fact_import else "",
        }
    return out


def quick_application_start(
    *, actor, programme: Programme, carried: Mapping[str, Any] | None = None, ip: str | None = None
) -> DraftSaved:
    """Open a draft pre-filled from the actor's enterprise's facts. Values carried from the calculator
    (`carried`) are the enterprise's own and win over facts (no source recorded for them)."""
    enterprise = enterprise_of(actor)
    prefill = prefill_for(enterprise_id=enterprise.pk, programme=programme) if enterprise is not None else {}
    carried = {k: v for k, v in (carried or {}).items() if v not in (None, "")}
    inputs: dict[str, Any] = {name: p["value"] for name, p in prefill.items() if name not in carried}
    inputs.update(carried)
    sources = {name: p for name, p in prefill.items() if name not in carried}
    return application_create(
        actor=actor, programme=programme, data={"inputs": inputs} if inputs else None, sources=sources, ip=ip
    )


def prefill_rows(application) -> list[dict[str, Any]]:
    """Each pre-filled input of the application: its source and whether the enterprise has changed it
    (then its value is the enterprise's own declaration)."""
    labels = {m["name"]: str(m.get("label_zh") or m["name"]) for m in application.programme.inputs or []}
    rows = []
    for name, src in (application.input_sources or {}).items():
        if not isinstance(src, Mapping):
            continue
        current = (application.inputs or {}).get(name)
        rows.append(
            {
                "input": name,
                "label": labels.get(name, name),
                "prefilled": src.get("display") or src.get("value"),
                "current": current,
                "changed": current is None or not same_value(current, src.get("value")),
                "department": src.get("department_label") or "",
                "source": src.get("source") or "",
                "period": src.get("period") or "",
                "fact_import": src.get("fact_import"),
                "file_name": src.get("file_name") or "",
            }
        )
    return rows
