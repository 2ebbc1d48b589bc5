import json
import os
import re
import subprocess
import sys
from pathlib import Path


def login_code_from(body: str) -> str:
    """The sign-in code allauth puts on a line of its own, like ``JSWQ-FKSQ``."""
    return re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", body, re.M).group(1)


ROOT = Path(__file__).resolve().parent.parent


def run_on_demo_sqlite(tmp_path: Path, script: str) -> dict:
    """Run `script` (Python that prints one JSON line last) against a SQLite file database
    migrated and seeded as `make run` does it, in its own interpreter; what it printed."""
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    env |= {"DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    env |= {"DJANGO_SETTINGS_MODULE": "courseapp.settings"}
    for command in (["migrate", "-v0"], ["seed_demo"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True,
                       capture_output=True)  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])
