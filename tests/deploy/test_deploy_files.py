"""The operator's files in deploy/: compose services and healthchecks, settings named in
.env.example, gunicorn's access log without query strings, Redis persistence, nginx and systemd."""

from __future__ import annotations

import os
import re
import runpy
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

BASE_DIR = Path(__file__).resolve().parents[2]
DEPLOY = BASE_DIR / "deploy"


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def test_compose_runs_web_worker_beat_postgresql_redis_and_nginx_with_healthchecks() -> None:
    services = compose()["services"]
    assert {"web", "worker", "beat", "postgres", "redis", "nginx"} <= set(services)
    assert services["postgres"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")
    for name in ("web", "worker", "beat", "postgres", "redis", "nginx"):
        assert services[name].get("healthcheck", {}).get("test"), name
    for name in ("web", "beat"):  # both read GET /health/ (deploy/healthcheck.py)
        assert "deploy/healthcheck.py" in services[name]["healthcheck"]["test"], name
    assert services["web"]["command"] == ["web"] and services["beat"]["command"] == ["beat"]
    assert "redis.conf" in " ".join(services["redis"]["command"])
    assert "--requirepass" in services["redis"]["command"]


def test_compose_validates_with_docker_compose(tmp_path: Path) -> None:
    candidates = [["docker", "compose"], ["docker-compose"]]
    for command in candidates:
        if shutil.which(command[0]) is None:
            continue
        probe = subprocess.run([*command, "version"], capture_output=True, text=True,
                               check=False, timeout=30)
        if probe.returncode == 0:
            break
    else:
        pytest.skip("neither the docker compose plugin nor docker-compose is installed "
                    "(the YAML is still checked by the test above)")
    # As an operator has it: deploy/.env made from the example (env_file needs it to exist).
    copy = tmp_path / "deploy"
    shutil.copytree(DEPLOY, copy, ignore=shutil.ignore_patterns(".env"))
    shutil.copy(DEPLOY / ".env.example", copy / ".env")
    result = subprocess.run(
        [*command, "-f", str(copy / "compose.yaml"), "--env-file", str(copy / ".env"),
         "config", "--quiet"],
        capture_output=True, text=True, check=False, timeout=60,
        env={k: v for k, v in os.environ.items() if not k.startswith("COMPOSE_")},
    )
    assert result.returncode == 0, result.stdout + result.stderr


def env_example_names() -> set[str]:
    text = (DEPLOY / ".env.example").read_text()
    return set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)[=:]", text, flags=re.MULTILINE))


def test_env_example_names_every_setting_read_from_the_environment() -> None:
    read = set()
    settings_parts = sorted((BASE_DIR / "tumorboard" / "settings").glob("*.py"))
    for path in (*settings_parts, DEPLOY / "gunicorn.conf.py"):
        read |= set(re.findall(
            r'(?:_env_(?:bool|int|list|url|public_url)\(|os\.environ\.get\()\s*"([A-Z][A-Z0-9_]+)"',
            path.read_text()))
    assert read, "the pattern found nothing: settings are read differently now"
    assert read - env_example_names() == set()


def test_gunicorn_logs_paths_without_query_strings(monkeypatch) -> None:
    monkeypatch.setenv("DEBUG", "false")
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    conf = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    fmt = conf["access_log_format"]
    assert "%(U)s" in fmt
    assert "%(q)s" not in fmt and "%(r)s" not in fmt and "%(f)s" not in fmt
    assert 2 <= conf["workers"] <= 9 and conf["max_requests_jitter"] > 0
    assert conf["logconfig_dict"]["formatters"]["json"]["()"] == "tumorboard.logging.JsonFormatter"


def test_redis_keeps_its_queue_across_a_crash_and_never_evicts() -> None:
    lines = {line.split()[0]: line.split(None, 1)[1]
             for line in (DEPLOY / "redis.conf").read_text().splitlines()
             if line.strip() and not line.startswith("#")}
    assert lines["appendonly"] == "yes" and lines["appendfsync"] == "everysec"
    assert lines["maxmemory-policy"] == "noeviction" and "requirepass" in lines


