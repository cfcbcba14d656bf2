"""统一社会信用代码 unified social credit code (GB 32100-2015): the one home of its rule.

18 characters: registration authority (1), organisation type (1), administrative division (6 digits,
GB/T 2260), organisation code (9), check character (1). The alphabet has 31 characters (no I, O, S,
V, Z); the check character is python-stdnum's (`stdnum.cn.uscc`). The division is looked up in the
list python-stdnum maintains (`stdnum/cn/loc.dat`, read through `stdnum.numdb`), not a copy of ours.

Pure: standard library and python-stdnum only, so the award calculator uses it as the pages, the API
and the admin do. Messages are Simplified Chinese; the Django side translates them
(`applications.uscc`), the calculator shows them as they are.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from stdnum import numdb
from stdnum.cn import uscc as stdnum_uscc


def gettext_noop(message: str) -> str:
    """Marks a message for the translation catalogue (makemessages) without needing Django."""
    return message


ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
LENGTH = 18
GUANGZHOU = "4401"  # 广州市 in GB/T 2260

# 登记管理部门代码 → (部门, {机构类别代码: 机构类别}). GB 32100-2015 附录A, with the authorities added
# since (A 中央军委改革和编制办公室, N 农业); Y 其他 has the single type 1.
AUTHORITIES: Mapping[str, tuple[str, Mapping[str, str]]] = {
    "1": ("机构编制", {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"}),
    "2": ("外交", {"1": "外国常住新闻机构", "9": "其他"}),
    "3": (
        "司法行政",
        {
            "1": "律师执业机构",
            "2": "公证处",
            "3": "基层法律服务所",
            "4": "司法鉴定机构",
            "5": "仲裁委员会",
            "9": "其他",
        },
    ),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": ("旅游", {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地（大陆）代表机构", "9": "其他"}),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("工商", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": ("农业", {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"}),
    "Y": ("其他", {"1": "其他"}),
}

# Dashes people type between groups (after NFKC, which already turns full-width forms and U+3000 into
# ASCII): hyphen, non-breaking hyphen, figure/en/em dash, horizontal bar, minus, small hyphen-minus.
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―−﹣]+")

LENGTH_MESSAGE = gettext_noop("统一社会信用代码应为18位，当前为%(n)d位。")
ALPHABET_MESSAGE = gettext_noop("统一社会信用代码含有不允许的字符：%(chars)s（不使用 I、O、S、V、Z）。")
AUTHORITY_MESSAGE = gettext_noop("统一社会信用代码第1位是登记管理部门代码，“%(c)s”不是有效的代码（应为 %(allowed)s）。")
TYPE_MESSAGE = gettext_noop(
    "统一社会信用代码第2位是机构类别代码，“%(c)s”不是登记管理部门 %(a)s（%(authority)s）"
    "的机构类别（应为 %(allowed)s）。"
)
DIVISION_MESSAGE = gettext_noop("统一社会信用代码第3至8位应为行政区划码（数字）。")
CHECK_MESSAGE = gettext_noop("统一社会信用代码校验位不正确（应为 %(c)s），请核对。")


@dataclass(frozen=True)
class Problem:
    """Why a code is refused: `template` (Chinese, for gettext) filled with `params`."""

    kind: str  # length / alphabet / authority / type / division / check
    template: str
    params: Mapping[str, object] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return self.template % self.params


def normalize(code: object) -> str:
    """Full-width letters and digits to ASCII (ＡＢＣ１２３ → ABC123), spaces (U+3000 too) and dashes
    removed, lower case to upper case."""
    text = unicodedata.normalize("NFKC", "" if code is None else str(code))
    return _SEPARATORS.sub("", text).upper()


def check_character(first17: str) -> str:
    """The 18th character for the first 17 (GB 32100-2015; python-stdnum computes it)."""
    return stdnum_uscc.calc_check_digit(first17[:17])


def problem_of(code: object) -> Problem | None:
    """The first reason the code is refused, or None. The code is normalised first. A division code
    the list does not know is not a refusal (see `division_of`)."""
    code = normalize(code)
    if len(code) != LENGTH:
        return Problem("length", LENGTH_MESSAGE, {"n": len(code)})
    bad = sorted({c for c in code if c not in ALPHABET})
    if bad:
        return Problem("alphabet", ALPHABET_MESSAGE, {"chars": "、".join(bad)})
    authority = AUTHORITIES.get(code[0])
    if authority is None:
        return Problem("authority", AUTHORITY_MESSAGE, {"c": code[0], "allowed": "、".join(AUTHORITIES)})
    name, types = authority
    if code[1] not in types:
        return Problem(
            "type",
            TYPE_MESSAGE,
            {"c": code[1], "a": code[0], "authority": name, "allowed": "、".join(f"{k} {v}" for k, v in types.items())},
        )
    if not code[2:8].isdigit():
        return Problem("division", DIVISION_MESSAGE)
    expected = check_character(code)
    if code[17] != expected:
        return Problem("check", CHECK_MESSAGE, {"c": expected})
    return None


def is_valid(code: object) -> bool:
    return problem_of(code) is None


# ---------------------------------------------------------------- the administrative division


@dataclass(frozen=True)
class Division:
    """登记管理机关行政区划 the division of a code's 3rd to 8th characters, as the list knows it."""

    code: str
    name: str = ""  # 广东省广州市黄埔区; "" when the list does not know the code
    known: bool = False
    retired_after: int | None = None  # the last year of a division the list has only as withdrawn (撤销)
    district: str = ""  # the county-level name (黄埔区) inside Guangzhou; "" at city level or outside

    @property
    def in_guangzhou(self) -> bool:
        return self.code.startswith(GUANGZHOU)


def _current_name(value: str) -> tuple[str, int | None]:
    """'[1983-1986]郊区,[1987-]白云区' → ('白云区', None); '[1983-2005]东山区' → ('东山区', 2005)."""
    name, end = "", None
    for part in value.split(","):
        match = re.fullmatch(r"\[(\d*)-(\d*)\](.*)", part)
        if match is None:
            return part, None
        name, end = match.group(3), int(match.group(2)) if match.group(2) else None
        if end is None:
            return name, None
    return name, end


def _lookup(code: str) -> dict[str, str]:
    return {k: v for _part, props in numdb.get("cn/loc").info(code) for k, v in props.items()}


def division_of(code: object) -> Division | None:
    """The division of a credit code (or of a 6-digit division code); None when it is not 6 digits."""
    text = normalize(code)
    digits = text[2:8] if len(text) == LENGTH else text
    if not (len(digits) == 6 and digits.isascii() and digits.isdigit()):
        return None
    info = _lookup(digits)
    if "county" not in info:
        return Division(code=digits)
    own, retired_after = _current_name(info["county"])
    parts = [info.get("province", "")]
    if digits[4:] != "00":
        prefecture, _end = _current_name(_lookup(digits[:4] + "00").get("county", ""))
        if prefecture not in ("", "市辖区", "县", parts[0]):
            parts.append(prefecture)
    if own not in parts:
        parts.append(own)
    in_guangzhou = digits.startswith(GUANGZHOU)
    district = own if in_guangzhou and digits[4:] != "00" and own != "市辖区" else ""
    return Division(code=digits, name="".join(parts), known=True, retired_after=retired_after, district=district)
