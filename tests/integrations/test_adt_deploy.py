"""The ADT listener is a process of its own wherever the service runs: the run command, the
systemd units and compose."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_runstack_starts_the_adt_listener() -> None:
    text = (ROOT / "tumorboard" / "management" / "commands" / "runstack.py").read_text()
    assert '"adt": [python, "manage.py", "adt_listener"]' in text


def test_systemd_runs_the_adt_listener() -> None:
    text = (ROOT / "deploy" / "systemd" / "tumorboard-adt.service").read_text()
    assert "ExecStart=/srv/tumorboard/.venv/bin/python manage.py adt_listener" in text


def test_compose_runs_the_adt_listener_and_publishes_its_port() -> None:
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())
    service = compose["services"]["adt"]
    assert service["command"] == ["adt"]
    assert service["environment"]["ADT_LISTEN_PORT"] == "2575"
    assert any(str(port).endswith(":2575") for port in service["ports"])
    entry = (ROOT / "deploy" / "docker-entrypoint.sh").read_text()
    assert "exec python manage.py adt_listener" in entry
