"""The compose set-up and the image, checked without Docker (Docker does not run on the build
machine): docker-compose.yml is valid against the Compose specification's JSON schema (vendored in
tests/ops/schema/, with its source and licence), and has the shape the README promises — only the
proxy publishes ports, gunicorn is reachable from the proxy alone, a one-off bootstrap job migrates,
restart policies, health checks for web, worker and beat, named volumes for the database and the
private files; the Dockerfile runs as a non-root user; .dockerignore keeps the host's files out."""

from __future__ import annotations

import json
import re
import runpy

import jsonschema
import pytest
import yaml
from django.conf import settings
from django.core.management import get_commands

from .helpers import ROOT

APP_SERVICES = ("web", "worker", "beat", "bootstrap")
LONG_RUNNING = ("proxy", "web", "worker", "beat", "db", "redis")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def _command(service: dict) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else command


def _healthcheck(service: dict) -> str:
    test = service["healthcheck"]["test"]
    return " ".join(test) if isinstance(test, list) else test


def test_valid_against_the_compose_specification(compose):
    schema = json.loads((ROOT / "tests" / "ops" / "schema" / "compose-spec.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema)
    errors = sorted(validator.iter_errors(compose), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)


def test_the_schema_would_see_a_mistake(compose):
    schema = json.loads((ROOT / "tests" / "ops" / "schema" / "compose-spec.json").read_text(encoding="utf-8"))
    broken = {
        **compose,
        "services": {**compose["services"], "web": {**compose["services"]["web"], "restart": {"policy": "always"}}},
    }
    assert list(jsonschema.Draft7Validator(schema).iter_errors(broken))
    typo = {**compose, "services": {**compose["services"], "web": {**compose["services"]["web"], "helthcheck": {}}}}
    assert list(jsonschema.Draft7Validator(schema).iter_errors(typo))


def test_only_the_proxy_publishes_ports(services):
    publishing = {name for name, service in services.items() if service.get("ports")}
    assert publishing == {"proxy"}
    ports = {str(p).split(":")[-2] if str(p).count(":") else str(p) for p in services["proxy"]["ports"]}
    assert "443" in ports


def test_gunicorn_is_reachable_from_the_proxy_only(services, compose):
    web = services["web"]
    assert "gunicorn" in _command(web) and "ports" not in web
    assert [str(p) for p in web.get("expose", [])] == ["8000"]
    # web shares a network with the proxy; the database and Redis do not
    assert set(services["proxy"]["networks"]) & set(web["networks"])
    for name in ("db", "redis"):
        assert not set(services[name]["networks"]) & set(services["proxy"]["networks"]), name
    assert set(compose["networks"]) >= set(web["networks"])


def test_a_one_off_job_migrates_before_the_others_start(services):
    bootstrap = services["bootstrap"]
    assert "manage.py bootstrap" in _command(bootstrap)
    assert bootstrap["restart"] == "no"
    assert "bootstrap" not in bootstrap["depends_on"]
    assert "bootstrap" in get_commands()
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["bootstrap"] == {"condition": "service_completed_successfully"}, name
        assert "migrate" not in _command(services[name]), name


def test_restart_policies(services):
    for name in LONG_RUNNING:
        assert services[name].get("restart") in ("unless-stopped", "always"), name


def test_health_checks_of_web_worker_and_beat(services):
    for name in LONG_RUNNING:
        assert services[name].get("healthcheck", {}).get("test"), name
    assert "/healthz" in _healthcheck(services["web"])
    assert "heartbeat_check worker" in _healthcheck(services["worker"])
    assert "heartbeat_check beat" in _healthcheck(services["beat"])
    assert "heartbeat_check" in get_commands()


def test_named_volumes_for_the_database_and_the_private_files(services, compose):
    assert {"pg-data", "private-files"} <= set(compose["volumes"])
    assert "pg-data:/var/lib/postgresql/data" in services["db"]["volumes"]
    for name in APP_SERVICES:
        service = services[name]
        assert "private-files:/data/private" in service["volumes"], name
        assert service["environment"]["PORTAL_PRIVATE_STORAGE"] == "/data/private"


def test_every_app_service_runs_the_production_settings_behind_the_proxy(services):
    for name in APP_SERVICES:
        env = services[name]["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == "portal.settings.production", name
        # the client's address is taken from X-Forwarded-For of the proxy's network only
        assert env["PORTAL_TRUSTED_PROXIES"] == "${PORTAL_EDGE_SUBNET:-172.30.0.0/24}", name
        assert env["DATABASE_URL"].startswith("postgres://") and env["REDIS_URL"].startswith("redis://"), name


def test_the_web_replicas_scale(services):
    """No fixed host port and no container_name: `docker compose up --scale web=2` works."""
    web = services["web"]
    assert "container_name" not in web and "ports" not in web
    assert "PROMETHEUS_MULTIPROC_DIR" in web["environment"]  # counters of all gunicorn workers


# ------------------------------------------------------------------ the proxy


@pytest.fixture(scope="module")
def nginx() -> str:
    return (ROOT / "deploy" / "nginx" / "templates" / "default.conf.template").read_text(encoding="utf-8")


def test_the_proxy_config_is_mounted(services):
    assert "./deploy/nginx/templates:/etc/nginx/templates:ro" in services["proxy"]["volumes"]
    assert any(v.endswith(":/etc/nginx/tls:ro") for v in services["proxy"]["volumes"])


def test_the_proxy_terminates_tls_and_redirects_http(nginx):
    assert re.search(r"listen 443 ssl", nginx)
    assert "ssl_certificate     /etc/nginx/tls/fullchain.pem;" in nginx
    assert "return 301 https://$host$request_uri;" in nginx


def test_the_proxy_sets_the_forwarded_headers_itself(nginx):
    for header in (
        "Host $host",
        "X-Real-IP $remote_addr",
        "X-Forwarded-For $remote_addr",
        "X-Forwarded-Proto $scheme",
        "X-Request-ID $portal_request_id",
    ):
        assert f"proxy_set_header {header};" in nginx, header
    assert "proxy_pass $portal_web;" in nginx and "http://web:8000" in nginx


def test_the_proxy_buffers_bodies_and_enforces_the_upload_size(nginx, services):
    assert "proxy_request_buffering on;" in nginx and "proxy_buffering on;" in nginx
    assert "client_max_body_size ${PORTAL_UPLOAD_LIMIT};" in nginx
    assert "client_body_timeout" in nginx
    limit = services["proxy"]["environment"]["PORTAL_UPLOAD_LIMIT"]
    default = re.fullmatch(r"\$\{PORTAL_UPLOAD_LIMIT:-(\d+)m\}", limit)
    assert default, limit
    # one file per request: the proxy lets the largest file the portal accepts through
    assert int(default.group(1)) * 1024 * 1024 > settings.PORTAL_UPLOAD_MAX_FILE_BYTES


# ------------------------------------------------------------------ the image


@pytest.fixture(scope="module")
def dockerfile() -> list[str]:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    return [
        line.strip()
        for line in text.replace("\\\n", " ").splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]


def test_the_image_runs_as_a_non_root_user(dockerfile):
    users = [line.split(None, 1)[1] for line in dockerfile if line.upper().startswith("USER ")]
    assert users, "no USER instruction: the image would run as root"
    assert users[-1].split(":")[0] not in ("root", "0")
    last_user = max(i for i, line in enumerate(dockerfile) if line.upper().startswith("USER "))
    assert not any(line.upper().startswith("RUN ") for line in dockerfile[last_user:]), "RUN after USER"
    assert any("useradd" in line and users[-1] in line for line in dockerfile)


def test_the_image_serves_with_gunicorn_and_does_not_migrate(dockerfile):
    cmd = next(line for line in reversed(dockerfile) if line.upper().startswith("CMD "))
    assert "gunicorn" in cmd and "deploy/gunicorn.conf.py" in cmd and "migrate" not in cmd
    assert any("uv sync --frozen" in line for line in dockerfile)
    assert any("DJANGO_SETTINGS_MODULE=portal.settings.production" in line for line in dockerfile)


def test_dockerignore_keeps_the_host_out():
    entries = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".venv", ".tools", "var", ".git", ".env"} <= entries


def test_gunicorn_settings():
    config = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    assert config["bind"] == "0.0.0.0:8000"  # inside the container, on the compose network
    assert config["accesslog"] is None  # the portal logs each request (JSON) itself
    assert callable(config["child_exit"]) and callable(config["on_starting"])
