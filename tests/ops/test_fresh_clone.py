"""A fresh clone reaches a running production shape by following the README alone (issue 15).

The repository's HEAD is cloned into a temporary folder; a `.env` is written from `.env.example`
(its own PostgreSQL database, Redis database and free port); the README's "Without Docker" blocks
are run as they are written — the first starts everything, the second stops it. In between:
`/readyz` answers 200 from gunicorn (database, Redis and the worker's heartbeat), the sign-in page
is served, and a letter queued by `manage.py demo_seed` is rendered by the worker.

Runs where PostgreSQL and Redis are reachable (CI: .ci/run sets DATABASE_URL and REDIS_URL); skipped
elsewhere, saying why. PORTAL_FRESH_CLONE_DB (default portal_fresh_clone) and
PORTAL_FRESH_CLONE_REDIS_DB (default 14) choose the databases it creates and empties."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
HOST = "portal.example.test"
MARK = "**Without Docker.**"
PIDS = ("web", "worker", "beat")


def _skip_reason() -> str | None:
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        return "needs PostgreSQL: DATABASE_URL is not a postgres:// URL (CI sets it)"
    if not os.environ.get("REDIS_URL", "").startswith("redis://"):
        return "needs Redis: REDIS_URL is not set (CI sets it)"
    if shutil.which("git") is None or not (REPO / ".git").exists():
        return "needs git and a git checkout to clone"
    return None


def readme_blocks(readme: str) -> tuple[str, str]:
    """The README's "Without Docker" blocks: the one that starts the portal and the one that stops it."""
    start = readme.index(MARK)
    blocks = re.findall(r"```bash\n(.*?)```", readme[start:], flags=re.S)
    assert len(blocks) >= 2, "the README's 'Without Docker' paragraph has lost its two bash blocks"
    return blocks[0], blocks[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _with_path(url: str, path: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _env_file(example: str, values: dict[str, str]) -> str:
    """.env.example with the values of this test set: the lines it has (commented or not) replaced in
    place, the others added at the end."""
    lines, seen = [], set()
    for line in example.splitlines():
        match = re.match(r"^#?\s*([A-Z][A-Z0-9_]*)=", line)
        if match and match.group(1) in values and match.group(1) not in seen:
            seen.add(match.group(1))
            lines.append(f"{match.group(1)}={values[match.group(1)]}")
        else:
            lines.append(line)
    lines += [f"{k}={v}" for k, v in values.items() if k not in seen]
    return "\n".join(lines) + "\n"


def _process_env() -> dict[str, str]:
    """The operator's shell: PATH, HOME and the package registries' settings; nothing of this test run
    (its settings module, databases, eager tasks) and never a uv environment pointing elsewhere."""
    keep = {
        k: v
        for k, v in os.environ.items()
        if k in ("PATH", "HOME", "USER", "TMPDIR", "http_proxy", "https_proxy", "no_proxy")
        or k.startswith(("PIP_", "UV_"))
    }
    keep.pop("UV_PROJECT_ENVIRONMENT", None)
    return {**keep, "LANG": "C.UTF-8"}


def _get(url: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Host": HOST, "X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - the clone's gunicorn
            return answer.status, answer.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")
    except OSError as error:
        return 0, str(error)


@pytest.fixture
def databases():
    """An empty PostgreSQL database and Redis database of the clone, removed afterwards."""
    import psycopg
    import redis

    name = os.environ.get("PORTAL_FRESH_CLONE_DB", "portal_fresh_clone")
    admin_url = _with_path(os.environ["DATABASE_URL"], "/postgres")
    redis_url = _with_path(os.environ["REDIS_URL"], f"/{os.environ.get('PORTAL_FRESH_CLONE_REDIS_DB', '14')}")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    redis.Redis.from_url(redis_url).flushdb()
    yield _with_path(os.environ["DATABASE_URL"], f"/{name}"), redis_url
    redis.Redis.from_url(redis_url).flushdb()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _bash(script: str, cwd: Path, env: dict[str, str], timeout: int) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _stop_leftovers(clone: Path) -> None:
    """What the stop block did not end (a failed run): the processes this test started, by pid."""
    for name in PIDS:
        pid_file = clone / "var" / "run" / f"{name}.pid"
        if not pid_file.exists():
            continue
        pid = int(pid_file.read_text().strip() or 0)
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.kill(pid, sig)
            except (ProcessLookupError, PermissionError):
                break
            for _ in range(50):
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.2)


def _logs(clone: Path) -> str:
    out = []
    for name in PIDS:
        log = clone / "var" / "log" / f"{name}.log"
        if log.exists():
            out.append(f"--- {name}.log\n" + log.read_text(errors="replace")[-3000:])
    return "\n".join(out)


@pytest.mark.skipif(_skip_reason() is not None, reason=_skip_reason() or "")
def test_a_fresh_clone_runs_in_production_shape_by_the_readme(databases, tmp_path):
    database_url, redis_url = databases
    clone = tmp_path / "portal"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True, timeout=300)
    start, stop = readme_blocks((clone / "README.md").read_text(encoding="utf-8"))
    port = _free_port()
    (clone / ".env").write_text(
        _env_file(
            (clone / ".env.example").read_text(encoding="utf-8"),
            {
                "DJANGO_SETTINGS_MODULE": "portal.settings.production",
                "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
                "DJANGO_ALLOWED_HOSTS": HOST,
                "PORTAL_SITE_URL": f"https://{HOST}",
                "DATABASE_URL": database_url,
                "REDIS_URL": redis_url,
                "PORTAL_PRIVATE_STORAGE": str(clone / "var" / "private"),
                "GUNICORN_BIND": f"127.0.0.1:{port}",
                "WEB_CONCURRENCY": "2",
                "PORTAL_TRUSTED_PROXIES": "127.0.0.1",
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(_free_port()),
                "EMAIL_USE_TLS": "false",
            },
        ),
        encoding="utf-8",
    )
    (clone / ".env").chmod(0o600)
    env = _process_env()
    base = f"http://127.0.0.1:{port}"
    try:
        run = _bash(start, clone, env, timeout=900)
        assert run.returncode == 0, f"the README's start block failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
        assert "Created ops@example.gov.cn" in run.stdout and "otpauth://" in run.stdout

        deadline, status, body = time.monotonic() + 120, 0, ""
        while time.monotonic() < deadline:
            status, body = _get(f"{base}/readyz")
            if status == 200:
                break
            time.sleep(2)
        assert status == 200, f"/readyz: {status} {body[:500]}\n{_logs(clone)}"

        status, body = _get(f"{base}/accounts/login/")
        assert status == 200 and "<form" in body, (status, body[:500])

        # a letter: demo_seed queues one (on commit, to Redis); the worker renders it
        seeded = _bash("set -a && . ./.env && set +a && .venv/bin/python manage.py demo_seed", clone, env, 600)
        assert seeded.returncode == 0, seeded.stdout[-2000:] + seeded.stderr[-2000:]
        count = (
            'set -a && . ./.env && set +a && .venv/bin/python manage.py shell -c "from reviews.models '
            "import Letter; print(Letter.objects.exclude(sha256='').filter(status='ready').count())\""
        )
        deadline, ready = time.monotonic() + 180, 0
        while time.monotonic() < deadline:
            answer = _bash(count, clone, env, 120)
            ready = int(answer.stdout.strip().splitlines()[-1]) if answer.returncode == 0 else 0
            if ready:
                break
            time.sleep(3)
        assert ready, f"no letter rendered by the worker\n{_logs(clone)}"

        stopped = _bash(stop, clone, env, timeout=60)
        assert stopped.returncode == 0, stopped.stderr
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and _get(f"{base}/healthz")[0] != 0:
            time.sleep(1)
        assert _get(f"{base}/healthz")[0] == 0, "gunicorn still answers after the stop block"
    finally:
        _stop_leftovers(clone)
        shutil.rmtree(clone, ignore_errors=True)  # its .venv is half a gigabyte
