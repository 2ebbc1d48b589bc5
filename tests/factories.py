import datetime as dt

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import User
from courseapp.models import (
    Cohort,
    Course,
    Enrollment,
    LearningObjective,
    Reading,
    ReadingProgress,
    Session,
    Unit,
)

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if not create:
            return
        obj.save()
        EmailAddress.objects.create(
            user=obj, email=obj.email, primary=True, verified=extracted is not False
        )


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    slug = factory.Sequence(lambda n: f"course-{n}")
    title = factory.Sequence(lambda n: f"Course {n}")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    course = factory.SubFactory(CourseFactory)
    week = factory.Sequence(lambda n: n + 1)
    position = factory.LazyAttribute(lambda o: o.week)
    title = factory.Sequence(lambda n: f"Unit {n}")
    subtitle = "A subtitle"
    overview = "What this week is about."
    objectives_intro = "By the end of this week, fellows should be able to:"


class LearningObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LearningObjective

    unit = factory.SubFactory(UnitFactory)
    text = factory.Sequence(lambda n: f"Explain idea {n}")
    position = factory.Sequence(lambda n: n)


class ReadingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reading

    unit = factory.SubFactory(UnitFactory)
    tier = Reading.Tier.CORE
    title = factory.Sequence(lambda n: f"Reading {n}")
    authors = "A. Author"
    year = "2024"
    minutes = 20
    position = factory.Sequence(lambda n: n)


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    course = factory.SubFactory(CourseFactory)
    name = factory.Sequence(lambda n: f"Cohort {n}")
    timezone = "UTC"
    start_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=3))
    session_time = dt.time(17, 0)


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    cohort = factory.SubFactory(CohortFactory)
    unit = factory.SubFactory(UnitFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=3))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Cohorts and units schedule their sessions on save (courseapp/signals.py), so a session
        # for a pair that already has one moves it rather than violating the unique constraint.
        cohort, unit = kwargs.pop("cohort"), kwargs.pop("unit")
        session = model_class.objects.filter(cohort=cohort, unit=unit).first()
        session = session or model_class(cohort=cohort, unit=unit)
        for name, value in kwargs.items():
            setattr(session, name, value)
        session.save()
        return session


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    cohort = factory.SubFactory(CohortFactory)
    user = factory.SubFactory(UserFactory)
    role = Enrollment.Role.FELLOW
    status = Enrollment.Status.ACTIVE


class ReadingProgressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReadingProgress

    user = factory.SubFactory(UserFactory)
    reading = factory.SubFactory(ReadingFactory)
