"""Smoke tests: `make run`'s embedded default (SQLite, no Redis) serves the login page, and a
demo fellow marks a reading read and unread there (the write PostgreSQL does in one statement
takes steps on SQLite)."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.helpers import run_on_demo_sqlite

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_app_serves_the_login_page_on_sqlite(tmp_path):
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    env |= {"DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        body = _get_when_up(f"http://127.0.0.1:{port}/accounts/login/")
    finally:
        server.terminate()
        server.wait(timeout=10)

    assert "<h1>Sign in</h1>" in body
    assert 'name="password"' in body


def _get_when_up(url: str) -> str:
    deadline = time.monotonic() + 20
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


MARK_AND_UNMARK = """
import json, django
django.setup()
from django.test import Client
from django.urls import reverse
from accounts.models import User
from courseapp.week import selectors
from courseapp.demo import PASSWORD
from courseapp.models import ReadingProgress

fellow = next(u for u in User.objects.order_by("pk") if selectors.readings_open_to(user=u)
              .exclude(progress__user=u).exists() and not u.is_staff)
reading = selectors.readings_open_to(user=fellow).exclude(progress__user=fellow).first()
client = Client(SERVER_NAME="localhost")
assert client.login(email=fellow.email, password=PASSWORD)
url = reverse("reading_mark", args=[reading.pk])
rows = ReadingProgress.objects.filter(user=fellow, reading=reading)
version = lambda: User.objects.get(pk=fellow.pk).page_version
seen = {"version": version()}
marked = client.post(url, {"done": "1"}, headers={"HX-Request": "true"})
seen["marked"] = [marked.status_code, rows.count(), version()]
seen["row"] = 'class="reading is-done" id="reading-%d"' % reading.pk in marked.content.decode()
unmarked = client.post(url, {"done": "0"})
seen["unmarked"] = [unmarked.status_code, rows.count(), version()]
print(json.dumps(seen))
"""


def test_a_demo_fellow_marks_a_reading_on_sqlite(tmp_path):
    seen = run_on_demo_sqlite(tmp_path, MARK_AND_UNMARK)

    start = seen["version"]
    assert seen["marked"] == [200, 1, start + 1] and seen["row"]
    assert seen["unmarked"] == [302, 0, start + 2]
