"""Demo content and accounts for `manage.py seed_demo`. Every step is idempotent.

Each area seeds its own part: accounts (demo logins), content (the Week 3 course), cohorts
(cohorts A and B with progress), and quizzes (the Week 3 quiz).
"""

from .accounts import LOGINS, PASSWORD, seed_accounts

__all__ = ["LOGINS", "PASSWORD", "seed"]


def seed() -> list[str]:
    summary = seed_accounts()
    return summary
