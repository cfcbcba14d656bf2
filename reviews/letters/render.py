"""Letter → PDF with WeasyPrint. The template is the letter's recorded version (letters/<kind>_vN.html,
with its stylesheet static/letters/letter_vN.css), laid out to GB/T 9704-2012 《党政机关公文格式》.

Fonts (字体): the standard's faces are 方正小标宋 for the heading and title and 仿宋_GB2312 for the
text. They are not free: a bureau that holds a licence puts the files (.ttf/.otf/.ttc) in the fonts
folder, `PORTAL_LETTER_FONTS_DIR` (default var/fonts/), and the letters use them from the next one
rendered; without them the letters use the free Noto CJK faces the set-up installs (fonts-noto-cjk:
Noto Serif CJK SC, bold for the title). WeasyPrint embeds a subset of every face it uses, and the
stylesheet names only faces that are there, so a PDF states no font it does not embed.

Seal (印章): an authority's electronic seal, a PNG with transparency named after the authority
(广州开发区经济和信息化局.png) in `PORTAL_LETTER_SEALS_DIR` (default var/seals/), is placed over the
signature and date as 7.3.5.1 says; without one the place stays empty (no drawn seal) and the
annotation says the letter is verified by its QR code. The verification QR code is an SVG data URI.
Optionally the PDF is signed (PAdES) with the bureau's PKCS#12 certificate from settings."""

from __future__ import annotations

import base64
import functools
import io
import re
from pathlib import Path

import qrcode
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from qrcode.image.pil import PilImage
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from reviews.models import Letter

VERSION = re.compile(r"_(v\d+)$")


# The standard's faces, by the family names their files carry, and the role each plays.
BUREAU_FACES = {
    "title": ("FZXiaoBiaoSong-B05S", "FZXiaoBiaoSong-B05", "方正小标宋简体", "方正小标宋_GBK"),
    "text": ("FangSong_GB2312", "仿宋_GB2312", "FangSong", "仿宋"),
}
FONT_SUFFIXES = (".ttf", ".otf", ".ttc")
# GB/T 9704-2012 5.2.2 版心 156 mm wide; a line of 二号 (22 pt) title holds 20 characters.
BLOCK_PT = 156 / 25.4 * 72
TITLE_PT = 22


def fonts_dir() -> Path:
    return Path(getattr(settings, "PORTAL_LETTER_FONTS_DIR", "") or Path(settings.BASE_DIR) / "var" / "fonts")


def seals_dir() -> Path:
    return Path(getattr(settings, "PORTAL_LETTER_SEALS_DIR", "") or Path(settings.BASE_DIR) / "var" / "seals")


def _families(path: Path) -> set[str]:
    from fontTools.ttLib import TTCollection, TTFont

    try:
        faces = (
            TTCollection(str(path), lazy=True).fonts
            if path.suffix.lower() == ".ttc"
            else [TTFont(str(path), lazy=True)]
        )
    except Exception:  # not a font we can read: leave it out
        return set()
    return {str(n) for face in faces for n in face["name"].names if n.nameID in (1, 4, 16)}


def bureau_fonts(folder: Path) -> dict[str, Path]:
    """The standard's faces found in `folder`: role ("title", "text") → file."""
    found: dict[str, Path] = {}
    if not folder.is_dir():
        return found
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in FONT_SUFFIXES)
    names = {p: _families(p) for p in files}
    for role, wanted in BUREAU_FACES.items():
        for family in wanted:  # in order of preference
            match = next((p for p in files if family in names[p]), None)
            if match is not None:
                found[role] = match
                break
    return found


