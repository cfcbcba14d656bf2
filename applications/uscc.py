"""统一社会信用代码 on the Django side: the rule is `portal.uscc`'s; here its messages are translated
and the division is compared with what the enterprise declared, as a warning for whoever verifies
the enterprise (a division outside Guangzhou, unknown or withdrawn is not a refusal)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from portal.uscc import ALPHABET, check_character, division_of, normalize, problem_of

__all__ = ["ALPHABET", "check_character", "credit_code_division", "normalize", "uscc_error"]

# The division code (GB/T 2260) of each district the policies name (models.District); any other
# district of Guangzhou is District.OTHER.
DISTRICT_DIVISIONS = {"440112": "huangpu", "440106": "tianhe"}


def uscc_error(code: str) -> str | None:
    """The reason a code is refused, in the user's language, or None when it is valid."""
    problem = problem_of(code)
    return _(problem.template) % problem.params if problem is not None else None


def credit_code_division(enterprise) -> dict[str, Any] | None:
    """{code, name, in_guangzhou, district, warning} of the division in an enterprise's credit code, for
    staff; `warning` is None when it is a current division of Guangzhou that agrees with the declared
    注册地 registered district (a city-level code, 440100/440101, agrees with any)."""
    division = division_of(enterprise.credit_code)
    if division is None:
        return None
    warnings = []
    if not division.known:
        warnings.append(
            _("行政区划码 %(code)s 不在行政区划代码表中（可能已撤销或有误），请核实。") % {"code": division.code}
        )
    elif division.retired_after is not None:
        warnings.append(
            _("行政区划码 %(code)s（%(name)s）已撤销（代码表记至%(year)s年），请核实。")
            % {"code": division.code, "name": division.name, "year": division.retired_after}
        )
    if division.known and not division.in_guangzhou:
        warnings.append(
            _("行政区划码 %(code)s（%(name)s）不在广州市：登记机关在外地，请核实企业是否在本市注册。")
            % {"code": division.code, "name": division.name}
        )
    elif (
        division.district
        and division.retired_after is None
        and enterprise.registered_district
        and DISTRICT_DIVISIONS.get(division.code, "other") != enterprise.registered_district
    ):
        warnings.append(
            _("行政区划码 %(code)s 属于%(district)s，与登记的注册地“%(claimed)s”不一致，请核实。")
            % {
                "code": division.code,
                "district": division.district,
                "claimed": enterprise.get_registered_district_display(),
            }
        )
    return {
        "code": division.code,
        "name": division.name,
        "in_guangzhou": division.in_guangzhou,
        "district": division.district,
        "warning": "；".join(warnings) or None,
    }
