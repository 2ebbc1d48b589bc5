"""Parse the course team's plain-text syllabus into dataclasses.

The format, one or several weeks (separated by a blank line)::

    Week 3: Inner Alignment
    Mesa-Optimization, Goal Misgeneralization, and Deceptive Alignment
    Overview
    One or more paragraphs.
    Learning Objectives
    By the end of Week 3, fellows should be able to:
    - Describe ...
    Core Readings
    - Title (Authors or organisation, Year)
    Recommended Readings
    - ...
    Further Readings
    - ...

The subtitle line and the objectives' lead-in line are optional. A reading's attribution is
its trailing parenthesised group; the year is the attribution's last ", "-separated part when
it looks like a year ("2024", "2024a"). Authors are kept exactly as written ("originally Evan
Hubinger", "Anthropic & Redwood Research", "Shah et al.").

Two optional, backwards-compatible extensions, which the team's own files never need:

- a first line ``Course: Title`` (then a blank line) names the course;
- a reading may end with a suffix in square brackets giving what an editor set by hand:
  ``- Title (Authors, 2024) [video, 25 min]``, ``[25 min]`` or ``[podcast]``;
- a reading may end with its web address in angle brackets, after any such suffix:
  ``- Title (Authors, 2024) [paper, 40 min] <https://example.org/x>``. Only http and https
  addresses are accepted; anything else in the brackets is an error naming its line.

Blank lines are ignored except inside an overview, where they separate paragraphs (a file whose
weeks follow each other without a blank line between them is remembered as such, so it is written
back the same). Windows line
endings and a UTF-8 byte order mark are accepted. Every problem is collected with its line
number and raised together as one SyllabusError, so a file is either wholly parsed or rejected.
"""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from courseapp.models import Reading, Unit
from courseapp.syllabus.estimates import estimate_minutes, infer_kind

SECTIONS = ("Overview", "Learning Objectives", "Core Readings", "Recommended Readings",
            "Further Readings")  # fmt: skip
READING_SECTIONS = {
    "Core Readings": Reading.Tier.CORE,
    "Recommended Readings": Reading.Tier.RECOMMENDED,
    "Further Readings": Reading.Tier.FURTHER,
}
WEEK_RE = re.compile(r"^Week\s+(\d+)\s*:\s*(.*)$", re.IGNORECASE)
COURSE_RE = re.compile(r"^Course\s*:\s*(.*)$", re.IGNORECASE)
YEAR_RE = re.compile(r"^\d{4}[a-z]?$")
SUFFIX_RE = re.compile(
    r"^\s*\[(?:(?P<kind>" + "|".join(Reading.Kind.values) + r"))?(?:,\s*)?"
    r"(?:(?P<minutes>\d{1,4})\s*min)?\]$"
)
MAX_WEEK = 32767
URL_SCHEMES = ("http", "https")


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


@dataclass(frozen=True)
class ReadingItem:
    title: str
    authors: str
    year: str = ""
    tier: int = Reading.Tier.CORE
    kind: str | None = None  # only when the file says so
    minutes: int | None = None  # only when the file says so
    url: str = ""
    line: int = field(default=0, compare=False)

    @property
    def attribution(self) -> str:
        return f"{self.authors}, {self.year}" if self.year else self.authors

    @property
    def effective_kind(self) -> str:
        return self.kind or infer_kind(title=self.title, authors=self.authors)

    @property
    def effective_minutes(self) -> int:
        return self.minutes or estimate_minutes(self.effective_kind)


@dataclass
class Week:
    number: int
    title: str
    subtitle: str = ""
    overview: str = ""
    objectives_intro: str = ""
    objectives: list[str] = field(default_factory=list)
    readings: list[ReadingItem] = field(default_factory=list)
    line: int = field(default=0, compare=False)

    def readings_in(self, tier: int) -> list[ReadingItem]:
        return [reading for reading in self.readings if reading.tier == tier]


@dataclass
class SyllabusDocument:
    weeks: list[Week] = field(default_factory=list)
    course_title: str = ""  # from the optional "Course: Title" line
    final_newline: bool = False  # the seed ends without one; remembered to write it back
    blank_between_weeks: bool = True  # False when no blank line separates any two weeks


@dataclass(frozen=True)
class SyllabusIssue:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class SyllabusError(Exception):
    def __init__(self, issues: list[SyllabusIssue]):
        self.issues = sorted(issues, key=lambda issue: issue.line)
        super().__init__("\n".join(str(issue) for issue in self.issues))


