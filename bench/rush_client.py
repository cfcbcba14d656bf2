"""The browser of one enterprise in bench/bench_rush.py, with the standard library only: one
keep-alive TLS connection to the proxy, the cookies the portal sets (session, CSRF), the CSRF token
of the last page's form, Origin and Referer as a browser sends them; forms posted as
application/x-www-form-urlencoded, files as multipart/form-data; redirects followed as a browser
does after a form (a GET of the Location). Also the valid PDFs it uploads."""

from __future__ import annotations

import http.client
import json
import re
import ssl
import time
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ERRORS = re.compile(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', re.S)
MESSAGES = re.compile(r'<(?:li|div|p) class="[^"]*(?:error|warning)[^"]*"[^>]*>(.*?)</(?:li|div|p)>', re.S)
TAGS = re.compile(r"<[^>]+>")


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float
    request_id: str

    @property
    def location(self) -> str:
        return self.headers.get("location", "")

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> dict:
        try:
            return json.loads(self.body)
        except ValueError:
            return {}

    def problems(self) -> str:
        """The form errors and error messages of a page answered instead of a redirect, as text."""
        found = [TAGS.sub(" ", m).strip() for m in ERRORS.findall(self.text()) + MESSAGES.findall(self.text())]
        return "；".join(" ".join(f.split()) for f in found if f)[:300]


@dataclass
class Record:
    """One request as the benchmark counts it."""

    enterprise: int
    step: str
    page: bool  # a GET of a page (the form before an action, or the page a redirect leads to)
    started: float  # seconds since the start of the rush
    seconds: float
    status: int
    request_id: str
    bytes_sent: int
    error: str = ""  # the kind of failure, empty when the step did what it should


class StepFailed(Exception):
    def __init__(self, kind: str, detail: str = ""):
        super().__init__(kind)
        self.kind = kind
        self.detail = detail


@dataclass
class Browser:
    host: str
    port: int
    context: ssl.SSLContext
    enterprise: int
    t0: float  # the rush's start (time.perf_counter)
    timeout: float = 180.0
    records: list[Record] = field(default_factory=list)
    cookies: dict[str, str] = field(default_factory=dict)
    csrf: str = ""
    retries: int = 0
    _conn: http.client.HTTPSConnection | None = None
    _used: bool = False

    @property
    def origin(self) -> str:
        return f"https://{self.host}:{self.port}"

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _connection(self) -> http.client.HTTPSConnection:
        if self._conn is None:
            self._conn = http.client.HTTPSConnection(self.host, self.port, context=self.context, timeout=self.timeout)
            self._used = False
        return self._conn

    def _send(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> Answer:
        # A browser sends again once when a kept-alive connection turns out closed by the server
        # before any answer (nginx's keepalive_timeout); a fresh connection gets no second try.
        for attempt in (1, 2):
            conn = self._connection()
            reused = self._used
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as exc:
                self.close()
                if reused and attempt == 1:
                    self.retries += 1
                    continue
                raise StepFailed(type(exc).__name__, str(exc)) from None
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                raise StepFailed(type(exc).__name__, str(exc)) from None
            self._used = True
            elapsed = time.perf_counter() - started
            answer = Answer(
                status=response.status,
                headers={k.lower(): v for k, v in response.getheaders()},
                body=data,
                seconds=elapsed,
                request_id=response.getheader("X-Request-ID", ""),
            )
            for value in response.headers.get_all("Set-Cookie") or []:
                self._keep_cookie(value)
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            return answer
        raise AssertionError("unreachable")

    def _keep_cookie(self, header: str) -> None:
        jar = SimpleCookie()
        jar.load(header)
        for name, morsel in jar.items():
            if morsel["max-age"] == "0" or not morsel.value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value

    def request(
        self,
        step: str,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        page: bool = False,
        headers: dict[str, str] | None = None,
        referer: str = "",
    ) -> Answer:
        sent = {
            "Host": f"{self.host}:{self.port}",
            "User-Agent": "bench-rush (a browser's requests)",
            "Accept-Language": "zh-CN,zh;q=0.9",
            **(headers or {}),
        }
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            sent["Origin"] = self.origin
        if referer:
            sent["Referer"] = self.origin + referer
        started = time.perf_counter() - self.t0
        try:
            answer = self._send(method, path, body, sent)
        except StepFailed as failure:
            self.records.append(
                Record(
                    self.enterprise,
                    step,
                    page,
                    started,
                    time.perf_counter() - self.t0 - started,
                    0,
                    "",
                    len(body or b""),
                    error=f"{step}: {failure.kind}",
                )
            )
            raise
        self.records.append(
            Record(
                self.enterprise, step, page, started, answer.seconds, answer.status, answer.request_id, len(body or b"")
            )
        )
        if page or method == "GET":
            match = CSRF_INPUT.search(answer.text()) if answer.status == 200 else None
            if match:
                self.csrf = match.group(1)
        return answer

    def fail(self, kind: str, detail: str = "") -> StepFailed:
        """Mark the last request as failed with this kind; the caller raises the result."""
        if self.records:
            self.records[-1].error = kind
        return StepFailed(kind, detail)

    def page(self, step: str, path: str, *, referer: str = "") -> Answer:
        answer = self.request(
            step, "GET", path, page=True, referer=referer, headers={"Accept": "text/html,application/xhtml+xml"}
        )
        if answer.status != 200:
            raise self.fail(f"{step}: HTTP {answer.status}", answer.text()[:200])
        return answer

    def follow(self, step: str, answer: Answer, *, referer: str) -> Answer:
        """The GET a browser makes after a form answered with a redirect."""
        target = urlsplit(answer.location)
        path = target.path + (f"?{target.query}" if target.query else "")
        return self.page(f"{step}.page", path or "/", referer=referer)

    def post_form(
        self,
        step: str,
        path: str,
        fields: dict[str, str] | list[tuple[str, str]],
        *,
        referer: str,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        items = list(fields.items()) if isinstance(fields, dict) else list(fields)
        body = urlencode([("csrfmiddlewaretoken", self.csrf), *items]).encode()
        return self.request(
            step,
            "POST",
            path,
            body=body,
            referer=referer,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "text/html,application/xhtml+xml",
                **(headers or {}),
            },
        )

    def post_file(
        self,
        step: str,
        path: str,
        fields: dict[str, str],
        *,
        file_field: str,
        filename: str,
        content: bytes,
        content_type: str,
        referer: str,
    ) -> Answer:
        boundary = f"----benchrush{uuid.uuid4().hex}"
        parts = []
        for name, value in [("csrfmiddlewaretoken", self.csrf), *fields.items()]:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n".encode()
        )
        body = b"".join([*parts, content, f"\r\n--{boundary}--\r\n".encode()])
        return self.request(
            step,
            "POST",
            path,
            body=body,
            referer=referer,
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Accept": "text/html,application/xhtml+xml",
            },
        )


