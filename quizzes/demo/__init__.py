"""The demo Week 3 quiz, for `manage.py seed_demo` (the lead wires `seed_quiz` into it)."""

from pathlib import Path

from courseapp.models import Course

from ..services import quiz_import

QUIZ_FILE = Path(__file__).resolve().parent / "week-03-inner-alignment.quiz.txt"


def seed_quiz(course: Course) -> list[str]:
    """Import the Week 3 quiz into `course`; importing it again changes nothing."""
    if not course.units.live().filter(week=3).exists():
        return [f"Skipped the Week 3 quiz: {course} has no week 3 unit."]
    _quiz, summary = quiz_import(course=course, text=QUIZ_FILE.read_text(encoding="utf-8"))
    return [f"Week 3 quiz: {line}" for line in summary]
