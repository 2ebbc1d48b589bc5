"""The embedded default holds concurrent use: 50 parallel mark-read toggles and 20 parallel
submits of one quiz attempt by one fellow, on a SQLite file database as `make run` has it, give
no server error and leave the data consistent."""

from tests.helpers import run_on_demo_sqlite

# Each thread has its own Client and so its own database connection (Django's connections are
# per thread), as the threads of runserver have.
IN_PARALLEL = """
import json, threading, django
django.setup()
from django.db import connection
from django.test import Client
from django.urls import reverse
from accounts.models import User
from courseapp.week import selectors
from courseapp.demo import PASSWORD
from courseapp.models import ReadingProgress
from quizzes import selectors as quiz_selectors
from quizzes.models import Attempt


fellow = next(u for u in User.objects.filter(is_staff=False).order_by("pk")
              if quiz_selectors.quizzes_open_to(user=u).exists())
reading = selectors.readings_open_to(user=fellow).first()
quiz = quiz_selectors.quizzes_open_to(user=fellow).first()


def clients(n):
    made = [Client(SERVER_NAME="localhost") for _ in range(n)]
    for client in made:
        client.raise_request_exception = False
        client.force_login(fellow)
    return made


def in_parallel(requests):
    statuses, barrier = [], threading.Barrier(len(requests))

    def run(request):
        barrier.wait()
        try:
            statuses.append(request().status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=[r]) for r in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


mark = reverse("reading_mark", args=[reading.pk])
toggles = [
    lambda c=c, i=i: c.post(mark, {"done": "1" if i % 2 else "0"}, headers={"HX-Request": "true"})
    for i, c in enumerate(clients(50))
]
seen = {"marks": in_parallel(toggles)}
seen["mark_rows"] = ReadingProgress.objects.filter(user=fellow, reading=reading).count()

starter = clients(1)[0]
starter.post(reverse("quiz_start", args=[quiz.pk]))
attempt = Attempt.objects.filter(user=fellow, quiz=quiz).latest("pk")
submit = reverse("attempt_submit", args=[attempt.pk])
seen["submits"] = in_parallel([lambda c=c: c.post(submit, {}) for c in clients(20)])
attempt.refresh_from_db()
seen["submitted"] = attempt.submitted_at is not None
seen["attempts"] = Attempt.objects.filter(user=fellow, quiz=quiz).count()
seen["answers"] = attempt.answers.count()
seen["questions"] = attempt.quiz.questions.filter(archived_at=None).count()
print(json.dumps(seen))
"""


def test_parallel_writes_by_one_fellow_give_no_error_on_sqlite(tmp_path):
    seen = run_on_demo_sqlite(tmp_path, IN_PARALLEL)

    assert len(seen["marks"]) == 50
    assert set(seen["marks"]) == {200}, seen["marks"]
    assert seen["mark_rows"] in (0, 1)
    assert len(seen["submits"]) == 20
    assert set(seen["submits"]) == {302}, seen["submits"]
    assert seen["submitted"] and seen["attempts"] == 1
    assert seen["answers"] == seen["questions"]
