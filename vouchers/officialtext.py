"""Official text (规范文本): the simplified-Chinese policy text the portal shows and quotes, made from
the seed text as it was collected, which is kept beside it as provenance.

Pure: no Django. The seeds come in two forms, and `profile_of` tells them apart:

- a web page scraped in traditional characters (hp2025): converted with OpenCC `t2s` (the official
  converter's own dictionaries, phrase by phrase); the site's header line (时间/作者/点击数) is dropped;
  its spaces are the publisher's and stay (《广州开发区 黄埔区…》 names two bodies, 〔2025〕 stays).
- a PDF extraction (th2024): page markers (— 2 —, — 4 **—**) and list bullets (- 1.) are dropped; a
  paragraph cut by a page or column break is joined again; a space next to a Chinese character is a
  former line end or the PDF's spacing round digits and Latin words, and goes: the official text writes
  10万元, 世界500强, AI时代. Spaces between two Latin words or numbers stay.

In both, half-width punctuation inside Chinese text becomes full-width (, : ; ? ! ( ) "…" → ，：；？！（）“…”),
while numbers are left as written (1.5, 2024-2026, 50%, 1,000, 17:46). The t2s result of both seeds was
read for names and terms (黄埔, 穗开经信规字〔2025〕7号, 关于/适用于, 云部署, 采集, 其它, 范围): OpenCC needed no
exception, so there is no exception list; tests/vouchers/test_officialtext.py holds those terms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

import opencc

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Punctuation that belongs to Chinese text: CJK symbols (、。《》〔〕【】), full-width forms, curly quotes, ……, ——
WIDE = "\u3000-\u303f\uff00-\uffef\u2018\u2019\u201c\u201d\u2026\u2014"
CHINESE = re.compile(f"[{HAN}{WIDE}]")
_HAN = re.compile(f"[{HAN}]")

HALF_TO_FULL = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！"}
# A page marker of a PDF extraction: — 2 —, — 4 **—**, -3-
PAGE_MARKER = re.compile(r"^[\s*]*[—–－-]{1,2}[\s*]*\d{1,3}[\s*]*[—–－-]{1,2}[\s*]*$")
# The header a government site's page template adds: 时间:2025/6/30 17:46:52 作者: 点击数:
META_LABEL = re.compile(r"(?:发布时间|时间|作者|来源|点击数|点击量|浏览次数|阅读次数|字号)\s*[:：]")
BULLET = re.compile(r"^[-•·]\s+")
# A paragraph ending in one of these is whole; one ending in any other character and longer than a
# heading (一、工作目标) was cut by a page or column break.
TERMINAL = "。！？；：）)」』”》】!?;:"
CONTINUED = "，、,"
HEADING_MAX = 20
_SPACES = re.compile(r"[ \t\u00a0]+")
_PAREN = re.compile(r"[（(]([^（）()]*)[）)]")


@dataclass(frozen=True)
class SourceProfile:
    """What the seed needs: `traditional` (convert with t2s), `paginated` (a PDF extraction's layout);
    `web_header` says the seed carried a site's header line (dropped whatever the profile)."""

    traditional: bool = False
    paginated: bool = False
    web_header: bool = False


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return str(_t2s().convert(text))


@lru_cache(maxsize=8)
def profile_of(source: str) -> SourceProfile:
    """Traditional when t2s changes at least 2% of the Han characters (a simplified text it leaves as it
    is); paginated when the text has a PDF page marker line; web_header when a line is a site's header."""
    han = len(_HAN.findall(source))
    converted = to_simplified(source)
    if len(converted) == len(source):
        changed = sum(a != b for a, b in zip(source, converted, strict=True))
    else:
        changed = han if converted != source else 0
    return SourceProfile(
        traditional=bool(han) and changed / han >= 0.02,
        paginated=any(PAGE_MARKER.match(line) for line in source.splitlines()),
        web_header=any(_is_meta(line) for line in converted.splitlines()),
    )


def _is_chinese(ch: str) -> bool:
    return bool(ch) and bool(CHINESE.match(ch))


def _neighbours(line: str, i: int, j: int | None = None) -> tuple[str, str]:
    """The nearest non-space characters before position i and after position j (default i)."""
    j = i if j is None else j
    before = line[:i].rstrip(" \t")
    after = line[j + 1 :].lstrip(" \t")
    return before[-1:], after[:1]


def _quotes(line: str, straight: str, opening: str, closing: str) -> str:
    """Pairs of straight quotes in Chinese text become curly ones; a pair in Latin text stays."""
    positions = [i for i, ch in enumerate(line) if ch == straight]
    chars = list(line)
    for k in range(0, len(positions) - 1, 2):
        i, j = positions[k], positions[k + 1]
        before, _ = _neighbours(line, i)
        _, after = _neighbours(line, j)
        if CHINESE.search(line[i + 1 : j]) or _is_chinese(before) or _is_chinese(after):
            chars[i], chars[j] = opening, closing
    return "".join(chars)


def _parentheses(line: str) -> str:
    """Matched ( ) round or beside Chinese text become （ ）; (2024-2026年) does, (a) in Latin text not."""
    chars = list(line)
    stack: list[int] = []
    pairs: list[tuple[int, int]] = []
    for i, ch in enumerate(line):
        if ch == "(":
            stack.append(i)
        elif ch == ")" and stack:
            pairs.append((stack.pop(), i))
    for i, j in pairs:
        before, _ = _neighbours(line, i)
        _, after = _neighbours(line, j)
        if CHINESE.search(line[i + 1 : j]) or _is_chinese(before) or _is_chinese(after):
            chars[i], chars[j] = "（", "）"
    return "".join(chars)


def _punctuation(line: str) -> str:
    line = _parentheses(_quotes(_quotes(line, '"', "“", "”"), "'", "‘", "’"))
    chars = list(line)
    for i, ch in enumerate(line):
        if ch in HALF_TO_FULL:
            before, after = _neighbours(line, i)
            if _is_chinese(before) or _is_chinese(after):
                chars[i] = HALF_TO_FULL[ch]
    line = "".join(chars)
    # full-width punctuation carries its own spacing
    line = re.sub(r"[ \t]+(?=[，：；？！）”’、。])", "", line)
    return re.sub(r"(?<=[，：；？！（“‘、。])[ \t]+", "", line)


def chinese_punctuation(text: str) -> str:
    """The portal's own Chinese (summaries, labels, help): full-width punctuation inside Chinese
    text, numbers and Latin left alone — what official_text does to a seed, without the rest."""
    return "\n".join(_punctuation(line) for line in text.split("\n"))


def _close_spaces(line: str) -> str:
    """A PDF's spaces next to Chinese text go (重要 指示 → 重要指示, 给予 10 万元 → 给予10万元, 1. 加强 →
    1.加强); spaces between two Latin words or numbers stay."""

    def keep(m: re.Match[str]) -> str:
        before, after = line[m.start() - 1 : m.start()], line[m.end() : m.end() + 1]
        return "" if _is_chinese(before) or _is_chinese(after) or not before or not after else " "

    return _SPACES.sub(keep, line)


def _paragraphs(lines: list[str]) -> list[str]:
    """A PDF's paragraphs, a paragraph cut by a page break (…首次达1亿元及以上的, / — 7 — / - 一次性给予…)
    joined again."""
    out: list[str] = []
    for line in lines:
        if (
            out
            and not out[-1].endswith(tuple(TERMINAL))
            and (out[-1].endswith(tuple(CONTINUED)) or len(out[-1]) > HEADING_MAX)
        ):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return out


def _is_meta(line: str) -> bool:
    return bool(META_LABEL.match(line.strip())) and len(META_LABEL.findall(line)) >= 2


def official_text(text: str, profile: SourceProfile | None = None) -> str:
    """The official simplified text of a seed, or of a passage quoted from it (with the seed's profile,
    so that a quoted clause reads exactly as it does in the whole text)."""
    profile = profile or profile_of(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    if profile.traditional:
        text = to_simplified(text)
    lines = [line.strip() for line in text.split("\n")]
    lines = [line for line in lines if line and not _is_meta(line)]
    if profile.paginated:
        lines = [BULLET.sub("", line) for line in lines if not PAGE_MARKER.match(line)]
        lines = [_close_spaces(line) for line in _paragraphs(lines)]
    return "\n".join(_punctuation(_SPACES.sub(" ", line)) for line in lines)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text).replace("（", "(").replace("）", ")")


def clause_reference(reference: str, *, source: str = "", profile: SourceProfile | None = None) -> tuple[str, str]:
    """A parameter's clause reference `第六条:<words quoted from the seed>` → (the reference with its words
    in official text, the portal's remark). Words in parentheses that the seed does not contain
    (第二条:发放最高1000万元“算力券”(条文未规定券的有效期)) are the portal's remark, a reading, not the
    clause; the label before the first colon (第六条, 培育措施 1) is the portal's and stays as written."""
    profile = profile or (profile_of(source) if source else SourceProfile())
    label, sep, words = reference.partition(":") if ":" in reference else reference.partition("：")
    if not sep:
        label, words = "", reference
    remarks: list[str] = []
    if source:
        seed = _squash(source)

        def remark(m: re.Match[str]) -> str:
            if _squash(f"({m.group(1)})") in seed:
                return m.group(0)
            remarks.append(m.group(1).strip())
            return ""

        words = _PAREN.sub(remark, words)
    quoted = official_text(words, profile)
    reference = f"{label}：{quoted}" if label else quoted
    plain = replace(profile, paginated=False)  # the portal's own words have no PDF layout
    return reference, "；".join(official_text(r, plain) for r in remarks)


def portal_note(note: str, *, remark: str = "", profile: SourceProfile | None = None) -> str:
    """The portal's note on a parameter in simplified characters with full-width punctuation (a note
    may quote the traditional seed: “具備良好應用”), after a remark taken out of its clause reference."""
    plain = replace(profile or SourceProfile(), paginated=False)
    note = official_text(note, plain) if note.strip() else ""
    if remark and remark not in note:
        note = f"{remark}。{note}" if note else f"{remark}。"
    return note
