"""`make bench`: the app under load at realistic scale, on this machine, in one run.

Run through `.ci/bench` (which starts a throwaway PostgreSQL and redis-server and sets
DATABASE_URL, REDIS_URL and SECRET_KEY). Steps:

1. migrate a template database, copy it, and fill the copy with `python -m bench.data` (default
   size);
2. collectstatic into a temporary STATIC_ROOT (manifest + compressed files, as in production);
3. sign in a fellow and the facilitators of the 50-, 200- and 1,000-fellow cohorts by writing
   their sessions with Django's session machinery (no login view, no password hashing);
4. serve the app with gunicorn (production settings: DEBUG off, persistent connections,
   manifest static files; HTTPS off on loopback) and check each page once: status, transfer
   size of its HTML, CSS and JS compressed, and that it loads nothing from another host;
5. drive each page with wrk for a few seconds (a warm-up second first), split into short runs
   each paired with a run of the trivial view just before it, since every page is judged
   against the trivial view's throughput (figures are medians over the runs: see load_all);
6. time a reminder sweep over 10,000 and 100,000 enrolments, each in a fresh database;
7. print the table and the targets.

The JSON under .bench/ is written again after each page and each sweep (marked incomplete until
the end), so a run stopped halfway keeps what it had measured.
"""

import argparse
import gzip
import json
import os
import platform
import re
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

BASE = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
LUA = Path(__file__).with_name("bench.lua")
OUT = BASE / ".bench"
TEMPLATE_DB, BENCH_DB = "bench_template", "bench"
SWEEP_FELLOWS_PER_COHORT = 500
SIZE_LIMIT_KB = 60
# A cohort page is opened by its few facilitators, not by crowds: load it with as many
# connections as workers, so the latency measured is the page's own, not time in a queue.
FACILITATORS = 2
MARKING_FELLOWS = 40
ASSET = re.compile(
    r"<(?:link[^>]*rel=\"(?:stylesheet|modulepreload|preload)\"|script)[^>]*?\s(?:href|src)=\"([^\"]+)\""
)
LOADS = re.compile(
    r"<(?:link|script|img|iframe|source|video|audio)\b[^>]*?\s(?:href|src)=\"([^\"]+)\""
)


def log(message: str) -> None:
    print(f"==> {message}", file=sys.stderr, flush=True)


@dataclass
class Target:
    name: str
    path: str
    cookie: str = ""
    method: str = "GET"
    body: str = ""
    csrf: str = ""
    connections: int | None = None
    # Revalidate: send the page's own ETag (If-None-Match), as the fellow's browser does on a
    # repeat view; the answer is 304 while nothing changed. Otherwise every request renders.
    revalidate: bool = False
    etag: str = ""
    # More (path, cookie) pairs: the load goes round them and this target's own, one per request.
    others: list = field(default_factory=list)
    page: dict = field(default_factory=dict)
    load: dict = field(default_factory=dict)


# --- Databases and commands ---------------------------------------------------------------------


def _server() -> str:
    return os.environ["DATABASE_URL"].rsplit("/", 1)[0]