def decode(data: bytes) -> tuple[list[str], list[SyllabusIssue]]:
    """Split into lines, reporting each line that is not UTF-8 instead of giving up."""
    issues = []
    lines = []
    raw = data.removeprefix(b"\xef\xbb\xbf").replace(b"\r\n", b"\n").split(b"\n")
    for number, chunk in enumerate(raw, start=1):
        try:
            line = chunk.decode("utf-8")
        except UnicodeDecodeError:
            issues.append(SyllabusIssue(number, "not valid UTF-8 (save the file as UTF-8)"))
            line = chunk.decode("utf-8", errors="replace")
        if "\x00" in line:
            # PostgreSQL text cannot hold NUL; such a byte means a binary or UTF-16 file.
            issues.append(SyllabusIssue(number, "contains a NUL byte (is this a text file?)"))
            line = line.replace("\x00", "")
        lines.append(line)
    return lines, issues


def parse_syllabus(source: bytes | str) -> SyllabusDocument:
    if isinstance(source, str):
        source = source.encode("utf-8", errors="surrogatepass")
    lines, issues = decode(source)
    parser = _Parser(issues)
    document = parser.run(lines)
    document.final_newline = source.endswith(b"\n")
    if parser.issues:
        raise SyllabusError(parser.issues)
    return document


