import factory

from quizzes.models import Choice, Question, Quiz
from tests.factories import (
    CohortFactory,
    EnrollmentFactory,
    LearningObjectiveFactory,
    UnitFactory,
    UserFactory,
)


class QuizFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quiz

    unit = factory.SubFactory(UnitFactory)
    title = factory.Sequence(lambda n: f"Quiz {n}")
    pass_mark = 70
    attempts_allowed = 3


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question
        skip_postgeneration_save = True

    quiz = factory.SubFactory(QuizFactory)
    kind = Question.Kind.SINGLE
    prompt = factory.Sequence(lambda n: f"Question prompt {n}?")
    explanation = factory.Sequence(lambda n: f"Explanation secret {n}")
    position = factory.Sequence(lambda n: n)

    @factory.post_generation
    def objectives(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.objectives.set(extracted)


class ChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Choice

    question = factory.SubFactory(QuestionFactory)
    text = factory.Sequence(lambda n: f"Choice {n}")
    is_correct = False
    feedback = factory.Sequence(lambda n: f"Feedback secret {n}")
    position = factory.Sequence(lambda n: n)


def question_with_choices(quiz, *, kind=Question.Kind.SINGLE, correct=(0,), n=3, objectives=()):
    """A question of `kind` with `n` choices, those at the indexes in `correct` being right."""
    question = QuestionFactory(quiz=quiz, kind=kind, objectives=list(objectives))
    if kind == Question.Kind.TRUE_FALSE:
        texts = ["True", "False"]
    elif kind == Question.Kind.WRITTEN:
        texts = []
    else:
        texts = [f"Option {i} of {question.prompt}" for i in range(n)]
    for i, text in enumerate(texts):
        ChoiceFactory(question=question, text=text, is_correct=i in correct, position=i)
    return question


def fellow_for(unit, **enrollment):
    """A user who may open `unit` now: an active fellow of a self-paced cohort of its course."""
    cohort = CohortFactory(course=unit.course, pacing="self_paced")
    return EnrollmentFactory(cohort=cohort, user=UserFactory(), **enrollment).user


def quiz_with_objectives(*, objectives=3, **quiz_fields):
    unit = UnitFactory()
    objs = [LearningObjectiveFactory(unit=unit, position=i) for i in range(objectives)]
    return QuizFactory(unit=unit, **quiz_fields), objs


def choice_ids(question, *indexes):
    choices = list(question.choices.order_by("position"))
    return [choices[i].pk for i in indexes]
