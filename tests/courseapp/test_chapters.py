import contextlib
import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from courseapp.chapters.services import ChapterError, chapter_import, chapter_parse, chapter_text
from courseapp.demo.chapter import seed_chapter
from courseapp.models import Reading
from tests.factories import (
    CourseFactory,
    ReadingFactory,
    ReadingProgressFactory,
    UnitFactory,
    UserFactory,
)

SAMPLE = (Path(__file__).parents[1] / "fixtures" / "chapter-sample.md").read_bytes()
# Footnotes, images without a usable source, and closing quotes that lost their last byte.
DEFECTS = (Path(__file__).parents[1] / "fixtures" / "chapter-defects.md").read_bytes()


@pytest.fixture(scope="module")
def parsed():
    return chapter_parse(SAMPLE)


@pytest.fixture(scope="module")
def defects():
    return chapter_parse(DEFECTS)


def chapter(body: str, meta: str = "") -> str:
    grid = meta or (
        '<div class="meta-grid"><div class="meta-item"><div class="meta-label">Authors</div>'
        '<div class="meta-value">A. Writer</div></div></div>'
    )
    return f"# A Chapter\n\n{grid}\n\n{body}\n"


def meta_item(label: str, value: str) -> str:
    return (
        f'<div class="meta-grid">\n<div class="meta-label">Authors</div>'
        f'<div class="meta-value">A. Writer</div>\n<div class="meta-label">{label}</div>\n'
        f'<div class="meta-value">{value}</div>\n</div>'
    )


def test_it_takes_the_title_from_the_first_level_one_heading(parsed):
    assert parsed.title == "Chapter 99 - Sample Chapter for Tests"


def test_it_reads_authors_affiliations_and_acknowledgements_from_the_grid(parsed):
    assert parsed.authors == ["Test Writer", "Second Author"]
    assert parsed.affiliations == ["Example Institute, Sampletown", "Placeholder Lab"]
    assert parsed.acknowledgements == ["First Reviewer", "Second Reviewer"]
    assert parsed.attribution == "Test Writer, Second Author"


def test_it_reads_the_date_and_the_reading_time_with_its_tier(parsed):
    assert parsed.last_updated == dt.date(2024, 5, 17)
    assert parsed.year == "2024"
    assert (parsed.reading_time, parsed.minutes, parsed.tier_hint) == ("35 min (core)", 35, "core")


def test_it_keeps_only_http_links_from_also_available_on(parsed):
    assert parsed.links == [{"label": "Example Docs", "url": "https://example.org/sample-chapter"}]


def test_it_drops_the_site_chrome_blocks(parsed):
    for chrome in ("Watch", "Listen", "Feedback", "Audio Version", "Known Errors", "meta-grid"):
        assert chrome not in parsed.body_html
    assert "Test Writer" not in parsed.body_html
    assert "feedback-form" not in parsed.body_html


def test_it_strips_scripts_iframes_forms_handlers_styles_and_javascript_links(parsed):
    body = parsed.body_html.lower()
    for banned in ("<script", "<iframe", "<form", "<input", "<button", "onclick", "onmouseover"):
        assert banned not in body
    assert "style=" not in body
    assert 'href="javascript' not in body
    assert "inline script" not in body and "tracker.example.org" not in body
    assert "a raw javascript link" in body


def test_it_keeps_headings_lists_tables_links_images_quotes_and_code(parsed):
    body = parsed.body_html
    assert "<li>The first point is about <strong>training data</strong>.</li>" in body
    assert '<a href="https://example.org/reference" rel="noopener noreferrer">' in body
    assert "<th>Setting</th>" in body and "<td>Goes wrong</td>" in body
    assert '<img src="https://example.org/diagram.png" alt="diagram">' in body
    assert "<blockquote>" in body and '<pre><code>print("code block")' in body


def test_it_only_keeps_images_served_over_https(parsed):
    assert "http://example.org/insecure.png" not in parsed.body_html


def test_it_repairs_double_encoded_quotes(parsed):
    assert 'a “shortcut"' in parsed.body_html
    assert "â€" not in parsed.body_html


def test_it_repairs_closing_quotes_that_lost_their_last_byte_in_transit(defects):
    body = defects.body_html
    assert "a “shortcut” that works" in body
    assert "a “proxy”, and to a “goal”. So does" in body
    assert "the end of a line: “done”\nThe last one, “lost” in transit" in body
    assert "â€" not in body and "\N{REPLACEMENT CHARACTER}" not in body


