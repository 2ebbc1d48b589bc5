"""Property tests: well-formed syllabi round-trip; any damage is parsed or reported by line."""

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from courseapp.models import Reading
from courseapp.syllabus.parser import (
    ReadingItem,
    SyllabusDocument,
    SyllabusError,
    Week,
    parse_syllabus,
)
from courseapp.syllabus.writer import write_syllabus
from tests.courseapp.syllabus_samples import SEED

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ALPHABET = string.ascii_letters + string.digits + " :;,.!?'\"&-–é"
word = st.text(ALPHABET, min_size=1, max_size=24).map(str.strip).filter(bool)


def _plain(text: str) -> bool:
    """Text that cannot be mistaken for a heading, a week line or a list item."""
    return not (
        text[0] in "-(["
        or text.lower().startswith(
            ("week", "course", "overview", "learning", "core", "recommended", "further")
        )  # fmt: skip
        or text.rstrip(":").strip().lower().endswith("readings")
    )


line = word.filter(_plain)
title = st.builds(
    lambda text, paren: f"{text} ({paren}) {text}" if paren else text,
    line,
    st.one_of(st.none(), word),
)
authors = (
    st.text(string.ascii_letters + " &.", min_size=1, max_size=20)
    .map(str.strip)
    .filter(lambda text: text and "(" not in text)
)
year = st.one_of(st.just(""), st.integers(1900, 2099).map(str))
kind = st.one_of(st.none(), st.sampled_from(Reading.Kind.values))
minutes = st.one_of(st.none(), st.integers(1, 600))
url = st.one_of(
    st.just(""),
    st.builds(
        "{}://{}.example/{}".format,
        st.sampled_from(["http", "https", "HTTPS"]),
        st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True),
        st.from_regex(r"[A-Za-z0-9._~!$&'()*+,;=:@%/?#<>-]{0,30}", fullmatch=True),
    ),
)


@st.composite
def reading_items(draw, tier: int) -> list[ReadingItem]:
    return draw(
        st.lists(
            st.builds(ReadingItem, title, authors, year, st.just(tier), kind, minutes, url),
            max_size=4,
        )
    )


@st.composite
def weeks(draw, number: int) -> Week:
    paragraphs = draw(st.lists(line, min_size=0, max_size=3))
    return Week(
        number=number,
        title=draw(word),
        subtitle=draw(st.one_of(st.just(""), line)),
        overview="\n\n".join(paragraphs),
        objectives_intro=draw(st.one_of(st.just(""), line)),
        objectives=draw(st.lists(word, max_size=4)),
        readings=[item for tier in Reading.Tier.values for item in draw(reading_items(tier))],
    )


@st.composite
def documents(draw) -> SyllabusDocument:
    numbers = draw(st.lists(st.integers(1, 60), min_size=1, max_size=3, unique=True))
    return SyllabusDocument(
        weeks=[draw(weeks(number)) for number in numbers],
        course_title=draw(st.one_of(st.just(""), line)),
        final_newline=draw(st.booleans()),
        blank_between_weeks=len(numbers) == 1 or draw(st.booleans()),
    )


@FAST
@given(documents())
def test_it_round_trips_any_well_formed_syllabus(document):
    text = write_syllabus(document)

    parsed = parse_syllabus(text.encode("utf-8"))

    assert write_syllabus(parsed) == text
    assert parsed == document


@st.composite
def damaged(draw) -> bytes:
    lines = SEED.split(b"\n")
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["drop", "duplicate", "replace", "truncate", "bytes"]))
        if action == "drop" and len(lines) > 1:
            lines.pop(index)
        elif action == "duplicate":
            lines.insert(index, lines[index])
        elif action == "replace":
            lines[index] = draw(st.text(max_size=40)).encode("utf-8", "surrogatepass")
        elif action == "truncate":
            lines[index] = lines[index][: draw(st.integers(0, len(lines[index])))]
        else:
            lines[index] = draw(st.binary(max_size=12))
    return b"\n".join(lines)


@FAST
@given(damaged())
def test_it_parses_or_rejects_any_damaged_file_with_line_numbers(data):
    try:
        parse_syllabus(data)
    except SyllabusError as error:
        assert error.issues
        line_count = data.count(b"\n") + 1
        assert all(1 <= issue.line <= line_count for issue in error.issues)
        assert all(str(issue).startswith(f"line {issue.line}: ") for issue in error.issues)