def fonts_css(found: dict[str, Path]) -> str:
    """@font-face rules for the bureau's faces, under the family name their files carry (so the PDF
    names the face it embeds), and the rules that use them; empty without them. Both faces come in
    one weight: the title and the emphasis are set in it, never in a synthesised bold."""
    rules = []
    if "title" in found:
        family = next(f for f in BUREAU_FACES["title"] if f in _families(found["title"]))
        rules.append(f'@font-face {{ font-family: "{family}"; src: url("{found["title"].as_uri()}"); }}')
        rules.append(
            f'.masthead .authority, h1.title {{ font-family: "{family}", "Noto Serif CJK SC", serif;'
            " font-weight: normal; }"
        )
    if "text" in found:
        family = next(f for f in BUREAU_FACES["text"] if f in _families(found["text"]))
        rules.append(f'@font-face {{ font-family: "{family}"; src: url("{found["text"].as_uri()}"); }}')
        rules.append(f'html {{ font-family: "{family}", "Noto Serif CJK SC", serif; }}')
        rules.append(".amount, th { font-weight: normal; }")
    return "\n".join(rules)


@functools.cache
def _fonts() -> FontConfiguration:
    return FontConfiguration()


@functools.cache
def _stylesheets(version: str, folder: str) -> tuple[CSS, ...]:
    path = Path(settings.BASE_DIR) / "static" / "letters" / f"letter_{version}.css"
    sheets = [CSS(filename=str(path), font_config=_fonts())]
    extra = fonts_css(bureau_fonts(Path(folder)))
    if extra:
        sheets.append(CSS(string=extra, font_config=_fonts()))
    return tuple(sheets)


def stylesheets(version: str) -> list[CSS]:
    """The version's stylesheet, then the bureau's fonts when installed (read once per process and folder)."""
    return list(_stylesheets(version, str(fonts_dir())))


def _stylesheet(version: str) -> CSS:  # bench/bench_letters.py times plain WeasyPrint with it
    return stylesheets(version)[0]


# ---------------------------------------------------------------- layout worked out before WeasyPrint


def text_width(text: str) -> float:
    """Width in ems, on the safe side: a Chinese character or full-width sign is one, a Latin capital
    nine tenths (the bold M is wide), other Latin letters and figures a little over half."""
    return sum(1.0 if ord(ch) >= 0x2E80 else 0.9 if ch.isupper() else 0.56 for ch in text)