def test_it_keeps_real_daggers_and_euro_signs_and_repairs_encoded_ones(defects):
    body = defects.body_html
    assert "Ada Writer† died" in body and "5 € or €5" in body
    assert "euro sign (€10)" in body
    assert "no-break space survived (†)" in body
    assert body.count("†") == 2


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("He said â€œhiâ€ and left.", "He said “hi” and left."),
        ("He said â€œhiâ€\n", "He said “hi”\n"),
        ("A dagger † and a euro € sign.", "A dagger † and a euro € sign."),
        ("Smith† and Jones", "Smith† and Jones"),
        ("A dagger (â€\N{NO-BREAK SPACE}) and a euro (â‚¬5).", "A dagger (†) and a euro (€5)."),
    ],
)
def test_chapter_text_repairs_lost_quote_bytes_without_touching_real_symbols(raw, text):
    assert chapter_text(raw.encode()) == text


def test_it_renders_markdown_footnotes_with_links_both_ways(defects):
    body = defects.body_html
    assert "[^1]" not in body and "[^terms]" not in body
    assert re.search(r'<sup class="footnote-ref"><a href="#fn1" id="fnref1"[^>]*>\[1\]</a>', body)
    assert re.search(r'<a href="#fn2" id="fnref2"[^>]*>\[2\]</a>', body)
    assert re.search(r'<a href="#fn1" id="fnref1:1"[^>]*>\[1\]</a>', body)
    note = re.search(r'<li id="fn1" class="footnote-item">(.*?)</li>', body, re.DOTALL)[1]
    assert "The first note, with a" in note
    assert re.search(r'<a href="#fnref1" class="footnote-backref" aria-label="Back to ', note)
    assert re.search(r'<a href="#fnref1:1" class="footnote-backref"', note)
    assert '<section class="footnotes">' in body
    assert body.index("Generalization is studied") < body.index("The first note, with a")


def test_every_in_page_link_has_exactly_one_target(defects):
    ids = re.findall(r' id="([^"]+)"', defects.body_html)
    assert len(ids) == len(set(ids))
    assert set(re.findall(r'href="#([^"]+)"', defects.body_html)) <= set(ids)


def test_footnote_ids_do_not_collide_with_heading_ids():
    result = chapter_parse(chapter("## fn1\n\nA claim.[^1]\n\n## fnref1\n\n[^1]: A note."))
    ids = re.findall(r' id="([^"]+)"', result.body_html)
    assert len(ids) == len(set(ids))
    assert {"fn1", "fnref1"} <= set(ids)
    assert [entry["id"] for entry in result.toc] == ["fn1-2", "fnref1-2"]


@pytest.mark.parametrize(
    "source",
    [
        "# A Chapter[^1]\n\n{grid}\n\nBody.\n\n[^1]: A note cited in the title.\n",
        "# A Chapter\n\n{grid}\n\n![a figure[^1]](https://e.org/f.png)\n\n[^1]: A note.\n",
    ],
)
def test_a_note_cited_where_no_link_can_stand_gets_no_dead_back_link(source):
    grid = chapter("").split("\n\n")[1]
    body = chapter_parse(source.format(grid=grid)).body_html
    assert "A note" in body
    assert set(re.findall(r'href="#([^"]+)"', body)) <= set(re.findall(r' id="([^"]+)"', body))


def test_the_footnote_markup_lets_no_author_attributes_through():
    body = chapter_parse(
        chapter(
            '<section class="footnotes danger" id="main" style="x" onclick="alert(1)">'
            '<ol class="footnotes-list"><li id="fn1" class="footnote-item evil">x</li></ol>'
            '</section>\n\n<a href="#top" class="footnote-backref" aria-label="Click me" '
            'id="anything">y</a>'
        )
    ).body_html
    for banned in ('id="main"', "danger", "evil", "style", "onclick", "Click me", "anything"):
        assert banned not in body


def test_it_drops_images_without_a_usable_source(defects):
    images = re.findall(r"<img[^>]*>", defects.body_html)
    assert images == ['<img src="https://example.org/figure.png" alt="a kept figure">']
    assert "An image with no source  and one with an unsafe source\n are dropped." in (
        defects.body_html
    )
    assert "<p></p>" not in defects.body_html


@pytest.mark.parametrize(
    "image",
    ['<img alt="a src=">', "<img alt='x src=\"y'>", '<img src=" https://e.org/x.png">'],
)
def test_an_image_whose_only_source_is_a_lookalike_is_dropped(image):
    assert "<img" not in chapter_parse(chapter(f"Some text.\n\n{image}")).body_html


def test_it_gives_headings_stable_unique_ids_and_a_contents_list(parsed):
    assert parsed.toc == [
        {"id": "introduction", "text": "Introduction", "level": 2},
        {"id": "a-short-list", "text": "A short list", "level": 3},
        {"id": "a-small-table", "text": "A small table", "level": 3},
        {"id": "a-short-list-2", "text": "A short list", "level": 3},
    ]
    assert '<h2 id="introduction">Introduction</h2>' in parsed.body_html
    assert '<h3 id="a-short-list-2">A short list</h3>' in parsed.body_html
    assert '<h4 id="a-nested-heading">' in parsed.body_html
    assert "<h1" not in parsed.body_html


