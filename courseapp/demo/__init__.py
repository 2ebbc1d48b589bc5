"""Demo content and accounts for `manage.py seed_demo`. Every step is idempotent.

Each area seeds its own part: accounts (demo logins), content (the real Week 3 unit from the
team's syllabus text), a hosted chapter, cohorts A and B with some progress (and attendance at
sessions already held), and the Week 3 quiz.
"""

from quizzes.demo import seed_quiz

from .accounts import LOGINS, PASSWORD, seed_accounts
from .attendance import seed_attendance
from .chapter import seed_chapter
from .cohorts import seed_cohorts
from .content import seed_content

__all__ = ["LOGINS", "PASSWORD", "seed"]


def seed() -> list[str]:
    summary = seed_accounts()
    course = seed_content()
    summary.append(f"Course “{course.title}” ({course.units.live().count()} unit)")
    chapter = seed_chapter(course)
    if chapter is not None:
        summary.append(f"Hosted chapter “{chapter.title}”")
    summary += seed_cohorts(course)
    summary += seed_attendance(course)
    summary += seed_quiz(course)
    return summary
