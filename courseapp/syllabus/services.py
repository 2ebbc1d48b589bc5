"""Apply a parsed syllabus to a course in place, keeping the identity of what fellows touched.

Matching, so that progress, quiz answers and feedback stay attached:
- a week matches the course's unit with that week number (a live one, else the latest archived);
- an objective matches by its normalised text, else the unmatched live one at the same position;
- a reading matches, within its unit and across tiers, by normalised title; a retitled reading
  matches an unmatched live one with the same attribution, preferring the same tier and position.
Whatever the file no longer lists is archived, never deleted, and comes back (un-archived) if a
later file lists it again. Units the file does not mention are left alone, so a file holding one
week (see `export_syllabus --week`) can be edited and re-imported on its own. Fields the format
does not carry (note, hosted body) are never touched, nor a URL, minutes or kind set by an editor
unless the file gives them (so an older file without links keeps the links set since).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F, Model, Prefetch
from django.utils import timezone

from courseapp.models import Course, LearningObjective, Reading, Unit
from courseapp.syllabus.estimates import estimate_minutes, infer_kind
from courseapp.syllabus.parser import ReadingItem, SyllabusDocument, Week


@dataclass
class Change:
    action: str  # "add", "change", "archive" or "restore"
    what: str  # "week", "objective" or "reading"
    week: int
    label: str
    details: list[str] = field(default_factory=list)
    # Runs the change (given the editing user); None on the rows a new week's apply creates.
    apply: Callable[[Any], None] | None = field(default=None, repr=False, compare=False)

    def __str__(self) -> str:
        text = f"{self.action:<8} week {self.week} {self.what}: {self.label}"
        return f"{text} ({'; '.join(self.details)})" if self.details else text


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.changes)

    def count(self, action: str) -> int:
        return sum(1 for change in self.changes if change.action == action)

    @property
    def summary(self) -> str:
        counts = {action: self.count(action) for action in ("add", "change", "archive", "restore")}
        return ", ".join(f"{count} to {action}" for action, count in counts.items())

    def lines(self) -> list[str]:
        return [str(change) for change in self.changes]


def normalise(text: str) -> str:
    return re.sub(r"[\W_]+", " ", text.casefold()).strip()


def syllabus_plan(*, course: Course, document: SyllabusDocument) -> Plan:
    """What applying `document` would add, change, archive and restore; changes nothing."""
    units = _units_by_week(course)
    plan = Plan()
    for week in document.weeks:
        unit = units.get(week.number)
        if unit is None:
            _plan_new_week(plan, course, week)
        else:
            _plan_week(plan, unit, week)
    return plan


@transaction.atomic
def syllabus_apply(*, course: Course, document: SyllabusDocument, user=None) -> Plan:
    plan = syllabus_plan(course=course, document=document)
    options = {
        "final_newline": document.final_newline,
        "course_header": bool(document.course_title),
    }
    if not document.blank_between_weeks:
        options["blank_between_weeks"] = False
    if course.syllabus_format != options:
        course.syllabus_format = options
        _save(course, user)
    for change in plan.changes:
        if change.apply is not None:
            change.apply(user)
    return plan


def _save(instance: Model, user) -> None:
    if user is not None:
        instance._history_user = user
    instance.full_clean()
    instance.save()


def _units_by_week(course: Course) -> dict[int, Unit]:
    if course.pk is None:
        return {}
    live_first = F("archived_at").desc(nulls_first=True)
    units = (
        Unit.objects.filter(course=course)
        .order_by(live_first, "-pk")
        .prefetch_related(
            Prefetch("objectives", LearningObjective.objects.order_by(live_first, "position")),
            Prefetch("readings", Reading.objects.order_by(live_first, "tier", "position")),
        )
    )
    by_week: dict[int, Unit] = {}
    for unit in units:  # the live unit of a week, else its most recently archived one
        by_week.setdefault(unit.week, unit)
    return by_week


def _unit_values(week: Week) -> dict[str, Any]:
    return {
        "title": week.title,
        "subtitle": week.subtitle,
        "overview": week.overview,
        "objectives_intro": week.objectives_intro,
    }


def _reading_values(item: ReadingItem, position: int, reading: Reading | None) -> dict[str, Any]:
    values = {
        "tier": item.tier,
        "title": item.title,
        "authors": item.authors,
        "year": item.year,
        "position": position,
    }
    keep_kind = (
        reading is not None and item.kind is None and reading.kind != reading_inferred(reading)
    )
    kind = reading.kind if keep_kind else item.effective_kind
    values["kind"] = kind
    values["kind_stated"] = item.kind is not None or (keep_kind and reading.kind_stated)
    if item.url:
        values["url"] = item.url
    if item.minutes is not None:
        values.update(minutes=item.minutes, minutes_estimated=False)
    elif reading is None or reading.minutes_estimated:
        values.update(minutes=estimate_minutes(kind), minutes_estimated=True)
    return values


def reading_inferred(reading: Reading) -> str:
    return infer_kind(title=reading.title, authors=reading.authors)


def _diff(instance: Model, values: dict[str, Any]) -> list[str]:
    details = []
    for name, new in values.items():
        old = getattr(instance, name)
        if old != new:
            details.append(f"{name}: {_short(old)} → {_short(new)}")
    return details


def _short(value: Any) -> str:
    text = str(value)
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _updater(instance: Model, values: dict[str, Any], *, restore: bool = False):
    def apply(user) -> None:
        for name, value in values.items():
            setattr(instance, name, value)
        if restore:
            instance.archived_at = None
        _save(instance, user)

    return apply


def _archiver(instance: Model):
    def apply(user) -> None:
        instance.archived_at = timezone.now()
        _save(instance, user)

    return apply


def _change(plan: Plan, instance: Model, values: dict, *, what: str, week: int, label: str):
    details = _diff(instance, values)
    restore = instance.archived_at is not None
    if details or restore:
        action = "restore" if restore else "change"
        apply = _updater(instance, values, restore=restore)
        plan.changes.append(Change(action, what, week, label, details, apply))


def _plan_new_week(plan: Plan, course: Course, week: Week) -> None:
    def apply(user) -> None:
        unit = Unit(course=course, week=week.number, position=week.number, **_unit_values(week))
        _save(unit, user)
        for position, text in enumerate(week.objectives):
            _save(LearningObjective(unit=unit, text=text, position=position), user)
        for tier_position, item in _positions(week.readings):
            _save(Reading(unit=unit, **_reading_values(item, tier_position, None)), user)

    plan.changes.append(Change("add", "week", week.number, week.title, [], apply))
    for text in week.objectives:
        plan.changes.append(Change("add", "objective", week.number, text))
    for item in week.readings:
        plan.changes.append(Change("add", "reading", week.number, _item_label(item)))


def _positions(items: list[ReadingItem]) -> list[tuple[int, ReadingItem]]:
    seen: dict[int, int] = {}
    numbered = []
    for item in items:
        numbered.append((seen.get(item.tier, 0), item))
        seen[item.tier] = seen.get(item.tier, 0) + 1
    return numbered


def _item_label(item: ReadingItem) -> str:
    return f"{item.title} ({item.attribution}) [{Reading.Tier(item.tier).label}]"


def _plan_week(plan: Plan, unit: Unit, week: Week) -> None:
    _change(plan, unit, _unit_values(week), what="week", week=week.number, label=week.title)
    _plan_objectives(plan, unit, week)
    _plan_readings(plan, unit, week)


def _plan_objectives(plan: Plan, unit: Unit, week: Week) -> None:
    existing = list(unit.objectives.all())
    matched = _match(
        week.objectives, existing, key=normalise, existing_key=lambda o: normalise(o.text)
    )
    live_left = [o for o in existing if o.archived_at is None and o not in matched.values()]
    for index in range(len(week.objectives)):
        if index not in matched:
            same_place = next((o for o in live_left if o.position == index), None)
            if same_place is not None:
                matched[index] = same_place
                live_left.remove(same_place)
    for index, text in enumerate(week.objectives):
        objective = matched.get(index)
        values = {"text": text, "position": index}
        if objective is None:
            _plan_add(plan, LearningObjective(unit=unit, **values), "objective", week.number, text)
        else:
            _change(plan, objective, values, what="objective", week=week.number, label=text)
    _plan_archive(plan, live_left, "objective", week.number, lambda o: o.text)


def _plan_readings(plan: Plan, unit: Unit, week: Week) -> None:
    existing = list(unit.readings.all())
    items = _positions(week.readings)
    titles = [item.title for _, item in items]
    matched = _match(titles, existing, key=normalise, existing_key=lambda r: normalise(r.title))
    live_left = [r for r in existing if r.archived_at is None and r not in matched.values()]
    for index, (position, item) in enumerate(items):
        if index not in matched:
            retitled = _by_attribution(item, position, live_left)
            if retitled is not None:
                matched[index] = retitled
                live_left.remove(retitled)
    for index, (position, item) in enumerate(items):
        reading = matched.get(index)
        values = _reading_values(item, position, reading)
        label = _item_label(item)
        if reading is None:
            _plan_add(plan, Reading(unit=unit, **values), "reading", week.number, label)
        else:
            _change(plan, reading, values, what="reading", week=week.number, label=label)
    _plan_archive(plan, live_left, "reading", week.number, lambda r: f"{r.title} ({r.attribution})")


def _match(items: list, existing: list, *, key, existing_key) -> dict[int, Model]:
    """Item index -> existing row with the same key; live rows are listed (and win) first."""
    pool: dict[str, list[Model]] = {}
    for row in existing:
        pool.setdefault(existing_key(row), []).append(row)
    matched = {}
    for index, item in enumerate(items):
        candidates = pool.get(key(item))
        if candidates:
            matched[index] = candidates.pop(0)
    return matched


def _by_attribution(item: ReadingItem, position: int, live_left: list[Reading]) -> Reading | None:
    same = [r for r in live_left if normalise(r.attribution) == normalise(item.attribution)]
    in_place = [r for r in same if (r.tier, r.position) == (item.tier, position)]
    if in_place:
        return in_place[0]
    return same[0] if len(same) == 1 else None


def _plan_add(plan: Plan, instance: Model, what: str, week: int, label: str) -> None:
    def apply(user) -> None:
        _save(instance, user)

    plan.changes.append(Change("add", what, week, label, [], apply))


def _plan_archive(plan: Plan, rows: list, what: str, week: int, label) -> None:
    for row in rows:
        plan.changes.append(Change("archive", what, week, label(row), [], _archiver(row)))
