"""The template loaders drop the indentation of HTML templates
(courseapp/platform/template_loaders.py): pages carry no leading spaces, render the same, and
templates where whitespace is content are left as written."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import get_template
from django.urls import reverse

from courseapp.platform.template_loaders import unindented
from tests.courseapp.weeks import course_with_units, fellow_in, weekly_cohort

TEMPLATES = Path(settings.BASE_DIR) / "templates"


@pytest.mark.django_db
def test_a_unit_page_comes_without_indentation(client):
    course, [unit] = course_with_units(units=1)
    client.force_login(fellow_in(weekly_cohort(course)))

    html = client.get(reverse("unit_detail", args=[unit.pk])).content.decode()

    # The readings, from our templates (form fields drawn by Django's own form templates, as in
    # the unit feedback form further down, are not ours to reflow).
    readings = html[html.index('<ul class="reading-list">') : html.rindex("Mark as read")]
    assert readings.count('<li class="reading"') >= 4
    assert re.search(r"\n[ \t]", readings) is None
    # Line breaks stay, so words and tags that a line break separated are still apart.
    assert "\n<li" in readings


def test_line_breaks_stay_and_only_leading_whitespace_goes():
    assert unindented("<p>one\n    two</p>\n  <b>x</b>  y  ") == "<p>one\ntwo</p>\n<b>x</b>  y  "


@pytest.mark.parametrize("source", ["<pre>\n  kept</pre>", "<textarea>\n  kept</textarea>"])
def test_a_template_where_whitespace_is_content_is_left_as_written(source):
    assert unindented(source) == source


def test_the_written_answer_template_with_a_textarea_is_read_as_written():
    name = "quizzes/_question_fields.html"
    on_disk = (TEMPLATES / name).read_text()

    assert "<textarea" in on_disk and re.search(r"\n[ \t]", on_disk)
    assert get_template(name).template.source == on_disk


@pytest.mark.parametrize("name", ["emails/reminder.txt", "emails/facilitator_digest.txt"])
def test_email_text_keeps_its_indentation(name):
    assert get_template(name).template.source == (TEMPLATES / name).read_text()


def test_html_templates_are_read_unindented():
    on_disk = (TEMPLATES / "base.html").read_text()

    source = get_template("base.html").template.source

    assert re.search(r"\n[ \t]", on_disk) and not re.search(r"\n[ \t]", source)
    assert source.split() == on_disk.split()  # the same words and tags, in the same order
