import random
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from courseapp.models import Course, Unit
from courseapp.platform import pagecache

from . import quiztext
from .grading import attempt_score, grade_answer
from .models import Answer, Attempt, Choice, Question, Quiz

MAX_WRITTEN_CHARS = 10_000
# The same 1 MB cap as the syllabus upload and the chapter importer: a quiz is a few kilobytes.
MAX_QUIZ_FILE_BYTES = 1_000_000


class QuizError(Exception):
    """A request the quiz rules refuse; the message is safe to show to the fellow."""


class AttemptLimitReached(QuizError):
    pass


class AttemptClosed(QuizError):
    pass


class AnswerRejected(QuizError):
    pass


@dataclass(frozen=True)
class Pick:
    """What a fellow entered for one question."""

    choice_ids: list[int] = field(default_factory=list)
    text: str = ""


def question_snapshot(question: Question, *, shuffle: bool = False) -> dict:
    choices = [
        {"id": c.pk, "text": c.text, "is_correct": c.is_correct, "feedback": c.feedback}
        for c in question.choices.all()
    ]
    if shuffle:
        random.shuffle(choices)
    return {
        "kind": question.kind,
        "prompt": question.prompt,
        "explanation": question.explanation,
        "model_answer": question.model_answer,
        "objectives": sorted(o.pk for o in question.objectives.all()),
        "choices": choices,
    }


@transaction.atomic
def attempt_start(*, quiz: Quiz, user: User) -> Attempt:
    """The fellow's open attempt, or a new one if attempts are left.

    The user's row is locked first so that two concurrent starts (two tabs, a double click)
    are serialised: the second sees the first's attempt instead of racing it to the limit.
    """
    User.objects.select_for_update().only("pk").get(pk=user.pk)
    attempts = Attempt.objects.filter(quiz=quiz, user=user)
    open_attempt = attempts.filter(submitted_at=None).first()
    if open_attempt:
        return open_attempt
    used = attempts.count()
    if used >= quiz.attempts_allowed:
        raise AttemptLimitReached("You have used all your attempts at this quiz.")
    questions = list(quiz.questions.live().prefetch_related("choices", "objectives"))
    if not questions:
        raise QuizError("This quiz has no questions yet.")
    if quiz.shuffle_questions:
        random.shuffle(questions)
    attempt = Attempt(quiz=quiz, user=user, number=used + 1)
    attempt.full_clean()
    attempt.save()
    Answer.objects.bulk_create(
        Answer(
            attempt=attempt,
            question=question,
            position=position,
            snapshot=question_snapshot(question, shuffle=quiz.shuffle_choices),
        )
        for position, question in enumerate(questions)
    )
    return attempt


def _locked_open(attempt: Attempt) -> Attempt:
    locked = Attempt.objects.select_for_update().select_related("quiz").get(pk=attempt.pk)
    if not locked.is_open:
        raise AttemptClosed("This attempt has already been submitted.")
    return locked


def _apply(answer: Answer, pick: Pick, now) -> None:
    offered = {choice["id"] for choice in answer.snapshot["choices"]}
    if not set(pick.choice_ids) <= offered:
        raise AnswerRejected("That choice does not belong to this question.")
    if answer.kind in (Question.Kind.SINGLE, Question.Kind.TRUE_FALSE) and len(pick.choice_ids) > 1:
        raise AnswerRejected("Pick one answer for this question.")
    if answer.kind == Question.Kind.WRITTEN and len(pick.text) > MAX_WRITTEN_CHARS:
        raise AnswerRejected(f"Keep written answers under {MAX_WRITTEN_CHARS:,} characters.")
    if "\x00" in pick.text:
        # As Django's form fields do: PostgreSQL text cannot hold NUL.
        raise AnswerRejected("Your answer contains a null character; remove it and save again.")
    answer.selected_choice_ids = sorted(set(pick.choice_ids))
    answer.written_text = pick.text.strip() if answer.kind == Question.Kind.WRITTEN else ""
    answer.saved_at = now


def _save_picks(attempt: Attempt, picks: dict[int, Pick]) -> list[Answer]:
    answers = {a.question_id: a for a in attempt.answers.filter(question_id__in=list(picks))}
    if set(picks) - set(answers):
        raise AnswerRejected("That question is not part of this attempt.")
    now = timezone.now()
    for question_id, pick in picks.items():
        _apply(answers[question_id], pick, now)
    fields = ["selected_choice_ids", "written_text", "saved_at"]
    Answer.objects.bulk_update(answers.values(), fields)
    pagecache.person_changed([attempt.user_id])
    return list(answers.values())


