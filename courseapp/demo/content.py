"""The demo course: the real Week 3 unit of the course, loaded from the team's syllabus text."""

from pathlib import Path

from courseapp.models import Course
from courseapp.syllabus.parser import parse_syllabus
from courseapp.syllabus.services import syllabus_apply

SLUG = "ai-safety-fundamentals"
TITLE = "AI Safety Fundamentals"
SYLLABUS = Path(__file__).with_name("week-03-inner-alignment.txt")


def seed_content() -> Course:
    """Idempotent: a second run finds nothing to add or change."""
    course, _ = Course.objects.get_or_create(slug=SLUG, defaults={"title": TITLE})
    syllabus_apply(course=course, document=parse_syllabus(SYLLABUS.read_bytes()))
    return course