def title_lines(words: list, *, capacity: float | None = None) -> list[str]:
    """标题 (7.3.1): the fewest lines that hold it, broken only between words — inside a name (a list
    of its pieces) only when that saves a line —, as even as can be (排列对称, 长短适宜) and, between
    equals, the shorter line above (梯形). A word longer than a whole line is the only one cut."""
    capacity = capacity if capacity is not None else int(BLOCK_PT // TITLE_PT)
    atoms: list[tuple[str, bool]] = []  # (text, a break before it is inside a name)
    for word in words:
        pieces = [word] if isinstance(word, str) else list(word)
        for n, piece in enumerate(pieces):
            while text_width(piece) > capacity:
                cut = max(1, int(capacity))
                while text_width(piece[:cut]) > capacity:
                    cut -= 1
                atoms.append((piece[:cut], False))
                piece = piece[cut:]
            if piece:
                atoms.append((piece, n > 0))
    if not atoms:
        return []
    if len(atoms) > 16:  # never for a title; keep the search small
        atoms = [*atoms[:15], ("".join(a for a, _inner in atoms[15:]), False)]
    best: tuple | None = None
    for mask in range(1 << (len(atoms) - 1)):
        lines, current, inner = [], atoms[0][0], 0
        for i, (atom, inside) in enumerate(atoms[1:]):
            if mask >> i & 1:
                lines.append(current)
                current, inner = atom, inner + inside
            else:
                current += atom
        lines.append(current)
        widths = [text_width(line) for line in lines]
        if max(widths) > capacity:
            continue
        key = (len(lines), inner, max(widths) - min(widths), widths)
        if best is None or key < best[0]:
            best = (key, lines)
    return best[1] if best else ["".join(a for a, _inner in atoms)]


def heading_size(authority: str) -> float:
    """发文机关标志 (7.2.1): as large as reads well, the whole name on one line of the 156 mm block."""
    return float(min(36, int((BLOCK_PT - 4) / max(text_width(authority), 1))))


def signoff_indent(authority: str, date: str) -> float:
    """署名 and 成文日期 (7.3.5.1): the date four characters from the right edge, the name centred over
    it; a name too long for that keeps two characters from the edge and the date stays centred under it."""
    name, day = text_width(authority), text_width(date)
    if name <= day:
        return 4.0
    return max(2.0, 4.0 - (name - day) / 2)


def verify_width(authority: str, date: str) -> float:
    """Room (mm) for the verification note left of the signature, in the band the seal takes, so it
    adds no line to the letter; 0 when too narrow (a very long name): the note then goes below."""
    sign = signoff_indent(authority, date) + max(text_width(authority), text_width(date))
    room = 156 - sign * 16 / 72 * 25.4 - 5
    return round(min(room, 80), 1) if room >= 50 else 0.0


def seal_uri(authority: str) -> str:
    path = seals_dir() / f"{authority}.png"
    if not authority or not path.is_file():
        return ""
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def layout(c: dict) -> dict:
    authority = c.get("authority", "")
    return {
        "heading_pt": heading_size(authority),
        "title_lines": title_lines(c.get("title_words") or [c.get("title", "")]),
        "signoff_em": signoff_indent(authority, c.get("issued_on_zh", "")),
        "verify_mm": verify_width(authority, c.get("issued_on_zh", "")),
        "seal": seal_uri(authority),
    }


def verify_url(letter: Letter) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("reviews:letter_verify", args=[letter.code])


QR_MODULE_PX = 8  # pixels a module: 20 mm for ~37 modules is ~370 dpi, drawn without smoothing (image-rendering)


def qr_data_uri(text: str) -> str:
    """The QR code of `text` as a 1-bit PNG (whole pixels a module, a one-module margin). An SVG path
    of one square a module cost WeasyPrint ~20 ms a letter to parse and draw, a tenth of a letter."""
    buf = io.BytesIO()
    qrcode.make(text, image_factory=PilImage, box_size=QR_MODULE_PX, border=1).save(buf)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def letter_html(letter: Letter) -> str:
    url = verify_url(letter)
    return render_to_string(
        f"letters/{letter.template}.html",
        {
            "letter": letter,
            "c": letter.context,
            "verify_url": url,
            "qr": qr_data_uri(url),
            "layout": layout(letter.context),
        },
    )


def layout_css(measures: dict) -> str:
    """The letter's own measures (heading size, signature indent, width of the verification note) as
    a stylesheet given to WeasyPrint beside the version's: the templates hold no style attribute."""
    css = (
        f".masthead .authority {{ font-size: {measures['heading_pt']}pt; }}\n"
        f".signoff .sign {{ margin-right: {measures['signoff_em']}em; }}\n"
    )
    if measures.get("verify_mm"):
        css += f".verify.beside {{ width: {measures['verify_mm']}mm; }}\n"
    return css


def letter_pdf(letter: Letter) -> bytes:
    """The letter's PDF (unsigned), rendered from its snapshot with its template version."""
    match = VERSION.search(letter.template)
    version = match.group(1) if match else "v1"
    document = HTML(string=letter_html(letter), base_url=str(settings.BASE_DIR))
    own = CSS(string=layout_css(layout(letter.context)), font_config=_fonts())
    return document.write_pdf(stylesheets=[*stylesheets(version), own], font_config=_fonts())


def signing_configured() -> bool:
    return bool(getattr(settings, "PORTAL_LETTER_SIGNING_P12", ""))


def pdf_sign(pdf: bytes, *, reason: str, location: str) -> bytes:
    """PAdES baseline signature with the PKCS#12 certificate named in settings."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    password = getattr(settings, "PORTAL_LETTER_SIGNING_PASSWORD", "") or ""
    signer = signers.SimpleSigner.load_pkcs12(
        settings.PORTAL_LETTER_SIGNING_P12, passphrase=password.encode() if password else None
    )
    if signer is None:
        raise RuntimeError("cannot load the letter signing certificate (PORTAL_LETTER_SIGNING_P12)")
    meta = signers.PdfSignatureMetadata(
        field_name="BureauSeal",
        reason=reason,
        location=location,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    out = signers.PdfSigner(meta, signer=signer).sign_pdf(writer)
    return out.getvalue()
