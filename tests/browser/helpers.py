"""The browser journeys' small tools: an Actor (one person in their own browser context), numbered
screenshots, and real little PDF and PNG files to upload."""

from __future__ import annotations

import contextlib
import io
import re
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Locator, Page

TIMEOUT_MS = 10_000
# What a reader should never see: identifiers (snake_case) and Python's None/True/False.
CODE_NAME = re.compile(r"(?<![A-Za-z0-9_.-])(?:[a-z][a-z0-9]*(?:_[a-z0-9]+)+|None|True|False)(?![A-Za-z0-9_])")
VIEWPORT = {"width": 1280, "height": 900}


class Shots:
    """Screenshots numbered in the order the journey takes them: 01-<step>.png, 02-…"""

    def __init__(self, root: Path):
        self.root = root
        self.n = 0
        self.taken: list[Path] = []

    def take(self, page: Page, step: str) -> Path:
        self.n += 1
        path = self.root / f"{self.n:02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        self.taken.append(path)
        return path


@dataclass
class Actor:
    """One person of the journey in their own browser context (own cookies, own session)."""

    name: str
    context: BrowserContext
    page: Page
    base_url: str
    shots: Shots
    problems: list[str] = field(default_factory=list)

    @classmethod
    def open(cls, browser: Browser, *, name: str, base_url: str, shots: Shots) -> Actor:
        context = browser.new_context(
            base_url=base_url, locale="zh-CN", timezone_id="Asia/Shanghai", viewport=VIEWPORT, accept_downloads=True
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        page = context.new_page()
        actor = cls(name=name, context=context, page=page, base_url=base_url, shots=shots)
        page.on("dialog", lambda dialog: dialog.accept())  # data-confirm buttons ask window.confirm()
        page.on("pageerror", lambda exc: actor.problems.append(f"JS error on {page.url}: {exc}"))
        page.on("console", actor._console)
        page.on("response", actor._response)
        return actor

    # ------------------------------------------------------------ what went wrong on the way

    def _console(self, message) -> None:
        if message.type == "error":  # CSP refusals, failed resources, script errors
            if (message.location or {}).get("url", "").endswith("/favicon.ico"):
                return  # the browser asks for it by itself; the portal declares none
            if not (message.location or {}).get("url") and message.text.startswith("Applying inline style violates"):
                # axe-core, which the test evaluates in the page (no script URL, unlike every script of
                # the portal), re-inserts a stylesheet that another one @imports (the admin's forms.css
                # imports widgets.css) as a <style> element, which the CSP rightly refuses: the
                # test tool's own refusal, not the portal's. Style attributes and <style> elements of
                # the portal's pages are reported with the page's URL and still fail.
                return
            self.problems.append(f"console error on {self.page.url}: {message.text}")

    def _response(self, response) -> None:
        if response.status >= 500:
            self.problems.append(f"HTTP {response.status} for {response.request.method} {response.url}")

    def assert_clean(self) -> None:
        assert not self.problems, f"{self.name}: " + "\n".join(self.problems)

    # ------------------------------------------------------------ moving around

    def go(self, path: str, *, status: int = 200) -> Page:
        response = self.page.goto(path)
        assert response is not None and response.status == status, (
            f"{self.name}: GET {path} answered {response and response.status}, expected {status}"
        )
        assert path.startswith("/accounts/") or "/accounts/login/" not in self.page.url, (
            f"{self.name}: GET {path} was sent to the login page"
        )
        return self.page

    def submit(self, button: Locator, *, status: int | tuple[int, ...] = 200) -> Page:
        """Click a button that submits a form and wait for the page it leads to (after redirects)."""
        with self.page.expect_navigation() as nav:
            button.click()
        response = nav.value
        expected = (status,) if isinstance(status, int) else status
        assert response is not None and response.status in expected, (
            f"{self.name}: submit led to {response and response.url} with {response and response.status}, "
            f"expected {expected}; page says: {self.flash() or self.page.locator('main').inner_text()[:500]}"
        )
        self.assert_clean()
        return self.page

    def button(self, text: str, *, scope: str | Locator | None = None) -> Locator:
        root = self.page.locator(scope) if isinstance(scope, str) else (scope or self.page)
        return root.get_by_role("button", name=text, exact=True)

    def flash(self) -> str:
        """The messages shown at the top of the page (success, errors), as one text."""
        box = self.page.locator(".messages")
        return box.first.inner_text() if box.count() else ""

    def expect_flash(self, text: str) -> None:
        flash = self.flash()
        assert text in flash, f"{self.name}: expected message {text!r}, page shows {flash!r}"

    def login(self, email: str, password: str) -> None:
        self.go("/accounts/login/")
        self.page.fill("#id_username", email)
        self.page.fill("#id_password", password)
        self.submit(self.button("登录", scope="main"))
        assert "/accounts/login/" not in self.page.url, f"{self.name}: login refused: {self.page.inner_text('main')}"

    def shot(self, step: str) -> Path:
        """Keep a screenshot of the page, and note any code name shown to the reader on it."""
        text = self.page.inner_text("main")
        for word in sorted(set(CODE_NAME.findall(text))):
            self.problems.append(f"code name {word!r} shown on {self.page.url}")
        return self.shots.take(self.page, step)

    def failure_shot(self) -> None:
        with contextlib.suppress(Exception):  # the page may be gone; the failure itself is reported
            self.page.screenshot(path=str(self.shots.root / f"FAILED-{self.name}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()


# ---------------------------------------------------------------- files to upload


def pdf_bytes(text: str = "GZAI test material") -> bytes:
    """A small but complete PDF (one page, one line of text, a correct cross-reference table)."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def png_bytes(width: int = 24, height: int = 16, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A small valid PNG (one colour), built with zlib and struct."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + bytes(rgb) * width
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def upload_file(name: str, *, text: str = "") -> dict:
    """A file for Locator.set_input_files: a PDF or a PNG by the name's extension."""
    if name.endswith(".png"):
        return {"name": name, "mimeType": "image/png", "buffer": png_bytes()}
    return {"name": name, "mimeType": "application/pdf", "buffer": pdf_bytes(text or name)}


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def link_in(body: str, path_prefix: str) -> str:
    """The path of the first link in an e-mail body that starts with path_prefix."""
    match = re.search(r"https?://[^/\s]+(" + re.escape(path_prefix) + r"\S+)", body)
    assert match, f"no {path_prefix} link in: {body}"
    return match.group(1)
