"""Hosted chapters: turn a publisher's chapter export into a sanitised, hosted Reading.

The export is Markdown wrapped in site HTML (a metadata grid, action buttons, an audio player).
`chapter_parse` reads the metadata from the grid, cuts the site chrome out of the source, renders
the rest with markdown-it and sanitises the result with nh3; `chapter_import` stores it.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import ftfy
import ftfy.bad_codecs  # noqa: F401 (registers the sloppy-windows-1252 codec used below)
import nh3
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

from accounts.models import User
from courseapp.models import Reading, Unit

MAX_BYTES = 1_000_000
WORDS_PER_MINUTE = 200

# Site chrome: the outermost element carrying one of these classes is dropped with its content.
CHROME_CLASSES = frozenset(
    {
        "meta-grid",
        "action-buttons",
        "atlas-audio-player",
        "audio-player",
        "audio-errors-panel",
        "errors-toggle-container",
    }
)
VOID_TAGS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta"})

ALLOWED_TAGS = {
    *(f"h{n}" for n in range(1, 7)),
    *("p", "br", "hr", "ul", "ol", "li", "dl", "dt", "dd", "blockquote", "pre", "code", "kbd"),
    *("strong", "em", "b", "i", "del", "s", "sup", "sub", "abbr", "a", "img", "section"),
    *("figure", "figcaption", "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td"),
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id", "aria-label"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "li": {"id"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "abbr": {"title"},
}
# The footnote plugin's markup, and only it, may carry classes, ids and a label.
FOOTNOTE_CLASSES = {
    "sup": {"footnote-ref"},
    "hr": {"footnotes-sep"},
    "section": {"footnotes"},
    "ol": {"footnotes-list"},
    "li": {"footnote-item"},
    "a": {"footnote-backref"},
}
FOOTNOTE_ATTRIBUTES = {
    ("a", "id"): re.compile(r"fnref\d+(?::\d+)?"),
    ("li", "id"): re.compile(r"fn\d+"),
    ("a", "aria-label"): re.compile(r"Back to reference \d+(?: \(\d+\))?"),
}
# Removed together with their content, not just unwrapped.
DROPPED_WITH_CONTENT = {
    *("script", "style", "noscript", "template", "iframe", "frame", "frameset", "object"),
    *("embed", "applet", "audio", "video", "canvas", "svg", "math", "form", "button"),
    *("select", "textarea", "input", "nav", "head", "title"),
}
TITLE_TOKENS = frozenset({"text", "code_inline"})
RESERVED_IDS = frozenset({"main", "contents", "content"})

READING_TIME = re.compile(
    r"^\s*(?:(?P<hours>\d{1,3})\s*(?:h|hr|hrs|hours?)\b\s*)?"
    r"(?:(?P<minutes>\d{1,5})\s*(?:m|mins?|minutes?)\b)?\s*"
    r"(?:\((?P<hint>[^)]*)\))?\s*$",
    re.IGNORECASE,
)
DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%B %d, %Y", "%d %b %Y", "%b %d, %Y", "%Y/%m/%d")
TIER_NAMES = {"core": Reading.Tier.CORE, "recommended": Reading.Tier.RECOMMENDED}
TIER_NAMES["further"] = Reading.Tier.FURTHER


class ChapterError(ValueError):
    """The file is not a chapter this platform can host; the message says why (and where)."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        self.line = line
        super().__init__(f"Line {line}: {message}" if line else message)


@dataclass
class ParsedChapter:
    title: str
    authors: list[str] = field(default_factory=list)
    affiliations: list[str] = field(default_factory=list)
    acknowledgements: list[str] = field(default_factory=list)
    last_updated: dt.date | None = None
    reading_time: str = ""
    minutes: int | None = None
    tier_hint: str = ""
    links: list[dict[str, str]] = field(default_factory=list)
    body_html: str = ""
    toc: list[dict[str, object]] = field(default_factory=list)
    words: int = 0

    @property
    def attribution(self) -> str:
        return ", ".join(self.authors or self.affiliations)

    @property
    def year(self) -> str:
        return str(self.last_updated.year) if self.last_updated else ""

    @property
    def estimated_minutes(self) -> int:
        return max(1, round(self.words / WORDS_PER_MINUTE))

    @property
    def meta(self) -> dict[str, object]:
        return {
            "affiliations": self.affiliations,
            "acknowledgements": self.acknowledgements,
            "last_updated": self.last_updated.isoformat() if self.last_updated else "",
            "reading_time": self.reading_time,
            "toc": self.toc,
            "links": self.links,
        }


