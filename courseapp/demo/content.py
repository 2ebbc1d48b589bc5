"""The demo course: the real Week 3 unit of the course, loaded from the team's syllabus text."""

from pathlib import Path

from courseapp.models import Course, Reading
from courseapp.syllabus.parser import parse_syllabus
from courseapp.syllabus.services import syllabus_apply

SLUG = "ai-safety-fundamentals"
TITLE = "AI Safety Fundamentals"
SYLLABUS = Path(__file__).with_name("week-03-inner-alignment.txt")


def seed_content() -> Course:
    """Load the syllabus once. Later runs leave the course as it is (re-applying the text would
    archive what was added since: the demo's hosted chapter is not in the text file), except
    that readings without a link get the text's link, for demos seeded before readings had one."""
    course, created = Course.objects.get_or_create(slug=SLUG, defaults={"title": TITLE})
    document = parse_syllabus(SYLLABUS.read_bytes())
    if created or not course.units.exists():
        syllabus_apply(course=course, document=document)
        return course
    for week in document.weeks:
        for item in week.readings:
            Reading.objects.live().filter(
                unit__course=course, unit__week=week.number, title=item.title, url=""
            ).update(url=item.url)
    return course
