"""Grading rules. Pure functions of an answer's snapshot and the fellow's picks; server side only.

- Single choice and true/false: correct (score 1) when exactly the one correct choice is picked,
  otherwise score 0.
- Multiple select: partial credit. With C the correct choices and S the picked ones,
  score = max(0, (|S ∩ C| - |S - C|) / |C|): each correct pick earns 1/|C|, each wrong pick
  takes 1/|C| away, never below 0. It counts as "correct" only when S == C exactly.
- Written answers are not graded: score and correctness stay empty, they are left out of the
  attempt's score, and facilitators read them (the fellow may rate their own against the model
  answer once answers are revealed). A facilitator's review later sets correctness to its
  verdict (meets the objective or not), which mastery counts; the score stays empty.
- An attempt's score is the mean of its scored questions' scores, in percent (unanswered
  questions score 0); it passes when score >= the quiz's pass mark. An attempt with no scored
  questions has no score and passes.
- Every page and export shows a score or mastery as a whole percent with halves rounded up
  (`rounded_percent`: 12.5 -> 13), the rule Django's `floatformat:"0"` applies in templates.
"""

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

WRITTEN = "written"


def grade_answer(snapshot: dict, selected_ids: Iterable[int]) -> tuple[bool | None, float | None]:
    if snapshot["kind"] == WRITTEN:
        return None, None
    correct = {choice["id"] for choice in snapshot["choices"] if choice["is_correct"]}
    picked = set(selected_ids)
    if snapshot["kind"] == "multiple":
        hits, misses = len(picked & correct), len(picked - correct)
        score = max(0.0, (hits - misses) / len(correct)) if correct else 0.0
        return picked == correct, score
    exact = picked == correct
    return exact, 1.0 if exact else 0.0


def attempt_score(scores: Iterable[float | None], *, pass_mark: int) -> tuple[float | None, bool]:
    scored = [score for score in scores if score is not None]
    if not scored:
        return None, True
    percent = round(100 * sum(scored) / len(scored), 1)
    return percent, percent >= pass_mark


def rounded_percent(percent: float) -> int:
    # Rounded to 9 places first so float noise (100 * 0.145 == 14.499999999999998) counts as
    # the half it stands for.
    return int(Decimal(str(round(percent, 9))).quantize(Decimal(1), rounding=ROUND_HALF_UP))
