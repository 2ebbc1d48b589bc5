"""Helpers for the fault tests: stop and start the suite's real Redis and Postgres, run the app
and a Celery worker as real subprocesses. Every wait is bounded; whatever a test stops or starts
is put back in a finally block.

.ci/with-services exports where its servers live (TEST_REDIS_PORT, TEST_PG_BINDIR, TEST_PGDATA,
TEST_PG_OPTS, TEST_SERVICES_DIR); these tests need it and say so when it is missing.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def service_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run the fault tests under .ci/with-services")
    return value


def wait_until(check, *, timeout: float, what: str, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while not (result := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)
    return result


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


# --- Redis --------------------------------------------------------------------------------------


def _redis_cli(port: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["redis-cli", "-p", port, *args], capture_output=True, text=True, timeout=5, check=False
    )


def redis_start(port: str) -> None:
    """The same command line as .ci/with-services, so the rest of the suite finds it unchanged."""
    work = service_env("TEST_SERVICES_DIR")
    subprocess.run(
        ["redis-server", "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly",
         "no", "--daemonize", "yes", "--pidfile", f"{work}/redis.pid", "--dir", work,
         "--logfile", f"{work}/redis.log"],
        check=True,
        timeout=10,
    )  # fmt: skip
    wait_until(lambda: _redis_cli(port, "ping").stdout.strip() == "PONG", timeout=10, what="redis")


@contextmanager
def redis_down():
    """Shut the suite's Redis down for the duration of the block, then start it again."""
    port = service_env("TEST_REDIS_PORT")
    _redis_cli(port, "shutdown", "nosave")
    try:
        wait_until(lambda: not port_open(int(port)), timeout=10, what="redis to stop")
        yield
    finally:
        if not port_open(int(port)):
            redis_start(port)


# --- Postgres -----------------------------------------------------------------------------------


def pg_ctl(*args: str, timeout: float = 30) -> None:
    command = [
        f"{service_env('TEST_PG_BINDIR')}/pg_ctl",
        "-D",
        service_env("TEST_PGDATA"),
        *args,
    ]
    if os.geteuid() == 0:  # pg_ctl refuses to run as root, as in .ci/with-services
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, check=True, timeout=timeout, capture_output=True)


def pg_start() -> None:
    log = f"{service_env('TEST_SERVICES_DIR')}/postgres.log"
    pg_ctl("-o", service_env("TEST_PG_OPTS"), "-l", log, "-w", "start")


def subprocess_database_url() -> str:
    """DATABASE_URL with the name of pytest-django's test database, for subprocesses."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{connection.settings_dict['NAME']}"))


# --- Subprocesses -------------------------------------------------------------------------------


def subprocess_env(**overrides: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": subprocess_database_url(), "PYTHONPATH": str(ROOT)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["DJANGO_SETTINGS_MODULE"] = "courseapp.settings"
    return {**env, **overrides}


def spawn(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    handle = log.open("ab")
    # Own process group: a kill reaches the whole server or worker and nothing else.
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
    )


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def celery_worker(*, queue: str, env: dict[str, str], log: Path) -> subprocess.Popen:
    command = [str(VENV_BIN / "celery"), "-A", "courseapp", "worker", "--pool=solo"]
    command += ["-Q", queue, "--loglevel=INFO", "--without-mingle", "--without-gossip"]
    command += ["--hostname", f"{queue}@%h"]
    return spawn(command, env, log)


def gunicorn(*, port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    command = [str(VENV_BIN / "gunicorn"), "courseapp.wsgi", "-b", f"127.0.0.1:{port}"]
    command += ["--workers", "1", "--timeout", "20", "--graceful-timeout", "2"]
    return spawn(command, env, log)


def show_log(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:] if log.exists() else "(no log)"