def test_it_closes_gaps_in_the_heading_outline():
    result = chapter_parse(chapter("### Deep start\n\ntext\n\n##### Deeper\n\nmore"))
    assert [(e["text"], e["level"]) for e in result.toc] == [("Deep start", 2), ("Deeper", 3)]


def test_it_wraps_tables_in_a_focusable_scroll_region(parsed):
    assert '<div class="table-scroll" role="region" tabindex="0" aria-label="Table 1"><table>' in (
        parsed.body_html
    )


def test_it_estimates_minutes_from_the_length_when_the_grid_has_no_reading_time():
    result = chapter_parse(chapter(" ".join(["word"] * 1000)))
    assert result.minutes is None
    assert result.estimated_minutes == 5


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"Just some text\n\nwith no title heading.\n", "no title"),
        (b"## Only a subheading\n\ntext\n", "no title"),
        (b'# A Title\n\n<div class="meta-grid"></div>\n', "Line 1: the chapter has no body"),
        (b"# Title\n\nfine line\n\xe9t\xe9\n", "Line 4: the file is not UTF-8"),
        (b"# Title\n\ntext\x00binary\n", "binary"),
        (b"# Title\n\nBody text without a metadata grid.\n", "names no authors"),
        (b"", "no title"),
        (b"# Title\n\n" + b"word " * 200_001, "the file is too large"),
    ],
)
def test_it_rejects_files_that_are_not_chapters_with_a_clear_message(raw, message):
    with pytest.raises(ChapterError, match=message):
        chapter_parse(raw)


def test_it_rejects_an_unreadable_date_with_its_line_number():
    with pytest.raises(ChapterError, match=r"Line 6: the last-updated date 'soon'"):
        chapter_parse(chapter("Body.", meta_item("Last Updated", "soon")))


def test_it_rejects_an_unreadable_reading_time_with_its_line_number():
    with pytest.raises(ChapterError, match=r"Line 6: the reading time 'a while'"):
        chapter_parse(chapter("Body.", meta_item("Reading Time", "a while")))


def test_it_rejects_a_site_block_that_is_never_closed():
    with pytest.raises(ChapterError, match=r"Line 3: the site block <div>"):
        chapter_parse('# Title\n\n<div class="action-buttons">\n<a href="#">x</a>\n\nBody\n')


def test_it_reads_hours_in_the_reading_time():
    result = chapter_parse(chapter("Body.", meta_item("Reading Time", "1 h 20 min (further)")))
    assert (result.minutes, result.tier_hint) == (80, "further")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(), st.binary(), st.builds(chapter, st.text())))
def test_it_never_fails_with_anything_but_a_chapter_error(raw):
    with contextlib.suppress(ChapterError):
        chapter_parse(raw)


HTMLISH = st.lists(
    st.sampled_from(
        [
            '<div class="meta-grid">',
            "</div>",
            '<div class="meta-label">',
            '<div class="meta-value">',
            "Authors",
            "Reading Time",
            "Last Updated",
            "<![if x]>",
            "<!--",
            "-->",
            "<script>",
            "</a>",
            '<a href="javascript:x">',
            "# T\n",
            "\n\n",
            "## H\n",
            "| a |\n|---|\n",
            "&amp;",
            "â€œ",
            "<iframe>",
            "<h2>",
            "</h2>",
            "35 min (core)",
            "2024-01-01",
            "<",
            ">",
            "`",
            "```\n",
            "[^1]",
            "[^1]: ",
            '<img alt="x">',
        ]
    ),
    max_size=40,
).map("".join)


@settings(max_examples=150, deadline=None)
@given(HTMLISH)
def test_it_never_fails_on_html_like_soup_with_anything_but_a_chapter_error(raw):
    try:
        result = chapter_parse(raw)
    except ChapterError:
        return
    assert "<script" not in result.body_html and "<iframe" not in result.body_html
    ids = re.findall(r' id="([^"]+)"', result.body_html)
    assert len(ids) == len(set(ids))
    assert set(re.findall(r'href="#([^"]+)"', result.body_html)) <= set(ids)