@transaction.atomic
def answers_save(*, attempt: Attempt, picks: dict[int, Pick]) -> list[Answer]:
    """Save answers to an open attempt as the fellow goes; all or nothing."""
    return _save_picks(_locked_open(attempt), picks)


@transaction.atomic
def attempt_submit(*, attempt: Attempt, picks: dict[int, Pick] | None = None) -> Attempt:
    """Save the last answers and grade the attempt, once.

    The attempt row is locked, so of two concurrent submits the second waits, then finds the
    attempt submitted and returns it unchanged: a double submit grades once.
    """
    locked = Attempt.objects.select_for_update().select_related("quiz").get(pk=attempt.pk)
    if not locked.is_open:
        return locked
    if picks:
        _save_picks(locked, picks)
    answers = list(locked.answers.all())
    for answer in answers:
        answer.is_correct, answer.score = grade_answer(answer.snapshot, answer.selected_choice_ids)
    Answer.objects.bulk_update(answers, ["is_correct", "score"])
    locked.score, locked.passed = attempt_score(
        (a.score for a in answers), pass_mark=locked.quiz.pass_mark
    )
    locked.submitted_at = timezone.now()
    locked.full_clean()
    locked.save(update_fields=["score", "passed", "submitted_at"])
    return locked


@transaction.atomic
def answer_self_rate(*, answer: Answer, rating: int) -> Answer:
    """A fellow rates their own written answer against the model answer (after the reveal)."""
    if answer.kind != Question.Kind.WRITTEN or answer.attempt.is_open:
        raise AnswerRejected("Only written answers of a submitted attempt can be self-rated.")
    if rating not in Answer.SelfRating.values:
        raise AnswerRejected("Choose one of the ratings offered.")
    answer.self_rating = rating
    answer.full_clean()
    answer.save(update_fields=["self_rating"])
    return answer


def _signature(question) -> tuple:
    """What a question says, for matching imported questions against existing ones."""
    return (
        question.kind,
        question.prompt,
        question.explanation,
        question.model_answer,
        tuple(question.objectives),
        tuple((c.text, c.is_correct, c.feedback) for c in question.choices),
    )


def _live_signature(question: Question, numbers: dict[int, int]) -> tuple:
    parsed = quiztext.ParsedQuestion(
        kind=question.kind,
        prompt=question.prompt,
        explanation=question.explanation,
        model_answer=question.model_answer,
        objectives=sorted(numbers.get(o.pk, 0) for o in question.objectives.all()),
        choices=[
            quiztext.ParsedChoice(c.text, c.is_correct, c.feedback) for c in question.choices.all()
        ],
    )
    return _signature(parsed)


def _unit_for(course: Course, parsed: quiztext.ParsedQuiz) -> Unit:
    unit = course.units.live().filter(week=parsed.week).first()
    if unit is None:
        raise quiztext.QuizFormatError(
            [(parsed.week_line, f"the course {course.slug!r} has no week {parsed.week}")]
        )
    return unit


def _check_objective_numbers(parsed: quiztext.ParsedQuiz, count: int) -> None:
    errors = [
        (q.objectives_line, f"objective {n} does not exist; the unit has {count} objective(s)")
        for q in parsed.questions
        for n in q.objectives
        if n > count
    ]
    if errors:
        raise quiztext.QuizFormatError(errors)


QUIZ_SETTINGS = (
    "title",
    "intro",
    "pass_mark",
    "attempts_allowed",
    "shuffle_questions",
    "shuffle_choices",
    "reveal",
)


@dataclass
class QuizPlan:
    """What importing a quiz file will do, worked out without writing anything.

    Questions that match the file exactly are kept (so answers keep pointing at them) and may
    move; the others are retired (archived when fellows answered them, deleted otherwise) and
    the file's new or edited questions are added.
    """

    unit: Unit
    quiz: Quiz
    parsed: quiztext.ParsedQuiz
    objectives: list
    existing: list[Question]
    kept: list[tuple[Question, int]]
    added: list[tuple[quiztext.ParsedQuestion, int]]
    retired: list[Question]
    answered: set[int]
    before: dict  # the quiz's settings before the import, for an existing quiz

    @property
    def is_new(self) -> bool:
        return self.quiz.pk is None

    def objective_numbers(self, question: Question) -> list[int]:
        numbers = {objective.pk: n for n, objective in enumerate(self.objectives, start=1)}
        return sorted(numbers.get(o.pk, 0) for o in question.objectives.all())

    @property
    def summary(self) -> str:
        return (
            f"{self.unit}: {len(self.kept)} question(s) kept, {len(self.added)} added, "
            f"{len(self.retired)} retired"
        )


