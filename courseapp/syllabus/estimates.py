"""Reading kind and estimated minutes, for readings whose file or editor gives none.

The team's format carries neither, so both are guessed from the title and attribution with a
few rules, checked in order; the first rule whose word appears wins:

    rule                                              kind      minutes
    "video", "presentation", "talk", "lecture",       video     20
      "youtube", or by Robert Miles (a YouTube channel)
    "podcast", "episode", "interview"                 podcast   45
    "chapter", "textbook"                             chapter   35
    "book"                                            book      60
    "et al." or a research organisation as author     paper     40
      (Anthropic, OpenAI, DeepMind, Redwood, Apollo, any "... Research", "... Lab", "... Institute")
    anything else (one named author: a blog post)     article   20

An editor can override either in the admin; the override is kept and exported (see parser).
"""

import re

MINUTES_BY_KIND = {
    "video": 20,
    "podcast": 45,
    "chapter": 35,
    "book": 60,
    "paper": 40,
    "article": 20,
    "other": 20,
}
VIDEO_MAKERS = ("robert miles",)
RULES = (
    ("video", re.compile(r"\b(video|presentation|talk|lecture|youtube)\b")),
    ("podcast", re.compile(r"\b(podcast|episode|interview)\b")),
    ("chapter", re.compile(r"\b(chapter|textbook)\b")),
    ("book", re.compile(r"\bbook\b")),
)
ORGANISATION = re.compile(
    r"\bet al\.?|\b(anthropic|openai|deepmind|redwood|apollo|metr|miri)\b"
    r"|\b(research|lab|labs|institute|university)\b"
)


def infer_kind(*, title: str, authors: str) -> str:
    title, authors = title.casefold(), authors.casefold()
    if any(maker in authors for maker in VIDEO_MAKERS):
        return "video"
    for kind, pattern in RULES:
        if pattern.search(title):
            return kind
    if ORGANISATION.search(authors):
        return "paper"
    return "article"


def estimate_minutes(kind: str) -> int:
    return MINUTES_BY_KIND.get(kind, MINUTES_BY_KIND["other"])
