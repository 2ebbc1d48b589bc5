import pytest

from courseapp.models import Reading
from courseapp.syllabus.parser import SyllabusError, parse_syllabus, split_reading
from tests.courseapp.syllabus_samples import SEED, TWO_WEEKS, WITH_LINKS


def errors_of(text: bytes | str) -> list[str]:
    with pytest.raises(SyllabusError) as caught:
        parse_syllabus(text)
    return [str(issue) for issue in caught.value.issues]


def test_it_reads_the_seed_week_with_its_sections():
    document = parse_syllabus(SEED)

    [week] = document.weeks
    assert (week.number, week.title) == (3, "Inner Alignment")
    assert week.subtitle == "Mesa-Optimization, Goal Misgeneralization, and Deceptive Alignment"
    assert week.overview.startswith("Inner alignment asks whether")
    assert week.objectives_intro == "By the end of Week 3, fellows should be able to:"
    assert len(week.objectives) == 3
    tiers = [len(week.readings_in(tier)) for tier in Reading.Tier.values]
    assert tiers == [4, 5, 6]
    assert document.final_newline is False


def test_it_keeps_the_hard_attributions_as_written():
    readings = {item.title: item for item in parse_syllabus(SEED).weeks[0].readings}

    distillation = readings['Distillation of "How likely is deceptive alignment?"']
    assert (distillation.authors, distillation.year) == ("originally Evan Hubinger", "2022")
    assert readings["Alignment faking in large language models"].authors == (
        "Anthropic & Redwood Research"
    )
    assert readings["Emergent Misalignment: Narrow finetuning can produce broadly misaligned LLMs"]
    assert readings[
        "Optimal policies tend to seek power: NeurIPS spotlight presentation"
    ].authors == ("Turner et al.")


@pytest.mark.parametrize(
    ("line", "parts"),
    [
        ("Title (Alice, 2020)", ("Title", "Alice", "2020")),
        ("A (nested (deep)) title (Bob, 2021a)", ("A (nested (deep)) title", "Bob", "2021a")),
        ("Title: with colon (Org)", ("Title: with colon", "Org", "")),
        ("Title (Smith, Jones, 2019)", ("Title", "Smith, Jones", "2019")),
        ("Title (Smith, Jones)", ("Title", "Smith, Jones", "")),
        ("Title without attribution", None),
        ("(Only, 2020)", None),
        ("Title ()", None),
        ("Unbalanced (Alice, 2020))", None),
    ],
)
def test_it_takes_the_trailing_parenthesised_group_as_the_attribution(line, parts):
    assert split_reading(line) == parts


def test_it_reads_several_weeks_optional_lines_and_the_suffix():
    document = parse_syllabus(TWO_WEEKS)

    first, second = document.weeks
    assert first.overview == "First paragraph.\n\nSecond paragraph."
    assert first.readings[1].title == '"Quoted" (and parenthesised) title'
    assert first.readings_in(Reading.Tier.FURTHER) == []
    assert (second.subtitle, second.objectives_intro) == ("", "")
    talk = second.readings[0]
    assert (talk.kind, talk.minutes, talk.authors) == ("podcast", 55, "Dana et al.")
    assert (second.readings[1].kind, second.readings[1].minutes) == (None, 25)
    assert document.final_newline is True


def test_it_estimates_kind_and_minutes_when_the_file_gives_none():
    readings = parse_syllabus(SEED).weeks[0].readings

    kinds = {item.title.split(":")[0]: (item.effective_kind, item.effective_minutes)
             for item in readings}  # fmt: skip
    assert kinds["The OTHER AI Alignment Problem"] == ("video", 20)
    assert kinds["Optimal policies tend to seek power"] == ("video", 20)
    assert kinds["Sleeper Agents"] == ("paper", 40)
    assert kinds["ML systems will have weird failure modes"] == ("article", 20)


def test_it_accepts_windows_line_endings_and_a_byte_order_mark():
    document = parse_syllabus(b"\xef\xbb\xbf" + SEED.replace(b"\n", b"\r\n"))

    assert document.weeks[0].readings[-1].title == "Language Models as Agent Models"