def split_reading(text: str) -> tuple[str, str, str] | None:
    """`Title (Authors, Year)` -> (title, authors, year); None when there is no attribution."""
    if not text.endswith(")"):
        return None
    depth = 0
    for index in range(len(text) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(text[index], 0)
        if depth == 0:
            title, attribution = text[:index].rstrip(), text[index + 1 : -1].strip()
            if not title or not attribution:
                return None
            authors, _, year = attribution.rpartition(", ")
            if authors.strip() and YEAR_RE.match(year):
                return title, authors.strip(), year
            return title, attribution, ""
    return None


def _heading(line: str) -> str | None:
    key = line.strip().rstrip(":").strip().casefold()
    return next((name for name in SECTIONS if name.casefold() == key), None)


class _Parser:
    def __init__(self, issues: list[SyllabusIssue]):
        self.issues = list(issues)
        self.document = SyllabusDocument()
        self.week: Week | None = None
        self.section: str | None = None
        self.seen_sections: list[str] = []
        self.overview_lines: list[str] = []
        self.week_lines: dict[int, int] = {}
        self.previous_blank = False
        self.boundaries = {"blank": 0, "tight": 0}

    def error(self, line: int, message: str) -> None:
        self.issues.append(SyllabusIssue(line, message))

    def run(self, lines: list[str]) -> SyllabusDocument:
        for number, raw in enumerate(lines, start=1):
            self.line(number, raw.rstrip())
            self.previous_blank = not raw.strip()
        self.close_week(len(lines))
        self.document.blank_between_weeks = not (
            self.boundaries["tight"] and not self.boundaries["blank"]
        )
        if not self.document.weeks and not self.issues:
            self.error(1, "no week found (a week starts with a line like 'Week 1: Title')")
        return self.document

    def line(self, number: int, text: str) -> None:
        if match := WEEK_RE.match(text):
            return self.start_week(number, match)
        if number == 1 and (match := COURSE_RE.match(text)):
            self.document.course_title = match.group(1).strip()
            if not self.document.course_title:
                self.error(number, "the 'Course:' line needs a title")
            return None
        if (heading := _heading(text)) and self.week is not None:
            return self.start_section(number, heading)
        if self.section == "Overview":
            return self.overview_lines.append(text)
        if not text.strip():
            return None
        if self.week is None:
            return self.error(number, "text outside a week (a week starts with 'Week N: Title')")
        if self.section is None:
            return self.subtitle(number, text)
        if self.section == "Learning Objectives":
            return self.objective(number, text)
        return self.reading(number, text)

    def start_week(self, number: int, match: re.Match) -> None:
        if self.week is not None:
            self.boundaries["blank" if self.previous_blank else "tight"] += 1
        self.close_week(number)
        week_number, title = int(match.group(1)), match.group(2).strip()
        if not title:
            self.error(
                number, f"week {week_number} has no title (write 'Week {week_number}: Title')"
            )
        if not 0 < week_number <= MAX_WEEK:
            self.error(number, f"week number {week_number} is out of range (1 to {MAX_WEEK})")
        elif week_number in self.week_lines:
            first = self.week_lines[week_number]
            self.error(number, f"week {week_number} appears twice (first on line {first})")
        self.week_lines.setdefault(week_number, number)
        self.check_length(number, title, Unit, "title", "week title")
        self.week = Week(number=week_number, title=title, line=number)
        self.section, self.seen_sections, self.overview_lines = None, [], []

    def close_week(self, number: int) -> None:
        if self.week is None:
            return
        self.week.overview = "\n".join(self.overview_lines).strip("\n")
        for name in SECTIONS:
            if name not in self.seen_sections:
                self.error(self.week.line, f"week {self.week.number} has no '{name}' section")
        self.document.weeks.append(self.week)
        self.week = None

    def start_section(self, number: int, heading: str) -> None:
        if heading in self.seen_sections:
            self.error(number, f"'{heading}' appears twice in week {self.week.number}")
            return
        expected = SECTIONS.index(heading)
        if any(SECTIONS.index(seen) > expected for seen in self.seen_sections):
            self.error(number, f"'{heading}' is out of order (sections go {', '.join(SECTIONS)})")
        self.seen_sections.append(heading)
        self.section = heading

    def subtitle(self, number: int, text: str) -> None:
        if self.week.subtitle:
            self.error(number, "text outside a section (expected 'Overview')")
            return
        self.week.subtitle = text.strip()
        self.check_length(number, self.week.subtitle, Unit, "subtitle", "subtitle")

    def item(self, number: int, text: str) -> str | None:
        text = text.lstrip()
        if not text.startswith("-"):
            return None
        body = text[1:].strip()
        if not body:
            self.error(number, "empty list item")
        return body

    def objective(self, number: int, text: str) -> None:
        body = self.item(number, text)
        if body is None:
            if self.week.objectives_intro or self.week.objectives:
                self.error(number, "text outside a list item (objectives start with '- ')")
            else:
                self.week.objectives_intro = text.strip()
                self.check_length(number, text.strip(), Unit, "objectives_intro", "lead-in line")
        elif body:
            self.week.objectives.append(body)

    def reading(self, number: int, text: str) -> None:
        body = self.item(number, text)
        if body is None:
            self.error(number, "text outside a list item (readings start with '- ')")
            return
        if not body:
            return
        url, body = self.link(number, body)
        kind, minutes, body = self.suffix(body)
        parts = split_reading(body)
        if parts is None:
            self.error(number, "reading has no attribution; write '- Title (Authors, Year)'")
            return
        title, authors, year = parts
        self.check_length(number, title, Reading, "title", "reading title")
        self.check_length(number, authors, Reading, "authors", "attribution")
        tier = READING_SECTIONS[self.section]
        self.week.readings.append(
            ReadingItem(
                title, authors, year, tier, kind=kind, minutes=minutes, url=url, line=number
            )
        )

    def link(self, number: int, body: str) -> tuple[str, str]:
        """A trailing ` <address>`: the address and the rest. An attribution ends the line
        otherwise, so a last ` <` followed by no space, and by '>' or ':' or no final ')', can
        only be meant as a link (addresses may hold parentheses: `.../Foo_(bar)>`)."""
        start = body.rfind(" <")
        tail = body[start + 1 :]
        if start == -1 or " " in tail:
            return "", body
        if not (tail.endswith(">") or ":" in tail or not tail.endswith(")")):
            return "", body
        tail = tail[1:]
        rest = body[:start].rstrip()
        if not tail.endswith(">"):
            self.error(number, "the link has no closing '>' (write '<https://...>')")
            return "", rest
        url = tail[:-1]
        if url.split(":", 1)[0].lower() not in URL_SCHEMES or ":" not in url:
            self.error(number, f"link {url!r} is not an http or https address")
            return "", rest
        try:
            URLValidator(schemes=list(URL_SCHEMES))(url)
        except ValidationError:
            self.error(number, f"link {url!r} is not a valid web address")
            return "", rest
        self.check_length(number, url, Reading, "url", "link")
        return url, rest

    def suffix(self, body: str) -> tuple[str | None, int | None, str]:
        start = body.rfind(" [")
        if start == -1 or not body.endswith("]"):
            return None, None, body
        match = SUFFIX_RE.match(body[start:])
        if match is None or not (match.group("kind") or match.group("minutes")):
            return None, None, body
        minutes = int(match.group("minutes")) if match.group("minutes") else None
        return match.group("kind"), minutes or None, body[:start].rstrip()

    def check_length(self, number: int, value: str, model, name: str, label: str) -> None:
        limit = _max_length(model, name)
        if len(value) > limit:
            self.error(number, f"{label} is {len(value)} characters long (at most {limit})")
