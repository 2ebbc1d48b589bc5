"""docker-compose.yml stays a valid description of the full stack."""

import os
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _config() -> dict:
    result = subprocess.run(
        ["docker-compose", "config"],
        cwd=ROOT,
        env={**os.environ, "SECRET_KEY": "compose-test"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_it_runs_postgres_redis_web_worker_and_beat():
    services = _config()["services"]

    assert {"postgres", "redis", "web", "worker", "beat"} <= services.keys()
    assert services["worker"]["command"][:3] == ["celery", "-A", "courseapp"]
    assert "beat" in services["beat"]["command"]


def test_the_app_services_get_their_settings_from_the_environment():
    web = _config()["services"]["web"]["environment"]

    assert web["DATABASE_URL"].startswith("postgres://")
    assert web["REDIS_URL"] == "redis://redis:6379/0"
    assert web["SECRET_KEY"] == "compose-test"
    assert web["DEBUG"] == "0"
