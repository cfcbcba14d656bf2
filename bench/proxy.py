"""The production reverse proxy on this machine, for a benchmark: nginx configured from the project's
own deploy/nginx/templates/default.conf.template (TLS, the forwarded headers, request bodies buffered
before gunicorn sees them, the upload limit), with only what names the compose network changed:

- the listening ports are loopback ports of the benchmark's choosing, not 80/443/8081;
- gunicorn is at 127.0.0.1:<port> instead of the compose service `web` (so no Docker resolver);
- the certificate is a throw-away self-signed one for 127.0.0.1 (made here with `cryptography`);
- the access log (the template's JSON lines) goes to a file the benchmark reads back;
- `http2 on;` (nginx ≥ 1.25.1) becomes the `http2` flag of `listen` on older nginx (Debian 12 has 1.22).

Each change is a replacement that must match the template exactly once, so a template that drifts
makes the benchmark stop with the line it no longer finds, rather than measure another proxy.
`bin/setup --with-bench` installs nginx where it is missing."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import re
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "deploy" / "nginx" / "templates" / "default.conf.template"


@dataclass(frozen=True)
class ProxyPorts:
    https: int
    http: int
    health: int
    upstream: int  # gunicorn's


def nginx_version(binary: str = "nginx") -> tuple[int, ...]:
    out = subprocess.run([binary, "-v"], capture_output=True, text=True, check=True).stderr
    m = re.search(r"nginx/(\d+)\.(\d+)\.(\d+)", out)
    if not m:
        raise SystemExit(f"cannot read the nginx version from {out!r}")
    return tuple(int(x) for x in m.groups())


def self_signed_certificate(folder: Path) -> Path:
    """fullchain.pem and privkey.pem for 127.0.0.1 in `folder`; returns the certificate's path
    (the client trusts it as its only authority)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "fullchain.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    private = folder / "privkey.pem"
    private.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    private.chmod(0o600)
    return folder / "fullchain.pem"


def _replace_once(text: str, old: str, new: str) -> str:
    count = text.count(old)
    if count != 1:
        raise SystemExit(
            f"{TEMPLATE.relative_to(ROOT)}: expected the line {old!r} once, found it {count} times; "
            "bench/proxy.py follows the template and needs updating with it"
        )
    return text.replace(old, new)


def site_config(
    *, ports: ProxyPorts, tls_dir: Path, access_log: Path, upload_limit: str, version: tuple[int, ...]
) -> str:
    """The template's server blocks, filled in as the nginx image does (${PORTAL_…} from the
    environment) and pointed at this machine."""
    text = TEMPLATE.read_text()
    text = text.replace("${PORTAL_SERVER_NAME}", "127.0.0.1 localhost")
    text = text.replace("${PORTAL_UPLOAD_LIMIT}", upload_limit)
    unfilled = re.search(r"\$\{[A-Z0-9_]+\}", text)
    if unfilled:
        raise SystemExit(
            f"{TEMPLATE.relative_to(ROOT)} names a variable bench/proxy.py does not fill in: {unfilled.group(0)}"
        )
    text = _replace_once(text, "resolver 127.0.0.11 valid=10s ipv6=off;", "# (no Docker resolver here)")
    text = _replace_once(text, "listen 80 default_server;", f"listen 127.0.0.1:{ports.http} default_server;")
    listen_tls = f"listen 127.0.0.1:{ports.https} ssl default_server;"
    if version < (1, 25, 1):  # `http2 on;` is newer than this nginx: the listen flag says the same
        text = _replace_once(text, "http2 on;", "# http2: on the listen line (nginx < 1.25.1)")
        listen_tls = f"listen 127.0.0.1:{ports.https} ssl http2 default_server;"
    text = _replace_once(text, "listen 443 ssl default_server;", listen_tls)
    text = _replace_once(text, "listen 127.0.0.1:8081;", f"listen 127.0.0.1:{ports.health};")
    text = _replace_once(
        text, "set $portal_web http://web:8000;", f"set $portal_web http://127.0.0.1:{ports.upstream};"
    )
    text = text.replace("/etc/nginx/tls/", f"{tls_dir}/")
    return text.replace("access_log /dev/stdout portal_json;", f"access_log {access_log} portal_json;")


def main_config(*, folder: Path, site: Path) -> str:
    """nginx.conf around the site: everything nginx writes (pid, logs, buffered bodies) in `folder`."""
    user = "user root;\n" if os.geteuid() == 0 else ""  # read the benchmark's own files as their owner
    return (
        f"{user}worker_processes auto;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log warn;\n"
        "events { worker_connections 4096; }\n"
        "http {\n"
        f"  include {_mime_types()};\n  default_type application/octet-stream;\n"
        "  sendfile on;\n"
        f"  client_body_temp_path {folder}/client_body;\n  proxy_temp_path {folder}/proxy;\n"
        f"  fastcgi_temp_path {folder}/fastcgi;\n  uwsgi_temp_path {folder}/uwsgi;\n"
        f"  scgi_temp_path {folder}/scgi;\n"
        f"  include {site};\n"
        "}\n"
    )


def _mime_types() -> str:
    for candidate in ("/etc/nginx/mime.types", "/usr/local/nginx/conf/mime.types"):
        if Path(candidate).exists():
            return candidate
    raise SystemExit("nginx's mime.types not found: is nginx installed? (bin/setup --with-bench)")


class Proxy:
    """nginx in the foreground of its own process group, started and stopped by the benchmark."""

    def __init__(self, *, folder: Path, ports: ProxyPorts, upload_limit: str = "25m"):
        self.binary = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(self.binary).exists():
            raise SystemExit("nginx is not installed: bin/setup --with-bench installs it")
        self.folder = folder
        self.ports = ports
        self.access_log = folder / "access.log"
        self.ca_file = self_signed_certificate(folder / "tls")
        self.version = nginx_version(self.binary)
        site = folder / "portal.conf"
        site.write_text(
            site_config(
                ports=ports,
                tls_dir=folder / "tls",
                access_log=self.access_log,
                upload_limit=upload_limit,
                version=self.version,
            )
        )
        self.conf = folder / "nginx.conf"
        self.conf.write_text(main_config(folder=folder, site=site))
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        check = subprocess.run(
            [self.binary, "-t", "-q", "-p", str(self.folder), "-c", str(self.conf)], capture_output=True, text=True
        )
        if check.returncode:
            raise SystemExit(f"nginx refused the configuration:\n{check.stderr}")
        self.proc = subprocess.Popen(
            [self.binary, "-p", str(self.folder), "-c", str(self.conf), "-g", "daemon off;"], start_new_session=True
        )
        import urllib.request

        for _ in range(50):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.ports.health}/nginx-health", timeout=1):
                    return
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.1)
        self.stop()
        raise SystemExit(f"nginx did not start: {(self.folder / 'error.log').read_text(errors='replace')[-2000:]}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGQUIT)  # graceful: finish the requests in flight
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def log_lines(self) -> list[dict]:
        """The access log's JSON lines (request_time, upstream_time, status, request_id, …)."""
        if not self.access_log.exists():
            return []
        rows = []
        for line in self.access_log.read_text(errors="replace").splitlines():
            try:
                rows.append(json.loads(line))
            except ValueError:
                continue
        return rows
