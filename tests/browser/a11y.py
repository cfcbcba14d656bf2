"""What the browser suite checks on every page it visits: axe-core (WCAG 2.1 A and AA rules; serious
and critical findings fail), horizontal overflow on a phone, and the words on the page (no internal
codes, no English in the Chinese interface, full-width punctuation in Chinese sentences).

axe-core comes from npm (package.json, installed by `bin/setup --with-browser` with `npm ci`) and is
evaluated in the page through the DevTools protocol, which the portal's CSP (no inline script) does
not govern."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = ("serious", "critical")
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@cache
def axe_source() -> str:
    if not AXE.exists():
        raise FileNotFoundError(f"{AXE} is missing: run bin/setup --with-browser (it runs npm ci)")
    return AXE.read_text(encoding="utf-8")


def axe_violations(page: Page) -> list[str]:
    """The serious and critical axe-core violations of the page as it is now, one line each."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' '
                    + (n.failureSummary || '').split('\\n').slice(1, 2).join(''))}));
        }""",
        AXE_TAGS,
    )
    return [
        f"axe {v['impact']} {v['id']} ({v['help']}): " + " | ".join(v["nodes"])
        for v in result
        if v["impact"] in FAILING_IMPACTS
    ]


def horizontal_overflow(page: Page) -> str | None:
    """None when the page is no wider than the window; else how wide, and the widest elements."""
    found = page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            const scroll = document.documentElement.scrollWidth;
            if (scroll <= width) return null;
            const wide = [];
            for (const el of document.body.querySelectorAll('*')) {
                const r = el.getBoundingClientRect();
                if (r.right > width + 1 && r.width > 0) {
                    // only the outermost: an element whose parent is itself too wide is not named
                    const p = el.parentElement.getBoundingClientRect();
                    if (p.right <= width + 1) wide.push(el.tagName.toLowerCase()
                        + (el.className ? '.' + String(el.className).split(' ').join('.') : '')
                        + ' ' + Math.round(r.right) + 'px');
                }
            }
            return scroll + 'px wide in ' + width + 'px: ' + wide.slice(0, 5).join(', ');
        }"""
    )
    return found


# ---------------------------------------------------------------- words on the page

# Text a reader of the Chinese interface is shown, less what is rightly Latin: parts marked with a
# lang attribute other than Chinese (the "English" switch; machine data such as a browser's user-agent
# string in the admin, marked lang="zxx", no language, by portal/admin_values.py machine_text for the
# fields it names one by one), and form field values.
VISIBLE_TEXT_JS = """() => {
    // official text quoted as it was issued ([data-verbatim]) keeps its own words and punctuation
    const skip = el => (el.closest('[lang]:not([lang^="zh"])') !== null
                        && el.closest('[lang]') !== document.documentElement)
        || el.closest('[data-verbatim]') !== null;
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const node = walker.currentNode, el = node.parentElement;
        // a textarea's text is a form field's value, as an input's value is (not read either)
        if (!el || skip(el) || ['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'TEXTAREA'].includes(el.tagName)) continue;
        if (!el.getClientRects().length) continue;
        out.push(node.nodeValue);
    }
    for (const el of document.querySelectorAll('[title], [aria-label], [placeholder], img[alt]')) {
        if (skip(el)) continue;
        for (const a of ['title', 'aria-label', 'placeholder', 'alt']) {
            if (el.getAttribute(a)) out.push(el.getAttribute(a));
        }
    }
    return out.join('\\n');
}"""

SNAKE = re.compile(r"(?<![A-Za-z0-9_.@/-])(?:[a-z][a-z0-9]*(?:_[a-z0-9]+)+|None|True|False)(?![A-Za-z0-9_@])")
# What is rightly in Latin letters in a Chinese sentence: e-mail addresses, web addresses, file
# names, credit codes, amounts' units, and a few words Chinese government pages write in Latin.
LATIN_OK = re.compile(
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail address
    r"|https?://\S+|(?:/[\w.-]+)+/?"  # web address, path
    r"|[\w\u4e00-\u9fff（）()·-]+\.(?:pdf|png|jpe?g|xlsx?|csv|docx?|ofd|zip)\b"  # file name
    r"|\b[0-9A-Z]{18}\b"  # 统一社会信用代码
    r"|\b[A-Z0-9-]*\d[A-Z0-9-]*\b"  # numbers with letters: reference numbers, verification codes
    r"|(?-i:\b[A-Z0-9]{8,}\b)",  # a verification code of capitals alone (核验码 MQHENPWMQF)
    re.IGNORECASE,
)
LATIN_WORDS_OK = {
    "AI",
    "GPU",
    "CPU",
    "PDF",
    "PNG",
    "JPG",
    "JPEG",
    "OFD",
    "CSV",
    "XLSX",
    "Excel",
    "API",
    "QR",
    "TOTP",
    "OK",
    "ZIP",
    "MB",
    "KB",
    "GB",
    "TB",
    "PB",
    "PFLOPS",
    "TFLOPS",
    "FLOPS",
    "SHA",
    "URL",
    "ID",
    "IP",
    "IT",
    "GDP",
    "CA",
    "IDC",
    "SaaS",
    "PaaS",
    "IaaS",
    "App",
    "Wi",
    "Fi",
    "Chromium",
    "Django",
    "English",
    "AGI",
    "LLM",
}
# Acronyms the official Chinese text itself uses, and only in its own form: in brackets after the
# Chinese name (th2024 培育措施 7: 数据管理能力成熟度评估模型（DCMM）; the seed's verbatim quote has ( )).
# Elsewhere the Chinese name is written. tests/vouchers/test_programme_pages.py allows the same.
OFFICIAL_ACRONYMS = re.compile(r"数据管理能力成熟度评估模型[（(]DCMM[）)]")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
CJK = "\u3400-\u9fff"
HALF_WIDTH = re.compile(rf"[{CJK}][,;:()]|[,;()][{CJK}]|[{CJK}] ?\((?!\d)|\) ?[{CJK}]")


def text_findings(text: str, *, codes: set[str]) -> list[str]:
    """What a Chinese page should not say: internal codes, English, half-width , ; ( ) in Chinese."""
    found: list[str] = []
    for code in sorted(codes):
        if re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text):
            found.append(f"internal code {code!r}")
    for word in sorted(set(SNAKE.findall(text))):
        found.append(f"parameter name {word!r}")
    latin = LATIN_OK.sub(" ", OFFICIAL_ACRONYMS.sub(" ", text))
    words = {w for w in LATIN_WORD.findall(latin) if w not in LATIN_WORDS_OK and len(w) > 1}
    for word in sorted(words)[:8]:
        found.append(f"English {word!r} in the Chinese interface: …{_around(text, word)}…")
    for m in list(HALF_WIDTH.finditer(text))[:5]:
        found.append(f"half-width {m.group(0)!r} in Chinese text: …{_around(text, m.group(0))}…")
    return found


def _around(text: str, needle: str) -> str:
    i = text.find(needle)
    return text[max(0, i - 15) : i + len(needle) + 15].replace("\n", " ") if i >= 0 else needle


def page_text(page: Page) -> str:
    return page.evaluate(VISIBLE_TEXT_JS)
