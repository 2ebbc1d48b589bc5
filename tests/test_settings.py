"""Start-up behaviour of the settings module, run in fresh interpreters with chosen environments."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "SECRET_KEY": "x" * 60 + "-a-long-random-production-secret",
    "DATABASE_URL": "postgres://app@db.internal:5432/app",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "ALLOWED_HOSTS": "fellowship.example.org",
    "SITE_URL": "https://fellowship.example.org",
}


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True
    )


def test_production_start_up_fails_naming_each_missing_variable():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k not in {"SECRET_KEY", "SITE_URL"}}

    result = _run(["manage.py", "check"], env)

    assert result.returncode != 0
    assert "Missing required environment variable(s) with DEBUG off: SECRET_KEY, SITE_URL" in (
        result.stderr
    )


def test_production_start_up_refuses_the_example_secret_key():
    env = {**PRODUCTION_ENV, "SECRET_KEY": "change-me-to-a-long-random-string"}

    result = _run(["manage.py", "check"], env)

    assert result.returncode != 0
    assert "SECRET_KEY is a published example value. Set your own" in result.stderr


def test_production_start_up_refuses_a_secret_key_under_50_characters():
    short = _run(["manage.py", "check"], {**PRODUCTION_ENV, "SECRET_KEY": "k" * 20 + "3v!x9"})
    repetitive = _run(["manage.py", "check"], {**PRODUCTION_ENV, "SECRET_KEY": "ab" * 40})

    assert short.returncode != 0
    assert "SECRET_KEY is too weak (25 characters, 6 different): use at least 50" in short.stderr
    assert repetitive.returncode != 0
    assert "SECRET_KEY is too weak (80 characters, 2 different)" in repetitive.stderr


def test_the_embedded_default_still_starts_with_a_short_or_example_key():
    for key in ("short", "change-me-to-a-long-random-string"):
        result = _run(["manage.py", "check"], {"DEBUG": "1", "SECRET_KEY": key})

        assert result.returncode == 0, result.stderr


def test_check_deploy_is_clean_with_production_settings():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_embedded_default_runs_tasks_eagerly_on_sqlite_with_console_email():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.EMAIL_BACKEND)"
    )

    result = _run(["-c", code], {"DEBUG": "1", "DJANGO_SETTINGS_MODULE": "courseapp.settings"})

    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "True",
        "django.core.mail.backends.console.EmailBackend",
    ]


def test_a_misspelt_yes_no_variable_stops_the_start_naming_it():
    result = _run(["manage.py", "check"], {**PRODUCTION_ENV, "HTTPS": "ture"})

    assert result.returncode != 0
    assert "HTTPS='ture' is not a yes/no value" in result.stderr


def test_a_number_variable_that_is_not_a_number_stops_the_start_naming_it():
    result = _run(["manage.py", "check"], {**PRODUCTION_ENV, "CONN_MAX_AGE": "sixty"})

    assert result.returncode != 0
    assert "CONN_MAX_AGE='sixty' is not a whole number" in result.stderr


def test_a_misspelt_allowed_network_for_the_link_check_stops_the_start():
    env = {**PRODUCTION_ENV, "LINK_CHECK_ALLOWED_NETWORKS": "10.20.0.0/16, 10.300.0.0/16"}

    result = _run(["manage.py", "check"], env)

    assert result.returncode != 0
    assert "LINK_CHECK_ALLOWED_NETWORKS: '10.300.0.0/16' does not appear to be" in result.stderr
    ok = _run(["manage.py", "check"], {**env, "LINK_CHECK_ALLOWED_NETWORKS": "10.20.0.0/16"})
    assert ok.returncode == 0, ok.stderr


def test_yes_and_no_are_read_in_their_usual_spellings():
    code = (
        "import django; django.setup(); from django.conf import settings as s; print(s.OPEN_SIGNUP)"
    )
    env = {**PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "courseapp.settings"}

    assert _run(["-c", code], {**env, "OPEN_SIGNUP": " Yes "}).stdout.strip() == "True"
    assert _run(["-c", code], {**env, "OPEN_SIGNUP": "off"}).stdout.strip() == "False"
