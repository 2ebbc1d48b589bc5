"""Celery on `make run`'s embedded default: which broker the settings pick, and a real worker
with beat inside it (`worker -B`) on kombu's filesystem broker against SQLite, which sends the
demo's reminder and prints it on its console soon after it starts."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WORKER = ["-m", "celery", "-A", "courseapp", "worker", "-B", "--pool", "solo", "--loglevel=info",
          "--without-gossip", "--without-mingle", "--without-heartbeat"]  # fmt: skip
SHOW_CELERY = (
    "import json, django; django.setup(); from courseapp.celery import app; "
    "print(json.dumps([app.conf.broker_url, app.conf.task_always_eager, "
    "app.conf.broker_transport_options]))"
)

# `manage.py migrate` and `seed_demo` in one interpreter, with the suite's fast password hasher
# (the production one costs seconds for the demo's nine accounts).
MIGRATE_AND_SEED = """
import django
django.setup()
from django.conf import settings
from django.core.management import call_command
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
call_command("migrate", verbosity=0)
call_command("seed_demo")
"""


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    return env | {"DEBUG": "1", "DJANGO_SETTINGS_MODULE": "courseapp.settings", **extra}


def _celery_settings(env: dict[str, str]) -> list:
    done = subprocess.run([sys.executable, "-c", SHOW_CELERY], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=True)  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_with_no_broker_named_tasks_run_eagerly():
    broker, eager, _ = _celery_settings(_env())

    assert (broker, eager) == ("memory://", True)


def test_redis_url_makes_redis_the_broker():
    broker, eager, _ = _celery_settings(_env(REDIS_URL="redis://127.0.0.1:1/0"))

    assert (broker, eager) == ("redis://127.0.0.1:1/0", False)


def test_a_filesystem_broker_keeps_its_messages_in_one_folder_that_it_creates(tmp_path):
    folder = tmp_path / "celery"
    env = _env(CELERY_BROKER_URL="filesystem://", CELERY_FILESYSTEM_FOLDER=str(folder))

    broker, eager, options = _celery_settings(env)

    assert (broker, eager) == ("filesystem://", False)
    assert options["data_folder_in"] == options["data_folder_out"] == str(folder / "messages")
    assert options["processed_folder"] == str(folder / "processed")
    assert options["control_folder"] == str(folder / "control")
    assert all((folder / name).is_dir() for name in ("messages", "processed", "control"))


def test_a_worker_with_embedded_beat_prints_the_demo_reminder_soon_after_it_starts(tmp_path):
    env = _env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CELERY_BROKER_URL="filesystem://",
        CELERY_FILESYSTEM_FOLDER=str(tmp_path / "celery"),
        SITE_URL="http://127.0.0.1:8123",
    )
    subprocess.run([sys.executable, "-c", MIGRATE_AND_SEED], cwd=ROOT, env=env, check=True,
                   capture_output=True)  # fmt: skip
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        worker = subprocess.Popen([sys.executable, *WORKER], cwd=ROOT, env=env, stdout=out,
                                  stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    try:
        printed = _wait_for_text(log, "To: fellow.a3@example.org", worker)
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
        left = _wait_for_group_to_end(worker.pid)
    finally:
        _kill_group(worker.pid)

    assert "Task courseapp.reminders.tasks.reminders_sweep_task" in printed
    assert "Subject: Before " in printed
    assert "http://127.0.0.1:8123/units/" in printed
    # SIGTERM (what `make run` sends when runserver stops) stops its beat process too.
    assert "beat: Shutting down" in log.read_text()
    assert not left


def _wait_for_text(log: Path, text: str, worker: subprocess.Popen) -> str:
    # Beat alone would first sweep 15 minutes after it starts; the worker queues one at once.
    deadline = time.monotonic() + 90
    while text not in (printed := log.read_text()):
        assert worker.poll() is None, f"the worker stopped:\n{printed}"
        if time.monotonic() > deadline:  # a hang guard, not a speed check
            pytest.fail(f"no reminder printed within 90 s:\n{printed}")
        time.sleep(0.2)
    return printed


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_for_group_to_end(pgid: int) -> bool:
    """Whether any process of the worker's group is still there after a few seconds."""
    deadline = time.monotonic() + 10
    while _group_alive(pgid) and time.monotonic() < deadline:
        time.sleep(0.1)
    return _group_alive(pgid)


def _kill_group(pgid: int) -> None:
    if _group_alive(pgid):
        os.killpg(pgid, signal.SIGKILL)