# Reading the file ----------------------------------------------------------------------------


# UTF-8 read as Windows-1252 turns `”` (E2 80 9D) into `â€` plus 9D, a byte Windows-1252 lacks, so
# it is often lost (or made `�`) in transit. ftfy cannot know which byte went missing and reads a
# following space as a flattened no-break space, making `†` (E2 80 A0) and eating the space; a
# closing quote is far likelier, so the byte is put back first. `â€` followed by a character that
# can still complete the sequence (`â€œ` is `“`, `â€\xa0` is `†`) is left to ftfy.
_CONTINUATIONS = re.escape(bytes(range(0x80, 0xC0)).decode("sloppy-windows-1252"))
LOST_CLOSING_QUOTE = re.compile(f"â€(?:\ufffd|(?![{_CONTINUATIONS}]))")


def chapter_text(raw: bytes | str) -> str:
    """Decode strictly as UTF-8, then repair mojibake such as `â€œ` (a double-encoded quote)."""
    if isinstance(raw, bytes):
        if len(raw) > MAX_BYTES:
            raise ChapterError(f"the file is too large ({len(raw):,} bytes; the limit is 1 MB).")
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = raw[: error.start].count(b"\n") + 1
            byte = raw[error.start]
            raise ChapterError(
                f"the file is not UTF-8 text (byte 0x{byte:02X}); save it as UTF-8.", line=line
            ) from None
    if len(raw) > MAX_BYTES:
        raise ChapterError(f"the text is too long ({len(raw):,} characters; the limit is 1 MB).")
    if "\x00" in raw:
        raise ChapterError("the file holds binary data (a NUL byte), not text.", line=_line(raw))
    raw = LOST_CLOSING_QUOTE.sub("â€\x9d", raw)
    text = ftfy.fix_text(raw, unescape_html=False, uncurl_quotes=False, fix_character_width=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ChapterError(
            "the text holds characters that are not valid Unicode.",
            line=text[: error.start].count("\n") + 1,
        ) from None
    return text


def _line(text: str, char: str = "\x00") -> int:
    return text[: text.index(char)].count("\n") + 1


# Site chrome and the metadata grid -----------------------------------------------------------


@dataclass
class _MetaValue:
    line: int
    items: list[str] = field(default_factory=lambda: [""])
    links: list[dict[str, str]] = field(default_factory=list)
    nested: bool = False

    def texts(self) -> list[str]:
        if self.nested:
            return [t for t in (_squash(item) for item in self.items) if t]
        return [t for t in (_squash(p) for p in re.split(r"[,;\n]", "".join(self.items))) if t]


@dataclass
class _Block:
    tag: str
    start: int
    line: int
    is_grid: bool
    depth: int = 1


def _squash(text: str) -> str:
    return " ".join(text.split())


class _ChromeScanner(HTMLParser):
    """Finds the spans of site chrome in the source, and reads the metadata grid on the way."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.text = text
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.spans: list[tuple[int, int]] = []
        self.meta: dict[str, _MetaValue] = {}
        self.open: _Block | None = None  # the chrome block being skipped, if any
        self._stack: list[tuple[str, str]] = []  # (tag, role) inside the grid
        self._label = ""
        self._link: dict[str, str] | None = None

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = set((dict(attrs).get("class") or "").split())
        if self.open is None:
            if classes & CHROME_CLASSES:
                start = self._offset()
                if tag in VOID_TAGS:
                    self.spans.append((start, start + len(self.get_starttag_text() or "")))
                else:
                    self.open = _Block(tag, start, self.getpos()[0], "meta-grid" in classes)
            return
        if tag == self.open.tag:
            self.open.depth += 1
        if self.open.is_grid and tag not in VOID_TAGS:
            self._grid_start(tag, classes, dict(attrs))

    def _grid_start(self, tag: str, classes: set[str], attrs: dict) -> None:
        role = "label" if "meta-label" in classes else "value" if "meta-value" in classes else ""
        if role == "label":
            self._label = ""
        elif role == "value":
            self.meta[_squash(self._label).lower()] = _MetaValue(line=self.getpos()[0])
        elif self._value() is not None and tag in {"div", "li", "p", "a", "span"}:
            value = self._value()
            value.nested = True
            value.items.append("")
            if tag == "a":
                self._link = {"label": "", "url": (attrs.get("href") or "").strip()}
        self._stack.append((tag, role))

    def _value(self) -> _MetaValue | None:
        if not any(role == "value" for _tag, role in self._stack):
            return None
        return self.meta.get(_squash(self._label).lower())

    def handle_endtag(self, tag: str) -> None:
        if self.open is None:
            return
        if tag == "a" and self._link is not None:
            value = self._value()
            if value is not None and self._link["url"]:
                value.links.append({**self._link, "label": _squash(self._link["label"])})
            self._link = None
        if any(t == tag for t, _role in self._stack):
            while self._stack.pop()[0] != tag:
                pass
        if tag == self.open.tag:
            self.open.depth -= 1
            if self.open.depth == 0:
                end = self.text.find(">", self._offset()) + 1 or len(self.text)
                self.spans.append((self.open.start, end))
                self.open, self._stack = None, []

    def handle_data(self, data: str) -> None:
        if not self._stack:
            return
        roles = [role for _tag, role in self._stack if role]
        if roles and roles[-1] == "label":
            self._label += data
        elif roles and roles[-1] == "value" and (value := self._value()) is not None:
            value.items[-1] += data
            if self._link is not None:
                self._link["label"] += data


def _scan(text: str) -> _ChromeScanner:
    scanner = _ChromeScanner(text)
    try:
        scanner.feed(text)
        scanner.close()
    except AssertionError as error:  # html.parser's way of giving up on `<![...` oddities
        raise ChapterError(f"the HTML in the file cannot be read ({error}).") from None
    if scanner.open is not None:
        raise ChapterError(
            f"the site block <{scanner.open.tag}> that starts here is never closed.",
            line=scanner.open.line,
        )
    return scanner


def _without_spans(text: str, spans: list[tuple[int, int]]) -> str:
    # Each cut keeps its newlines so markdown-it's line numbers still match the file.
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + "\n" * text.count("\n", start, end) + text[end:]
    return text


# Metadata ------------------------------------------------------------------------------------

LABELS = {
    "authors": "authors",
    "author": "authors",
    "affiliations": "affiliations",
    "affiliation": "affiliations",
    "acknowledgements": "acknowledgements",
    "acknowledgments": "acknowledgements",
    "last updated": "last_updated",
    "updated": "last_updated",
    "reading time": "reading_time",
    "also available on": "links",
}


def _metadata(meta: dict[str, _MetaValue]) -> dict[str, object]:
    found = {LABELS[label]: value for label, value in meta.items() if label in LABELS}
    result: dict[str, object] = {
        key: found[key].texts() if key in found else []
        for key in ("authors", "affiliations", "acknowledgements")
    }
    if "last_updated" in found:
        result["last_updated"] = _date(found["last_updated"])
    if "reading_time" in found:
        result.update(_reading_time(found["reading_time"]))
    if "links" in found:
        result["links"] = [
            link for link in found["links"].links if re.match(r"https?://", link["url"])
        ]
    return result


def _date(value: _MetaValue) -> dt.date:
    text = _squash("".join(value.items))
    for pattern in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ChapterError(
        f"the last-updated date {text!r} is not a date like 2023-12-13.", line=value.line
    )


def _reading_time(value: _MetaValue) -> dict[str, object]:
    text = _squash("".join(value.items))
    match = READING_TIME.match(text)
    if not match or not (match["hours"] or match["minutes"]):
        raise ChapterError(
            f"the reading time {text!r} is not like '35 min (core)'.", line=value.line
        )
    minutes = int(match["hours"] or 0) * 60 + int(match["minutes"] or 0)
    if not 1 <= minutes <= 10_000:
        raise ChapterError(f"the reading time {text!r} is out of range.", line=value.line)
    hint = (match["hint"] or "").strip().lower()
    return {"reading_time": text, "minutes": minutes, "tier_hint": hint}


# Body ----------------------------------------------------------------------------------------


def _footnote_caption(self, tokens, idx, options, env) -> str:
    # `[1]` each time the note is cited (the plugin writes `[1:1]` for the second citation).
    return f"[{tokens[idx].meta['id'] + 1}]"


def _footnote_backref(self, tokens, idx, options, env) -> str:
    # The plugin's back-link is a bare ↩︎, which a screen reader reads as an arrow.
    number, again = tokens[idx].meta["id"] + 1, tokens[idx].meta["subId"]
    ident, label = f"{number}:{again}" if again else str(number), f"Back to reference {number}"
    label += f" ({again + 1})" if again else ""
    return f' <a href="#fnref{ident}" class="footnote-backref" aria-label="{label}">↩︎</a>'


_markdown = (
    MarkdownIt("commonmark", {"html": True})
    .enable(["table", "strikethrough"])
    .use(footnote_plugin, inline=False)
)
_markdown.add_render_rule("footnote_caption", _footnote_caption)
_markdown.add_render_rule("footnote_anchor", _footnote_backref)


def _relative_url(url: str) -> str | None:
    # In-page anchors are the only relative links that mean anything once the chapter is hosted.
    return url if url.startswith("#") else None


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src" and not value.lower().startswith("https://"):
        return None
    if (pattern := FOOTNOTE_ATTRIBUTES.get((tag, attribute))) and not pattern.fullmatch(value):
        return None
    return value


_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags=DROPPED_WITH_CONTENT,
    attributes=ALLOWED_ATTRIBUTES,
    allowed_classes=FOOTNOTE_CLASSES,
    attribute_filter=_attribute_filter,
    url_schemes={"http", "https", "mailto"},
    url_relative=_relative_url,
    link_rel="noopener noreferrer",
)


def _plain(fragment: str) -> str:
    return _squash(html.unescape(nh3.clean(fragment, tags=set())))


def _title(tokens: list) -> tuple[str, int]:
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.markup == "#":
            children = tokens[index + 1].children or []
            title = _squash(" ".join(c.content for c in children if c.type in TITLE_TOKENS))
            line = token.map[0] + 1 if token.map else 1
            if not title:
                raise ChapterError("the title heading is empty.", line=line)
            del tokens[index : index + 3]
            return title, line
    raise ChapterError(
        "no title: a chapter starts with a '# ' heading, like '# Chapter 07 - Generalization'."
    )


def _headings(body: str) -> tuple[str, list[dict[str, object]]]:
    """Give headings a clean outline (h2 first, no skipped levels) and stable ids for the TOC."""
    toc: list[dict[str, object]] = []
    used = {*RESERVED_IDS, *re.findall(r' id="([^"]*)"', body)}  # the footnotes' ids
    levels = [int(n) for n in re.findall(r"<h([1-6])>", body)]
    shift = 2 - min(levels, default=2)
    previous = 1

    def replace(match: re.Match) -> str:
        nonlocal previous
        level = min(max(int(match[1]) + shift, 2), previous + 1, 6)
        previous = level
        text = _plain(match[2])
        anchor = _unique(slugify(text) or f"section-{len(toc) + 1}", used)
        if level <= 3:
            toc.append({"id": anchor, "text": text, "level": level})
        return f'<h{level} id="{anchor}">{match[2]}</h{level}>'

    # Safe on nh3's output: headings come out with no attributes, and `<` in text is escaped.
    return re.sub(r"<h([1-6])>(.*?)</h\1>", replace, body, flags=re.DOTALL), toc


def _unique(anchor: str, used: set[str]) -> str:
    candidate, n = anchor, 1
    while candidate in used:
        n += 1
        candidate = f"{anchor}-{n}"
    used.add(candidate)
    return candidate


def _without_sourceless_images(body: str) -> str:
    # nh3 removes an unsafe or empty src but keeps the <img>; drop what is left, and paragraphs
    # that held nothing else. Exact on nh3's output: attribute values there never hold `"`.
    def keep_with_src(match: re.Match) -> str:
        return match[0] if "src" in re.findall(r' ([a-z-]+)="[^"]*"', match[1]) else ""

    body = re.sub(r'<img((?: [a-z-]+="[^"]*")*)>', keep_with_src, body)
    return re.sub(r"<p>\s*</p>\n?", "", body)


def _without_dead_backrefs(body: str) -> str:
    # A note cited only where no link can stand (the title, an image's alt text) keeps its text
    # but not a back-link to a citation that is not on the page.
    ids = set(re.findall(r' id="([^"]*)"', body))

    def keep_if_target(match: re.Match) -> str:
        return match[0] if match[1] in ids else ""

    return re.sub(
        r' ?<a href="#([^"]*)" class="footnote-backref"[^>]*>.*?</a>', keep_if_target, body
    )


def _scrollable_tables(body: str) -> str:
    count = 0

    def wrap(_match: re.Match) -> str:
        nonlocal count
        count += 1
        return (
            f'<div class="table-scroll" role="region" tabindex="0" '
            f'aria-label="Table {count}"><table>'
        )

    return re.sub(r"<table>", wrap, body).replace("</table>", "</table></div>")


# The public parts ----------------------------------------------------------------------------


def chapter_parse(raw: bytes | str) -> ParsedChapter:
    """Parse a chapter export; raise ChapterError if it is not one."""
    text = chapter_text(raw)
    scanner = _scan(text)
    metadata = _metadata(scanner.meta)
    env: dict = {}
    tokens = _markdown.parse(_without_spans(text, scanner.spans), env)
    title, line = _title(tokens)
    body = _cleaner.clean(_markdown.renderer.render(tokens, _markdown.options, env))
    body = _without_dead_backrefs(_without_sourceless_images(body))
    words = len(_plain(body).split())
    if not words:
        raise ChapterError("the chapter has no body text after its title.", line=line)
    body, toc = _headings(body)
    parsed = ParsedChapter(title=title, body_html=_scrollable_tables(body), toc=toc, words=words)
    for key, value in metadata.items():
        setattr(parsed, key, value)
    _check_lengths(parsed, line)
    return parsed


def _check_lengths(parsed: ParsedChapter, line: int) -> None:
    if len(parsed.title) > 500:
        raise ChapterError("the title is longer than 500 characters.", line=line)
    if not parsed.attribution:
        raise ChapterError("the metadata grid names no authors (an 'Authors' item).")
    if len(parsed.attribution) > 300:
        raise ChapterError("the authors come to more than 300 characters.")


def tier_value(tier: int | str) -> int:
    if isinstance(tier, str) and not tier.isdigit():
        if tier.lower() not in TIER_NAMES:
            raise ChapterError(f"unknown tier {tier!r}: use core, recommended or further.")
        return TIER_NAMES[tier.lower()]
    if int(tier) not in Reading.Tier.values:
        raise ChapterError(f"unknown tier {tier!r}.")
    return int(tier)


def chapter_match(*, unit: Unit, title: str) -> Reading | None:
    """The live reading an import of a chapter with this title would update, if any."""
    return unit.readings.live().filter(title=title).order_by("tier", "position", "pk").first()


def chapter_fields(parsed: ParsedChapter) -> dict[str, object]:
    return {
        "kind": Reading.Kind.CHAPTER,
        "title": parsed.title,
        "authors": parsed.attribution,
        "year": parsed.year,
        "minutes": parsed.minutes or parsed.estimated_minutes,
        "minutes_estimated": parsed.minutes is None,
        "body": parsed.body_html,
        "meta": parsed.meta,
    }


def _next_position(unit: Unit, tier: int) -> int:
    last = unit.readings.live().filter(tier=tier).aggregate(last=Max("position"))["last"]
    return 0 if last is None else last + 1


@transaction.atomic
def chapter_import(
    *,
    unit: Unit,
    raw: bytes | str,
    tier: int | str,
    user: User | None = None,
    reading: Reading | None = None,
) -> Reading:
    """Create or update the hosted reading for a chapter; fellows' progress stays attached."""
    parsed, tier = chapter_parse(raw), tier_value(tier)
    fields = chapter_fields(parsed)
    target = reading or chapter_match(unit=unit, title=parsed.title)
    if target is None:
        target = Reading(unit=unit, tier=tier, position=_next_position(unit, tier))
    elif target.unit_id != unit.pk or target.tier != tier:
        target.unit, target.tier, target.position = unit, tier, _next_position(unit, tier)
    elif all(getattr(target, name) == value for name, value in fields.items()):
        return target  # nothing changed: no save, so no empty history entry
    for name, value in fields.items():
        setattr(target, name, value)
    if user is not None:
        target._history_user = user
    try:
        target.full_clean()
    except ValidationError as error:
        raise ChapterError("; ".join(error.messages)) from None
    target.save()
    return target
