"""The demo course: the real Week 3 unit of the course, loaded from the team's syllabus text."""

from pathlib import Path

from courseapp.models import Course
from courseapp.syllabus.parser import parse_syllabus
from courseapp.syllabus.services import syllabus_apply

SLUG = "ai-safety-fundamentals"
TITLE = "AI Safety Fundamentals"
SYLLABUS = Path(__file__).with_name("week-03-inner-alignment.txt")


def seed_content() -> Course:
    """Load the syllabus once. Later runs leave the course as it is: re-applying the text would
    archive what was added since (the demo's hosted chapter is not in the text file)."""
    course, created = Course.objects.get_or_create(slug=SLUG, defaults={"title": TITLE})
    if created or not course.units.exists():
        syllabus_apply(course=course, document=parse_syllabus(SYLLABUS.read_bytes()))
    return course