def _database(name: str, *, template: str | None = None) -> None:
    import psycopg

    with psycopg.connect(f"{_server()}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def _analyze(name: str) -> None:
    """Planner statistics, as autovacuum keeps them on a live database. Straight after the bulk
    load there are none, and the planner scanned whole tables (the sweep's last-activity query
    read every reading mark for each batch of 1,000 fellows)."""
    import psycopg

    with psycopg.connect(f"{_server()}/{name}", autocommit=True) as conn:
        conn.execute("ANALYZE")


def _drop(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{_server()}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _env(db: str, **extra: str) -> dict:
    return {**os.environ, "DATABASE_URL": f"{_server()}/{db}", "DEBUG": "0", **extra}


def _python(db: str, *args: str, **extra: str) -> str:
    """Our Python from the repository root (`manage.py ...`, `-m bench.data`, `-m bench.sweep`)
    on database `db`: what it printed, or the run stops with its output."""
    command = [str(BIN / "python"), *args]
    done = subprocess.run(command, cwd=BASE, env=_env(db, **extra), capture_output=True, text=True)
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"python {' '.join(args)} failed")
    return done.stdout


# --- Who makes the requests ---------------------------------------------------------------------


def _signed_in(user, csrf: str) -> str:
    """A session cookie for this user, written through the configured session engine."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}; {settings.CSRF_COOKIE_NAME}={csrf}"


def _fellow_targets(cohort, csrf: str) -> list[Target]:
    """A fellow of the 200-fellow cohort (midway through the course), on this week's unit, one
    of its core readings, and the course's first quiz, in which they have an attempt open."""
    from django.urls import reverse

    from bench.dataset import fellow_view

    view = fellow_view(cohort)
    cookie = _signed_in(view.fellow, csrf)
    mark = reverse("reading_mark", args=[view.reading.pk])
    marking = Target("mark-read POST", mark, cookie, "POST", "next=%2F&done=", csrf)
    marking.others = _marks_by_others(cohort, view, csrf)
    home, unit = reverse("home"), reverse("unit_detail", args=[view.unit.pk])
    return [
        Target("fellow home", home, cookie),
        Target("fellow home, revalidated", home, cookie, revalidate=True),
        Target("unit page", unit, cookie),
        Target("unit page, revalidated", unit, cookie, revalidate=True),
        marking,
        Target("quiz page", reverse("quiz_detail", args=[view.quiz.pk]), cookie),
        Target("quiz attempt page", reverse("attempt_take", args=[view.attempt.pk]), cookie),
    ]


def _marks_by_others(cohort, view, csrf: str) -> list[tuple[str, str]]:
    """Other fellows of the cohort, each marking one of this week's readings: the mark-read load
    comes from MARKING_FELLOWS people, as it would, not from one person clicking one reading
    hundreds of times a second (which makes a hot spot of one row no real cohort has)."""
    from django.urls import reverse

    from courseapp.models import Enrollment, Reading

    readings = list(view.unit.readings.live().filter(tier=Reading.Tier.CORE).order_by("position"))
    fellows = (
        cohort.enrollments.filter(role=Enrollment.Role.FELLOW, status=Enrollment.Status.ACTIVE)
        .exclude(user=view.fellow)
        .select_related("user")
        .order_by("user_id")[: MARKING_FELLOWS - 1]
    )
    return [
        (reverse("reading_mark", args=[readings[i % len(readings)].pk]), _signed_in(e.user, csrf))
        for i, e in enumerate(fellows, start=1)
    ]


def _facilitator_targets(csrf: str) -> list[Target]:
    from django.urls import reverse

    from bench.dataset import facilitator_cohort_name
    from courseapp.models import Cohort, Enrollment

    targets = []
    for size in (50, 200, 1000):
        cohort = Cohort.objects.get(name=facilitator_cohort_name(size))
        host = cohort.enrollments.filter(role=Enrollment.Role.FACILITATOR).first().user
        cookie = _signed_in(host, csrf)
        page = reverse("cohort_detail", args=[cohort.pk])
        targets.append(Target(f"cohort page {size}", page, cookie, connections=FACILITATORS))
        if size >= 200:
            csv = reverse("cohort_export_csv", args=[cohort.pk])
            targets.append(Target(f"CSV export {size}", csv, cookie, connections=FACILITATORS))
    return targets


def prepare_targets() -> list[Target]:
    os.environ["DATABASE_URL"] = f"{_server()}/{BENCH_DB}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "courseapp.settings")
    import django

    django.setup()
    from django.db import connection
    from django.utils.crypto import get_random_string

    from bench.dataset import facilitator_cohort_name
    from courseapp.models import Cohort

    csrf = get_random_string(32)
    cohort = Cohort.objects.get(name=facilitator_cohort_name(200))
    targets = [Target("trivial view (robots.txt)", "/robots.txt")]
    targets += _fellow_targets(cohort, csrf) + _facilitator_targets(csrf)
    connection.close()
    return targets


# --- Serving ------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(port: int, static_root: str, workers: int) -> subprocess.Popen:
    env = _env(
        BENCH_DB,
        CONN_MAX_AGE="600",
        STATIC_MANIFEST="1",
        STATIC_ROOT=static_root,
        HTTPS="0",
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL=f"http://127.0.0.1:{port}",
        LOG_LEVEL="WARNING",
    )
    command = [str(BIN / "gunicorn"), "courseapp.wsgi:application", "--workers", str(workers)]
    command += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning"]
    server = subprocess.Popen(command, cwd=BASE, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/robots.txt", timeout=5)
            return server
        except OSError:
            time.sleep(0.2)
    stop(server)
    raise SystemExit("gunicorn did not answer within 30 s")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()


def _fetch(url: str, target: Target | None = None) -> tuple[int, dict, bytes]:
    headers = {"Accept-Encoding": "gzip"}
    data = None
    if target is not None:
        headers["Cookie"] = target.cookie
        if target.method == "POST":
            headers |= {"X-CSRFToken": target.csrf, "HX-Request": "true"}
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            data = (target.body + "1").encode()
    request = urllib.request.Request(
        url, data=data, headers=headers, method=target and target.method
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _gzipped_size(headers: dict, body: bytes) -> int:
    """Bytes on the wire compressed: as sent when the server compressed, else as gzip -6 would."""
    if headers.get("Content-Encoding") == "gzip":
        return len(body)
    return len(gzip.compress(body, compresslevel=6))


def check_page(base: str, target: Target) -> None:
    """One request: status, compressed size of the HTML and of the CSS and JS it loads, whether
    the server compressed them, and anything loaded from another host."""
    status, headers, body = _fetch(base + target.path, target)
    if target.revalidate and not headers.get("ETag"):
        raise SystemExit(f"{target.name}: the page carries no ETag to revalidate with")
    html = gzip.decompress(body) if headers.get("Content-Encoding") == "gzip" else body
    page = {"status": status, "html_bytes": len(html), "html_gz": _gzipped_size(headers, body)}
    page["html_served_gzip"] = headers.get("Content-Encoding") == "gzip"
    text = html.decode("utf-8", "replace")
    assets, foreign = [], []
    for url in LOADS.findall(text):
        if url.startswith(("http://", "https://", "//")) and not url.startswith(base):
            foreign.append(url)
    for url in dict.fromkeys(ASSET.findall(text)):
        if url.startswith("/"):
            code, asset_headers, asset = _fetch(base + url)
            served = asset_headers.get("Content-Encoding") == "gzip"
            assets.append({"url": url, "status": code, "gz": len(asset), "served_gzip": served})
            raw = gzip.decompress(asset) if served else asset
            foreign += re.findall(rb"url\(\s*['\"]?(https?://[^)'\"]+)", raw)
    page["assets"] = assets
    page["foreign"] = [u.decode() if isinstance(u, bytes) else u for u in foreign]
    page["total_gz"] = page["html_gz"] + sum(a["gz"] for a in assets)
    target.page = page


# --- Load ---------------------------------------------------------------------------------------


def wrk(base: str, target: Target, seconds: float, connections: int) -> dict:
    if target.revalidate:
        # The page's ETag as of now: the mark-read load changes the fellow's pages in between.
        target.etag = _fetch(base + target.path, target)[1].get("ETag", "")
    env = {
        **os.environ,
        "BENCH_METHOD": target.method,
        "BENCH_COOKIE": target.cookie,
        "BENCH_CSRF": target.csrf,
        "BENCH_BODY": target.body,
        "BENCH_IF_NONE_MATCH": target.etag,
    }
    if target.others:
        pairs = [(target.path, target.cookie), *target.others]
        env["BENCH_PATHS"] = "\n".join(path for path, _ in pairs)
        env["BENCH_COOKIES"] = "\n".join(cookie for _, cookie in pairs)
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s"]
    command += ["-s", str(LUA), base + target.path]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"wrk failed on {target.name}: {done.stdout}{done.stderr}")
    line = next(x for x in done.stdout.splitlines() if x.startswith("BENCH_JSON "))
    result = json.loads(line.removeprefix("BENCH_JSON "))
    result["rps"] = round(result["requests"] / result["seconds"], 1)
    return result


def _settle(base: str) -> None:
    """Wait until the server has worked off what a previous run left queued (wrk stops sending
    at its deadline, but slow pages already accepted keep the workers busy)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        started = time.monotonic()
        _fetch(base + "/robots.txt")
        if time.monotonic() - started < 0.05:
            return
        time.sleep(0.5)


def _load(
    base: str, trivial: Target, target: Target, each: int, connections: int, rounds: int
) -> list[dict]:
    """The page in `rounds` runs of `each` seconds, each straight after a run of the trivial view;
    sets the page's figures and returns the trivial view's runs."""
    own = target.connections or connections
    ceilings, runs, ratios = [], [], []
    for _ in range(rounds):
        ceiling = wrk(base, trivial, each, connections)
        _settle(base)
        run = wrk(base, target, each, own)
        _settle(base)
        if run["non_2xx"] or run["socket_errors"]:
            raise SystemExit(
                f"{target.name}: {run['non_2xx']} answers other than 2xx and "
                f"{run['socket_errors']} socket errors under load; its figures would not "
                "be the page's"
            )
        ceilings.append(ceiling)
        runs.append(run)
        ratios.append(run["rps"] / ceiling["rps"])
    ratio = round(statistics.median(ratios), 3)
    target.load = _medians(runs) | {"ratio": ratio, "connections": own}
    return ceilings


def load_all(
    base: str, targets: list[Target], seconds: int, connections: int, rounds: int, saved: Callable
) -> None:
    """Each page under load after a warm-up second, in `rounds` short runs, each straight after
    a run of the trivial view. A page's ratio is the median, over the rounds, of its rate over
    the trivial view's in the run just before it; its rate and latencies are the medians of its
    runs (its max the max). This machine's speed drifts by a third within a minute (a shared
    host): pairing each run with the ceiling measured beside it, and taking medians, keeps one
    slow stretch from deciding a page's figures. `saved()` runs after each page."""
    trivial, pages = targets[0], targets[1:]
    for target in targets:
        wrk(base, target, 1, target.connections or connections)
        _settle(base)
    each = max(1, int(seconds // rounds))  # wrk takes whole seconds
    ceilings = []
    for target in pages:
        log(f"load: {target.name} ({rounds} runs of {each:g} s, each after the trivial view)")
        ceilings += _load(base, trivial, target, each, connections, rounds)
        trivial.load = _medians(ceilings) | {"ratio": 1.0, "connections": connections}
        saved()
    if not pages:  # only the trivial view
        ceilings = [wrk(base, trivial, each, connections) for _ in range(rounds)]
        trivial.load = _medians(ceilings) | {"ratio": 1.0, "connections": connections}


def _medians(runs: list[dict]) -> dict:
    """One figure per measure over several wrk runs: medians, the max of maxima, sums of counts."""
    median = statistics.median
    return {
        "requests": sum(r["requests"] for r in runs),
        "seconds": round(sum(r["seconds"] for r in runs), 3),
        "rps": round(median(r["rps"] for r in runs), 1),
        "p50_ms": round(median(r["p50_ms"] for r in runs), 3),
        "p90_ms": round(median(r["p90_ms"] for r in runs), 3),
        "p99_ms": round(median(r["p99_ms"] for r in runs), 3),
        "max_ms": max(r["max_ms"] for r in runs),
        "non_2xx": sum(r["non_2xx"] for r in runs),
        "socket_errors": sum(r["socket_errors"] for r in runs),
        "runs": [{k: r[k] for k in ("rps", "p50_ms", "p99_ms")} for r in runs],
    }


# --- Reminder sweeps ----------------------------------------------------------------------------


def sweep(enrolments: int) -> dict:
    name = f"bench_sweep_{enrolments}"
    _database(name, template=TEMPLATE_DB)
    try:
        cohorts = max(1, enrolments // SWEEP_FELLOWS_PER_COHORT)
        started = time.monotonic()
        _python(
            name, "-m", "bench.data", f"--cohorts={cohorts}",
            f"--fellows-per-cohort={SWEEP_FELLOWS_PER_COHORT}", "--facilitator-cohorts=",
            "--timezones=UTC",
        )  # fmt: skip
        _analyze(name)
        generated = time.monotonic() - started
        out = _python(name, "-m", "bench.sweep")
        line = next(x for x in out.splitlines() if x.startswith("BENCH_JSON "))
        return {**json.loads(line.removeprefix("BENCH_JSON ")), "generated_s": round(generated, 1)}
    finally:
        _drop(name)


# --- Targets and the report ---------------------------------------------------------------------


def _verdict(name: str, measured: float, limit: float, *, above: bool = False) -> dict:
    """`above`: the measure must reach the limit; else it must stay under it. `margin` is how
    many times over (under) the limit we are: above 1 means the target is met."""
    ok = measured >= limit if above else measured < limit
    margin = (measured / limit if above else limit / measured) if measured else float("inf")
    return {"target": name, "measured": measured, "limit": limit, "ok": ok, "margin": margin}


def verdicts(targets: list[Target], sweeps: dict) -> list[dict]:
    """The issue's targets, for the pages this run loaded (`--pages` may have left some out)."""
    by = {t.name: t for t in targets}
    out = []
    # Throughput as a share of the trivial view's: every request rendered in full (as a first
    # view, or the view right after a mark), then the same pages revalidated by their ETag.
    rendered = {
        "fellow home": 0.15,
        "unit page": 0.10,
        "quiz page": 0.10,
        "quiz attempt page": 0.10,
        "cohort page 200": 0.03,
    }
    for name, share in rendered.items():
        if name in by:
            ratio = by[name].load["ratio"]
            out.append(_verdict(f"{name}: ratio of trivial", ratio, share, above=True))
    for name in ("fellow home, revalidated", "unit page, revalidated"):
        if name in by:
            ratio = by[name].load["ratio"]
            out.append(_verdict(f"{name}: ratio of trivial", ratio, 0.30, above=True))
            out.append(_verdict(f"{name}: p99 ms", by[name].load["p99_ms"], 25))
    if "mark-read POST" in by:
        out.append(_verdict("mark-read POST: p99 ms", by["mark-read POST"].load["p99_ms"], 20))
    if "cohort page 200" in by:
        p50_200 = by["cohort page 200"].load["p50_ms"]
        out.append(_verdict("cohort page 200: p50 ms", p50_200, 50))
        if "cohort page 1000" in by:
            ratio = round(by["cohort page 1000"].load["p50_ms"] / p50_200, 2)
            out.append(_verdict("cohort page 1000 / 200: p50 ratio", ratio, 5.01))
    for size, result in sweeps.items():
        if size >= 100_000:
            out.append(_verdict(f"reminder sweep {size:,}: seconds", result["seconds"], 20))
    if len(sweeps) > 1:
        per_batch = [r["queries"] / r["batches"] for r in sweeps.values()]
        out.append(_verdict("sweep queries per batch, largest / smallest", round(
            per_batch[-1] / per_batch[0], 2), 1.25))  # fmt: skip
    for target in targets:
        sized = target.name.startswith(("fellow", "unit", "quiz", "cohort"))
        if target.method == "GET" and sized and not target.revalidate:
            kb = round(target.page["total_gz"] / 1024, 1)
            out.append(_verdict(f"{target.name}: HTML+CSS+JS KB gzip", kb, SIZE_LIMIT_KB))
    foreign = sorted({u for t in targets for u in t.page.get("foreign", [])})
    out.append(_verdict("requests to other hosts", len(foreign), 1))
    return out


def table(targets: list[Target], sweeps: dict, judged: list[dict]) -> str:
    head = f"{'page':28} {'conns':>5} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>6}"
    lines = [head + f" {'KB gz':>7} {'KB html':>8}"]
    for t in targets:
        kb, html = t.page["total_gz"] / 1024, t.page["html_bytes"] / 1024
        lines.append(
            f"{t.name:28} {t.load['connections']:>5} {t.load['rps']:>8.0f} "
            f"{t.load['p50_ms']:>8.2f} {t.load['p99_ms']:>8.2f} {t.load['ratio']:>6.2f} "
            f"{kb:>7.1f} {html:>8.1f}"
        )
    for r in sweeps.values():
        lines.append(
            f"reminder sweep {r['enrolments']:,} enrolments: {r['seconds']} s, {r['queries']} "
            f"queries in {r['batches']} batches, {r['created']:,} reminders, {r['queued']:,} queued"
        )
    lines.append("")
    for v in judged:
        mark = "ok  " if v["ok"] else "MISS"
        lines.append(f"{mark} {v['target']:52} {v['measured']:>10} (limit {v['limit']}, "
                     f"x{v['margin']:.2f})")  # fmt: skip
    return "\n".join(lines)


def _output(*command: str) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return (done.stdout or done.stderr).strip().splitlines()[0]


def machine() -> dict:
    import django
    import psycopg

    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"model name\s*:\s*(.+)", cpuinfo)
    memory = re.search(r"MemTotal:\s*(\d+)", meminfo)
    with psycopg.connect(f"{_server()}/postgres") as conn:
        postgres = conn.execute("SHOW server_version").fetchone()[0]
    return {
        "nproc": os.cpu_count(),
        "memory_gb": round(int(memory.group(1)) / 1024 / 1024, 1) if memory else None,
        "cpu": model.group(1) if model else platform.processor(),
        "os": _output("sh", "-c", ". /etc/os-release && echo $PRETTY_NAME"),
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgresql": postgres,
        "redis": _output("redis-server", "--version"),
        "gunicorn": _output(str(BIN / "gunicorn"), "--version"),
        "wrk": _output("wrk", "-v"),
    }


# --- The run ------------------------------------------------------------------------------------


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seconds", type=int, default=5, help="load per page, split into --rounds (default 5)"
    )
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument(
        "--rounds", type=int, default=5, help="runs per page, --seconds split between them"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument(
        "--sweeps", default="10000,100000", help="enrolments per timed sweep ('' for none)"
    )
    parser.add_argument("--data", default="", help="extra `python -m bench.data` options, quoted")
    parser.add_argument(
        "--pages",
        default=".",
        help="regular expression on page names to load, e.g. 'unit|home' ('' for no pages); "
        "the trivial view is always loaded with them",
    )
    return parser.parse_args(argv)


class Results:
    """The run as JSON: .bench/bench-<start time>.json and .bench/latest.json, written again
    after each page and each sweep; `complete` turns true only when the run has finished."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        self.args = args
        self.machine = machine()
        self.targets: list[Target] = []
        self.sweeps: dict[int, dict] = {}
        self.path = OUT / f"bench-{self.stamp}.json"

    def save(self, *, complete: bool = False) -> list[dict]:
        """Write what is measured so far; returns the verdicts on it."""
        measured = [t for t in self.targets if t.load]
        judged = verdicts(measured, self.sweeps)
        result = {
            "when": self.stamp,
            "complete": complete,
            "options": vars(self.args),
            "machine": self.machine,
            "trivial_drift": _drift(measured[0], self.args.rounds) if measured else {},
            "pages": [_public(t) for t in measured],
            "sweeps": {str(k): v for k, v in self.sweeps.items()},
            "targets": judged,
        }
        text = json.dumps(result, indent=2, default=str)
        OUT.mkdir(exist_ok=True)
        for path in (self.path, OUT / "latest.json"):
            partial = path.with_suffix(".tmp")
            partial.write_text(text)
            partial.replace(path)  # a run killed mid-write leaves the previous file whole
        return judged


def _drift(trivial: Target, rounds: int) -> dict:
    rates = [run["rps"] for run in trivial.load["runs"]]
    return {"trivial_rps_min": min(rates), "trivial_rps_max": max(rates), "rounds": rounds}


def _public(target: Target) -> dict:
    """The target without the session cookies it was loaded with."""
    others = [path for path, _ in target.others]
    return asdict(target) | {"cookie": "", "csrf": "", "others": others}


def _web(args: argparse.Namespace, static_root: str, results: Results) -> None:
    chosen = re.compile(args.pages, re.IGNORECASE)
    trivial, *pages = prepare_targets()
    results.targets = [trivial] + [t for t in pages if chosen.search(t.name)]
    port = _free_port()
    server = serve(port, static_root, args.workers)
    base = f"http://127.0.0.1:{port}"
    try:
        for target in results.targets:
            check_page(base, target)
            if target.page["status"] != 200:
                raise SystemExit(f"{target.name}: {base}{target.path} answered {target.page}")
        load_all(base, results.targets, args.seconds, args.connections, args.rounds, results.save)
    finally:
        stop(server)


def main(argv: list[str] | None = None) -> None:
    args = _arguments(argv)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: run the benchmark through .ci/bench (make bench).")
    results = Results(args)
    log(f"results go to {results.path} and {OUT / 'latest.json'} as they are measured")
    log("migrating a template database")
    _database(TEMPLATE_DB)
    _python(TEMPLATE_DB, "manage.py", "migrate", "--noinput", "-v0")
    _database(BENCH_DB, template=TEMPLATE_DB)
    dataset = _python(BENCH_DB, "-m", "bench.data", *shlex.split(args.data))
    log("generating the dataset: " + dataset.strip())
    _analyze(BENCH_DB)
    static_root = tempfile.mkdtemp(prefix="bench-static-")
    try:
        _python(BENCH_DB, "manage.py", "collectstatic", "--noinput", "-v0", STATIC_MANIFEST="1",
                STATIC_ROOT=static_root)  # fmt: skip
        if args.pages:
            _web(args, static_root, results)
    finally:
        shutil.rmtree(static_root, ignore_errors=True)
    for size in [int(s) for s in args.sweeps.split(",") if s.strip()]:
        log(f"reminder sweep over {size:,} enrolments (generating them first)")
        results.sweeps[size] = sweep(size)
        results.save()
    judged = results.save(complete=True)
    print(table(results.targets, results.sweeps, judged), flush=True)
    log(f"written to {results.path} and {OUT / 'latest.json'}")


if __name__ == "__main__":
    main()