def test_nginx_terminates_tls_and_passes_the_proxy_headers() -> None:
    site = (DEPLOY / "nginx" / "tumorboard.conf").read_text()
    for needle in ("ssl_certificate ", "return 301 https://", "X-Forwarded-Proto $scheme",
                   "X-Forwarded-For", "client_max_body_size", "server_tokens off",
                   "location /static/"):
        assert needle in site, needle


def test_nginx_configs_are_accepted_by_nginx(tmp_path: Path) -> None:
    if shutil.which("nginx") is None or shutil.which("openssl") is None:
        pytest.skip("nginx is not installed here (the directives are checked above)")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=test", "-keyout", str(tmp_path / "privkey.pem"),
                    "-out", str(tmp_path / "fullchain.pem")],
                   check=True, capture_output=True, timeout=60)
    for name in ("tumorboard.conf", "compose.conf"):
        site = (DEPLOY / "nginx" / name).read_text()
        site = site.replace("/etc/ssl/tumorboard", str(tmp_path)).replace(
            "server web:8000", "server 127.0.0.1:8000")
        site = re.sub(r"/var/log/nginx/[\w.]+", str(tmp_path / "access.log"), site)
        (tmp_path / "site.conf").write_text(site)
        (tmp_path / "nginx.conf").write_text(
            f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
            f"http {{\n include /etc/nginx/mime.types;\n include {tmp_path}/site.conf;\n}}\n")
        result = subprocess.run(["nginx", "-t", "-c", str(tmp_path / "nginx.conf")],
                                capture_output=True, text=True, check=False, timeout=30)
        assert result.returncode == 0, f"{name}: {result.stderr}"


@pytest.mark.parametrize("unit", ["web", "worker", "webhooks", "beat", "adt"])
def test_systemd_units_restart_read_the_env_file_and_are_hardened(unit: str) -> None:
    text = (DEPLOY / "systemd" / f"tumorboard-{unit}.service").read_text()
    for needle in ("User=tumorboard", "EnvironmentFile=/etc/tumorboard/tumorboard.env",
                   "Restart=on-failure", "NoNewPrivileges=yes", "ProtectSystem=strict",
                   "PrivateTmp=yes", "ReadWritePaths=/var/lib/tumorboard"):
        assert needle in text, needle


def test_the_worker_unit_sets_fair_scheduling_and_a_warm_shutdown() -> None:
    text = (DEPLOY / "systemd" / "tumorboard-worker.service").read_text()
    assert "-O fair" in text and "--concurrency=" in text and "KillMode=mixed" in text


def test_webhook_deliveries_have_a_worker_of_their_own_everywhere() -> None:
    """Alerts never queue behind a slow webhook receiver (issue 16): the worker consumes the
    default queue only; the webhook worker, compose service and runstack consume "webhooks"."""
    from django.conf import settings

    assert settings.CELERY_TASK_ROUTES["integrations.tasks.deliver"]["queue"] == "webhooks"
    worker = (DEPLOY / "systemd" / "tumorboard-worker.service").read_text()
    hooks = (DEPLOY / "systemd" / "tumorboard-webhooks.service").read_text()
    assert "worker -Q celery " in worker and "webhooks" not in worker.split("ExecStart")[1]
    assert "-Q webhooks --pool=threads" in hooks
    services = compose()["services"]
    assert services["webhooks"]["command"] == ["webhooks"]
    entry = (DEPLOY / "docker-entrypoint.sh").read_text()
    assert '-Q "${CELERY_WEBHOOK_QUEUE:-webhooks}"' in entry
    assert '-Q "${CELERY_TASK_DEFAULT_QUEUE:-celery}"' in entry
    runstack = (DEPLOY.parent / "tumorboard" / "management" / "commands" / "runstack.py")
    assert "settings.CELERY_WEBHOOK_QUEUE" in runstack.read_text()
