"""docker-compose.yml stays a valid description of the full stack."""

import os
import subprocess
import tempfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def _run_config(**env: str) -> subprocess.CompletedProcess:
    # Only what the test passes: the suite's own HTTPS=0 or a developer's .env must not leak in.
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    with tempfile.NamedTemporaryFile(suffix=".env") as empty:
        return subprocess.run(
            ["docker-compose", "--env-file", empty.name, "config"],
            cwd=ROOT,
            env={**base, **env},
            capture_output=True,
            text=True,
        )


def _config(**env: str) -> dict:
    result = _run_config(SECRET_KEY="compose-test", SITE_URL="https://f.example.org", **env)
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


def test_the_stack_serves_https_only_unless_a_local_trial_turns_it_off():
    assert _config()["services"]["web"]["environment"]["HTTPS"] == "1"
    assert _config(HTTPS="0")["services"]["web"]["environment"]["HTTPS"] == "0"


def test_the_stack_does_not_start_without_a_secret_key_or_site_url():
    for missing in ("SECRET_KEY", "SITE_URL"):
        env = {"SECRET_KEY": "compose-test", "SITE_URL": "https://f.example.org"}
        del env[missing]

        result = _run_config(**env)

        assert result.returncode != 0
        assert f"set {missing} in .env" in result.stderr


def test_the_health_check_reaches_the_app_as_if_through_the_tls_proxy():
    probe = _config()["services"]["web"]["healthcheck"]["test"][-1]

    assert "/healthz" in probe and "'X-Forwarded-Proto': 'https'" in probe


@pytest.mark.embedded
def test_with_https_on_the_probe_gets_the_health_report_and_other_requests_a_redirect(
    client, settings, db
):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

    plain = client.get("/healthz")
    probe = client.get("/healthz", headers={"X-Forwarded-Proto": "https"})

    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    assert probe.status_code == 200 and probe.json()["status"] == "ok"