# ---------------------------------------------------------------------------------------------- PDFs


def pdf_bytes(label: str, size: int, noise: bytes) -> bytes:
    """A valid one-page PDF of exactly `size` bytes: a line of text and a grey image of `noise`
    (random bytes do not compress, as a scanned page does not), padded with a comment line."""
    width = 1024
    text = re.sub(r"[^ -~]", "?", label).replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    def build(height: int, pad: int) -> bytes:
        image = noise[: width * height]
        content = f"BT /F1 14 Tf 50 800 Td ({text}) Tj ET q 495 0 0 700 50 60 cm /Im1 Do Q".encode()
        objects = [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> "
            b"/XObject << /Im1 6 0 R >> >> /Contents 4 0 R >>",
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 "
            b"/Length %d >>\nstream\n" % (width, height, len(image)) + image + b"\nendstream",
        ]
        out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        if pad:
            out += b"%" + b"0" * (pad - 2) + b"\n"
        offsets = []
        for number, obj in enumerate(objects, start=1):
            offsets.append(len(out))
            out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
        out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
        out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
        return bytes(out)

    bare = len(build(1, 0)) - width
    height = max(1, (size - bare - 64) // width)
    if width * height > len(noise):
        raise ValueError("not enough noise bytes for a PDF of this size")
    first = build(height, 0)
    pad = size - len(first)
    if pad < 2:
        return first
    result = build(height, pad)
    # the digits of the xref offsets may have grown with the padding: trim the pad to fit
    return result if len(result) == size else build(height, pad - (len(result) - size))