def test_it_reports_every_problem_with_its_line_number():
    text = (
        b"Stray text before any week\n"  # 1
        b"Week 3: One\n"  # 2
        b"Overview\n"  # 3
        b"Words \xff\xfe here\n"  # 4
        b"Learning Objectives\n"  # 5
        b"- An objective\n"  # 6
        b"Core Readings\n"  # 7
        b"- A reading without attribution\n"  # 8
        b"not an item\n"  # 9
        b"Further Readings\n"  # 10
        b"Week 3: Again\n"  # 11
    )

    assert errors_of(text) == [
        "line 1: text outside a week (a week starts with 'Week N: Title')",
        "line 2: week 3 has no 'Recommended Readings' section",
        "line 4: not valid UTF-8 (save the file as UTF-8)",
        "line 8: reading has no attribution; write '- Title (Authors, Year)'",
        "line 9: text outside a list item (readings start with '- ')",
        "line 11: week 3 appears twice (first on line 2)",
        "line 11: week 3 has no 'Overview' section",
        "line 11: week 3 has no 'Learning Objectives' section",
        "line 11: week 3 has no 'Core Readings' section",
        "line 11: week 3 has no 'Recommended Readings' section",
        "line 11: week 3 has no 'Further Readings' section",
    ]


def test_it_reports_sections_out_of_order_and_text_between_sections():
    text = (
        SEED.decode()
        .replace("Overview\n", "An unexpected second subtitle\nOverview\n")
        .replace("Core Readings", "Further Readings", 1)
    )

    assert errors_of(text) == [
        "line 1: week 3 has no 'Core Readings' section",
        "line 3: text outside a section (expected 'Overview')",
        "line 16: 'Recommended Readings' is out of order (sections go Overview, Learning "
        "Objectives, Core Readings, Recommended Readings, Further Readings)",
        "line 22: 'Further Readings' appears twice in week 3",
    ]


def test_it_rejects_an_empty_file_and_a_binary_one():
    assert errors_of(b"") == [
        "line 1: no week found (a week starts with a line like 'Week 1: Title')"
    ]
    assert "line 1: contains a NUL byte (is this a text file?)" in errors_of(
        "Week 1: X".encode("utf-16")
    )


def test_it_rejects_a_title_longer_than_the_database_allows():
    text = SEED.decode().replace("Language Models as Agent Models", "L" * 501)

    assert errors_of(text) == ["line 27: reading title is 501 characters long (at most 500)"]


@pytest.mark.embedded
def test_it_reads_a_readings_link_after_its_suffix():
    first, second = parse_syllabus(WITH_LINKS).weeks
    sleeper, post = first.readings_in(Reading.Tier.CORE)
    assert (sleeper.title, sleeper.authors, sleeper.year) == (
        "Sleeper Agents: Training Deceptive LLMs",
        "Anthropic",
        "2024",
    )
    assert (sleeper.kind, sleeper.minutes, sleeper.url) == ("paper", 40, "https://example.org/x")
    assert (post.kind, post.url) == (None, "http://example.org/post?id=1&view=full#part-2")
    assert first.readings_in(Reading.Tier.RECOMMENDED)[0].url == ""
    assert second.readings[0].url == "https://example.org/talk"


@pytest.mark.embedded
@pytest.mark.parametrize(
    ("link", "problem"),
    [
        ("<ftp://example.org/x>", "link 'ftp://example.org/x' is not an http or https address"),
        ("<javascript:alert(1)>", "link 'javascript:alert(1)' is not an http or https address"),
        ("<https://example.org/x", "the link has no closing '>' (write '<https://...>')"),
        ("<https://>", "link 'https://' is not a valid web address"),
        ("<>", "link '' is not an http or https address"),
    ],
)
def test_it_rejects_a_link_that_is_not_a_web_address_and_names_its_line(link, problem):
    text = SEED.decode().replace("(Andreas, 2022)", f"(Andreas, 2022) [paper] {link}")

    assert errors_of(text) == [f"line 27: {problem}"]


@pytest.mark.embedded
def test_a_title_with_an_angle_bracket_is_not_a_link():
    text = SEED.decode().replace("(Andreas, 2022)", "<and more> (Andreas, 2022)")

    [item] = parse_syllabus(text).weeks[0].readings_in(Reading.Tier.FURTHER)[-1:]
    assert (item.title, item.url) == ("Language Models as Agent Models <and more>", "")