@pytest.mark.django_db
def test_importing_creates_a_hosted_chapter_reading_at_the_end_of_its_tier():
    unit = UnitFactory()
    ReadingFactory(unit=unit, tier=Reading.Tier.CORE, position=4)
    ReadingFactory(unit=unit, tier=Reading.Tier.FURTHER, position=9)

    reading = chapter_import(unit=unit, raw=SAMPLE, tier="core")

    reading.refresh_from_db()
    assert reading.kind == Reading.Kind.CHAPTER
    assert (reading.tier, reading.position) == (Reading.Tier.CORE, 5)
    assert (reading.title, reading.authors, reading.year) == (
        "Chapter 99 - Sample Chapter for Tests",
        "Test Writer, Second Author",
        "2024",
    )
    assert (reading.minutes, reading.minutes_estimated) == (35, False)
    assert reading.is_hosted and '<h2 id="introduction">' in reading.body
    assert reading.meta["affiliations"] == ["Example Institute, Sampletown", "Placeholder Lab"]
    assert reading.meta["last_updated"] == "2024-05-17"
    assert reading.meta["reading_time"] == "35 min (core)"
    assert reading.meta["toc"][0] == {"id": "introduction", "text": "Introduction", "level": 2}
    assert reading.meta["links"][0]["url"] == "https://example.org/sample-chapter"
    assert set(reading.meta) == {
        "affiliations",
        "acknowledgements",
        "last_updated",
        "reading_time",
        "toc",
        "links",
    }


@pytest.mark.django_db
def test_reimporting_updates_the_same_reading_and_keeps_fellows_progress():
    unit = UnitFactory()
    first = chapter_import(unit=unit, raw=SAMPLE, tier=Reading.Tier.CORE)
    progress = ReadingProgressFactory(reading=first)
    edited = SAMPLE.replace(b"This placeholder chapter", b"This edited chapter")

    second = chapter_import(unit=unit, raw=edited, tier=Reading.Tier.CORE)

    assert second.pk == first.pk
    assert unit.readings.count() == 1
    assert "This edited chapter" in Reading.objects.get(pk=first.pk).body
    progress.refresh_from_db()
    assert progress.reading_id == first.pk


@pytest.mark.django_db
def test_importing_into_a_reading_the_syllabus_already_lists_by_title_hosts_it():
    unit = UnitFactory()
    listed = ReadingFactory(unit=unit, title="Chapter 99 - Sample Chapter for Tests", url="")
    ReadingProgressFactory(reading=listed)

    reading = chapter_import(unit=unit, raw=SAMPLE, tier="core")

    assert reading.pk == listed.pk and reading.is_hosted
    assert listed.progress.count() == 1


@pytest.mark.django_db
def test_importing_into_a_given_reading_updates_that_one_and_records_who():
    unit = UnitFactory()
    other = ReadingFactory(unit=unit, title="Another title", tier=Reading.Tier.FURTHER)
    editor = UserFactory(is_staff=True)

    reading = chapter_import(unit=unit, raw=SAMPLE, tier="recommended", user=editor, reading=other)

    assert reading.pk == other.pk
    assert reading.tier == Reading.Tier.RECOMMENDED
    assert reading.history.latest().history_user == editor


@pytest.mark.django_db
def test_reimporting_an_unchanged_file_writes_no_new_history():
    unit = UnitFactory()
    reading = chapter_import(unit=unit, raw=SAMPLE, tier="core")
    chapter_import(unit=unit, raw=SAMPLE, tier="core")
    assert reading.history.count() == 1


@pytest.mark.django_db
def test_an_archived_reading_with_the_same_title_is_not_revived():
    unit = UnitFactory()
    archived = chapter_import(unit=unit, raw=SAMPLE, tier="core")
    Reading.objects.filter(pk=archived.pk).update(archived_at=dt.datetime.now(dt.UTC))

    fresh = chapter_import(unit=unit, raw=SAMPLE, tier="core")

    assert fresh.pk != archived.pk


@pytest.mark.django_db
def test_a_bad_file_or_tier_writes_nothing():
    unit = UnitFactory()
    with pytest.raises(ChapterError):
        chapter_import(unit=unit, raw=b"no title here", tier="core")
    with pytest.raises(ChapterError, match="unknown tier"):
        chapter_import(unit=unit, raw=SAMPLE, tier="optional")
    assert not Reading.objects.exists()


@pytest.mark.django_db
def test_the_demo_chapter_is_seeded_once_into_the_first_unit():
    course = CourseFactory()
    assert seed_chapter(course) is None
    UnitFactory(course=course, week=4, position=4)
    first = UnitFactory(course=course, week=3, position=3)

    reading = seed_chapter(course)
    again = seed_chapter(course)

    assert reading.unit == first and again.pk == reading.pk
    assert reading.tier == Reading.Tier.CORE and reading.minutes_estimated is False
    assert Reading.objects.filter(kind=Reading.Kind.CHAPTER).count() == 1
    assert "<script" not in reading.body and len(reading.meta["toc"]) >= 3
