"""The demo's hosted chapter: a short chapter of our own, in the publisher's export shape."""

from pathlib import Path

from courseapp.chapters.services import chapter_import
from courseapp.models import Course, Reading

SAMPLE = Path(__file__).with_name("chapter-sample.md")


def seed_chapter(course: Course) -> Reading | None:
    """Host the sample chapter as a core reading of the course's first live unit (idempotent)."""
    unit = course.units.live().order_by("position", "week").first()
    if unit is None:
        return None
    return chapter_import(unit=unit, raw=SAMPLE.read_bytes(), tier=Reading.Tier.CORE)