def quiz_plan(*, course: Course, text: str) -> QuizPlan:
    """Parse and validate a quiz file against the course and say what importing it would do.

    Reads only. Raises quiztext.QuizFormatError with line-numbered errors.
    """
    parsed = quiztext.parse(text)
    unit = _unit_for(course, parsed)
    objectives = list(unit.objectives.live().order_by("position", "pk"))
    _check_objective_numbers(parsed, len(objectives))
    quiz = Quiz.objects.filter(unit=unit).first() or Quiz(unit=unit)
    before = {attr: getattr(quiz, attr) for attr in QUIZ_SETTINGS} if quiz.pk else {}
    for attr in QUIZ_SETTINGS:
        setattr(quiz, attr, getattr(parsed, attr))
    _clean(quiz, line=1)
    existing = (
        list(quiz.questions.live().prefetch_related("choices", "objectives")) if quiz.pk else []
    )
    numbers = {objective.pk: n for n, objective in enumerate(objectives, start=1)}
    unmatched = {question.pk: question for question in existing}
    by_signature = {_live_signature(q, numbers): q for q in reversed(existing)}
    kept, added = [], []
    for position, parsed_question in enumerate(parsed.questions):
        match = by_signature.pop(_signature(parsed_question), None)
        if match is None:
            _check_question(parsed_question)
            added.append((parsed_question, position))
        else:
            kept.append((unmatched.pop(match.pk), position))
    retired = list(unmatched.values())
    answered = set(
        Answer.objects.filter(question__in=[q.pk for q in retired])
        .order_by()
        .values_list("question_id", flat=True)
        .distinct()
    )
    return QuizPlan(
        unit, quiz, parsed, objectives, existing, kept, added, retired, answered, before
    )


@transaction.atomic
def quiz_apply(*, plan: QuizPlan) -> Quiz:
    """Carry out a plan from quiz_plan (call both in one transaction to apply what was planned)."""
    quiz = plan.quiz
    quiz.save()
    pagecache.content_changed()  # the position updates below skip the save hooks
    for question, position in plan.kept:
        Question.objects.filter(pk=question.pk).update(position=position)
    for parsed_question, position in plan.added:
        _create_question(quiz, parsed_question, position, plan.objectives)
    _retire(plan.retired, answered=plan.answered)
    return quiz


@transaction.atomic
def quiz_import(*, course: Course, text: str) -> tuple[Quiz, list[str]]:
    """Create or update a unit's quiz from the plain-text format; all or nothing.

    Unchanged questions are kept (so answers keep pointing at them); changed or removed ones
    are archived when fellows answered them and deleted otherwise, and new ones are created.
    Raises quiztext.QuizFormatError with line-numbered errors.
    """
    plan = quiz_plan(course=course, text=text)
    return quiz_apply(plan=plan), [plan.summary]


def _clean(instance: Quiz | Question | Choice, *, line: int, exclude=None) -> None:
    """full_clean, with what it finds (e.g. a choice over its length limit) reported like
    the parser's errors, so an import fails only with QuizFormatError."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        name = instance._meta.verbose_name
        raise quiztext.QuizFormatError(
            [
                (line, f"{name} {field}: {' '.join(messages)}")
                for field, messages in error.message_dict.items()
            ]
        ) from None


def _question_rows(quiz: Quiz, parsed: quiztext.ParsedQuestion, position: int):
    question = Question(
        quiz=quiz,
        kind=parsed.kind,
        prompt=parsed.prompt,
        explanation=parsed.explanation,
        model_answer=parsed.model_answer,
        position=position,
    )
    choices = [
        Choice(question=question, position=index, **vars(choice))
        for index, choice in enumerate(parsed.choices)
    ]
    return question, choices


def _check_question(parsed: quiztext.ParsedQuestion) -> None:
    """Validate a question to be added before anything is written (the preview shows errors)."""
    question, choices = _question_rows(Quiz(), parsed, 0)
    _clean(question, line=parsed.line, exclude=["quiz"])
    for choice in choices:
        _clean(choice, line=parsed.line, exclude=["question"])


def _create_question(
    quiz: Quiz, parsed: quiztext.ParsedQuestion, position: int, objectives: list
) -> Question:
    question, choices = _question_rows(quiz, parsed, position)
    _clean(question, line=parsed.line)
    question.save()
    question.objectives.set([objectives[n - 1] for n in parsed.objectives])
    for choice in choices:
        choice.question = question
        _clean(choice, line=parsed.line)
        choice.save()
    return question


def _retire(questions: list[Question], *, answered: set[int]) -> int:
    pagecache.content_changed()
    Question.objects.filter(pk__in=answered).update(archived_at=timezone.now())
    Question.objects.filter(pk__in=[q.pk for q in questions if q.pk not in answered]).delete()
    return len(questions)
