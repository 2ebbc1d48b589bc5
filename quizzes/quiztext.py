"""The plain-text quiz format: a companion file next to the syllabus, one quiz per unit.

A file such as `week-03-inner-alignment.quiz.txt` holds the quiz of one week. Import it with
`manage.py import_quiz FILE --course SLUG` and write it back with
`manage.py export_quiz --course SLUG --week N`. Export then import (and import then export of a
file in the canonical layout below) changes nothing. An import is all or nothing: any error,
reported with its line number, and the database is left as it was.

    # Lines starting with "#" are comments.
    Week: 3
    Title: Check your understanding: inner alignment
    Pass mark: 70%
    Attempts allowed: 3
    Shuffle questions: no
    Shuffle choices: yes
    Reveal answers: after each attempt
    Intro: Optional text shown before the first attempt.

    Question: single choice
    Objectives: 1, 2
    Prompt: What does "mesa-optimizer" mean?
    (x) A learned model that is itself an optimizer
    Feedback: Right: the base optimizer (SGD) found a model that optimizes in turn.
    ( ) The optimizer that trains the model
    Feedback: That is the base optimizer.
    Explanation: Shown with the correct answer.

    Question: written
    Objectives: 3
    Prompt: In three or four sentences, ...
    Model answer: What a good answer covers; the fellow rates their own answer against it.

Rules:
- Header fields come before the first question. `Week` is required (the unit of the course with
  that week number); the others default to: no title, pass mark 70%, 3 attempts, no shuffling,
  reveal after each attempt. Reveal answers is one of "after each attempt", "after passing",
  "after the last attempt". Yes/no fields take yes or no.
- Each question starts with `Question: KIND`, KIND one of "single choice", "multiple select",
  "true/false", "written". `Prompt` and `Objectives` are required. Objectives are numbers: the
  unit's learning objectives in their order, starting at 1.
- Choices: `(x) text` marks a correct choice and `( ) text` a wrong one; multiple-select questions
  write `[x]` and `[ ]`. A `Feedback:` line right after a choice belongs to that choice. Single
  choice needs two or more choices with exactly one correct; true/false exactly two ("True" and
  "False", one correct); multiple select two or more with at least one correct; written none.
- `Explanation` is optional; `Model answer` is for written questions only.
- A value continues on the following lines that are indented (4 spaces on export); a blank line
  followed by an indented line is a blank line inside the value.
"""

import re
from dataclasses import dataclass, field

KINDS = {
    "single choice": "single",
    "multiple select": "multiple",
    "true/false": "true_false",
    "written": "written",
}
KIND_WORDS = {value: key for key, value in KINDS.items()}
REVEALS = {
    "after each attempt": "after_each",
    "after passing": "after_passing",
    "after the last attempt": "after_last",
}
REVEAL_WORDS = {value: key for key, value in REVEALS.items()}
HEADER_KEYS = {
    "week",
    "title",
    "pass mark",
    "attempts allowed",
    "shuffle questions",
    "shuffle choices",
    "reveal answers",
    "intro",
}
QUESTION_KEYS = {"objectives", "prompt", "explanation", "model answer", "feedback"}
TEXT_KEYS = {"title", "intro", "prompt", "explanation", "model answer", "feedback"}
FIELD = re.compile(r"^([A-Za-z][A-Za-z ]*?):(?:\s(.*)|)$")
CHOICE = re.compile(r"^([(\[])([ xX])([)\]])\s+(.+)$")
INDENT = "    "


class QuizFormatError(Exception):
    def __init__(self, errors: list[tuple[int, str]]):
        self.errors = sorted(errors)
        super().__init__("\n".join(f"line {line}: {message}" for line, message in self.errors))


@dataclass
class ParsedChoice:
    text: str
    is_correct: bool
    feedback: str = ""


@dataclass
class ParsedQuestion:
    kind: str
    line: int = 0
    prompt: str = ""
    explanation: str = ""
    model_answer: str = ""
    objectives: list[int] = field(default_factory=list)
    objectives_line: int = 0
    choices: list[ParsedChoice] = field(default_factory=list)


@dataclass
class ParsedQuiz:
    week: int | None = None
    week_line: int = 0
    title: str = ""
    intro: str = ""
    pass_mark: int = 70
    attempts_allowed: int = 3
    shuffle_questions: bool = False
    shuffle_choices: bool = False
    reveal: str = "after_each"
    questions: list[ParsedQuestion] = field(default_factory=list)


class _Parser:
    def __init__(self) -> None:
        self.quiz = ParsedQuiz()
        self.errors: list[tuple[int, str]] = []
        self.seen: set[str] = set()
        self.target: tuple[object, str] | None = None
        self.question: ParsedQuestion | None = None

    def error(self, line: int, message: str) -> None:
        self.errors.append((line, message))

    def parse(self, text: str) -> ParsedQuiz:
        blanks = 0
        for number, raw in enumerate(text.splitlines(), start=1):
            if "\x00" in raw:
                # PostgreSQL text cannot hold NUL; such a character means a binary or UTF-16 file.
                self.error(number, "contains a NUL character (is this a text file?)")
                raw = raw.replace("\x00", "")
            line = raw.rstrip()
            if not line.strip():
                blanks += 1
                continue
            if line[0] in " \t":
                self.continue_value(number, line.strip(), blanks)
            elif not line.startswith("#"):
                self.target = None
                self.statement(number, line)
            blanks = 0
        self.finish()
        if self.errors:
            raise QuizFormatError(self.errors)
        return self.quiz

    def continue_value(self, number: int, text: str, blanks: int) -> None:
        if self.target is None:
            self.error(number, "an indented line must continue a text field such as Prompt:")
            return
        obj, attr = self.target
        setattr(obj, attr, getattr(obj, attr) + "\n" * (blanks + 1) + text)

    def statement(self, number: int, line: str) -> None:
        choice = CHOICE.match(line)
        if choice and self.question is not None:
            self.add_choice(number, choice)
            return
        match = FIELD.match(line)
        if not match:
            self.error(number, f"expected a field such as 'Prompt: ...' or a choice, got {line!r}")
            return
        key, value = match.group(1).strip().lower(), (match.group(2) or "").strip()
        if key == "question":
            self.start_question(number, value)
        elif self.question is None:
            self.header(number, key, value)
        else:
            self.question_field(number, key, value)

    def set_text(self, number: int, obj: object, attr: str, key: str, value: str) -> None:
        if key in self.seen:
            self.error(number, f"{key.capitalize()} is given twice")
        self.seen.add(key)
        setattr(obj, attr, value)
        self.target = (obj, attr)

    def header(self, number: int, key: str, value: str) -> None:
        if key not in HEADER_KEYS:
            self.error(number, f"unknown field {key.capitalize()!r} before the first question")
            return
        if key in TEXT_KEYS:
            self.set_text(number, self.quiz, key, key, value)
            return
        if key in self.seen:
            self.error(number, f"{key.capitalize()} is given twice")
        self.seen.add(key)
        setter = {
            "week": self.set_week,
            "pass mark": self.set_pass_mark,
            "attempts allowed": self.set_attempts,
            "shuffle questions": lambda n, v: self.set_yes_no(n, "shuffle_questions", v),
            "shuffle choices": lambda n, v: self.set_yes_no(n, "shuffle_choices", v),
            "reveal answers": self.set_reveal,
        }[key]
        setter(number, value)

    def set_week(self, number: int, value: str) -> None:
        if not value.isdigit() or int(value) < 1:
            self.error(number, f"Week must be a whole number such as 3, got {value!r}")
            return
        self.quiz.week, self.quiz.week_line = int(value), number

    def set_pass_mark(self, number: int, value: str) -> None:
        digits = value.removesuffix("%").strip()
        if not digits.isdigit() or not 1 <= int(digits) <= 100:
            self.error(number, f"Pass mark must be a percentage from 1 to 100, got {value!r}")
            return
        self.quiz.pass_mark = int(digits)

    def set_attempts(self, number: int, value: str) -> None:
        if not value.isdigit() or not 1 <= int(value) <= 50:
            self.error(number, f"Attempts allowed must be a number from 1 to 50, got {value!r}")
            return
        self.quiz.attempts_allowed = int(value)

    def set_yes_no(self, number: int, attr: str, value: str) -> None:
        if value.lower() not in ("yes", "no"):
            self.error(number, f"expected yes or no, got {value!r}")
            return
        setattr(self.quiz, attr, value.lower() == "yes")

    def set_reveal(self, number: int, value: str) -> None:
        if value.lower() not in REVEALS:
            options = ", ".join(repr(word) for word in REVEALS)
            self.error(number, f"Reveal answers must be one of {options}, got {value!r}")
            return
        self.quiz.reveal = REVEALS[value.lower()]

    def start_question(self, number: int, value: str) -> None:
        self.finish_question()
        if self.quiz.week is None and not any(line for line, _ in self.errors):
            self.error(number, "the header needs a 'Week: N' line before the first question")
        kind = KINDS.get(value.lower())
        if kind is None:
            options = ", ".join(repr(word) for word in KINDS)
            self.error(number, f"unknown question kind {value!r}; use one of {options}")
            kind = "single"
        self.question = ParsedQuestion(kind=kind, line=number)
        self.seen = set()

    def question_field(self, number: int, key: str, value: str) -> None:
        question = self.question
        if key not in QUESTION_KEYS:
            self.error(number, f"unknown field {key.capitalize()!r} in a question")
        elif key == "objectives":
            self.set_objectives(number, value)
        elif key == "feedback":
            if not question.choices:
                self.error(number, "Feedback must follow the choice it belongs to")
                return
            choice = question.choices[-1]
            if choice.feedback:
                self.error(number, "this choice already has feedback")
            choice.feedback = value
            self.target = (choice, "feedback")
        else:
            self.set_text(number, question, key.replace(" ", "_"), key, value)

    def set_objectives(self, number: int, value: str) -> None:
        parts = [part.strip() for part in value.split(",") if part.strip()]
        if not parts or not all(part.isdigit() and int(part) >= 1 for part in parts):
            self.error(number, f"Objectives must be numbers such as '1, 3', got {value!r}")
            return
        self.question.objectives = sorted({int(part) for part in parts})
        self.question.objectives_line = number

    def add_choice(self, number: int, match: re.Match) -> None:
        opening, mark, closing, text = match.groups()
        if (opening, closing) not in (("(", ")"), ("[", "]")):
            self.error(number, "a choice starts with (x), ( ), [x] or [ ]")
        choice = ParsedChoice(text=text.strip(), is_correct=mark.lower() == "x")
        self.question.choices.append(choice)
        self.target = (choice, "text")

    def finish_question(self) -> None:
        question = self.question
        if question is None:
            return
        line = question.line
        if not question.prompt:
            self.error(line, "this question has no Prompt")
        if not question.objectives:
            self.error(line, "this question has no Objectives line (e.g. 'Objectives: 1')")
        if question.model_answer and question.kind != "written":
            self.error(line, "only written questions take a Model answer")
        for message in _choice_problems(question):
            self.error(line, message)
        self.quiz.questions.append(question)

    def finish(self) -> None:
        self.finish_question()
        if self.quiz.week is None and not self.errors:
            self.error(1, "the file needs a 'Week: N' line")
        if not self.quiz.questions and not self.errors:
            self.error(1, "the file has no questions (start each with 'Question: KIND')")


def _choice_problems(question: ParsedQuestion) -> list[str]:
    choices, kind = question.choices, question.kind
    correct = sum(choice.is_correct for choice in choices)
    if kind == "written":
        return ["a written question has no choices"] if choices else []
    if kind == "true_false":
        texts = sorted(choice.text.lower() for choice in choices)
        if texts != ["false", "true"] or correct != 1:
            return ["a true/false question has the choices True and False, one marked (x)"]
        return []
    if len(choices) < 2:
        return ["this question needs at least two choices"]
    if kind == "single" and correct != 1:
        return [f"a single-choice question needs exactly one (x) choice, it has {correct}"]
    if kind == "multiple" and correct < 1:
        return ["a multiple-select question needs at least one [x] choice"]
    return []


def parse(text: str) -> ParsedQuiz:
    """Parse a quiz file; raises QuizFormatError listing every problem with its line."""
    return _Parser().parse(text)


def _value(lead: str, value: str) -> list[str]:
    first, *rest = value.split("\n")
    return [f"{lead} {first}".rstrip()] + [f"{INDENT}{line}" if line else "" for line in rest]


def render(quiz: ParsedQuiz) -> str:
    """The canonical text of a quiz; parse(render(q)) == q for the text fields and settings."""
    lines = [f"Week: {quiz.week}"]
    if quiz.title:
        lines += _value("Title:", quiz.title)
    lines += [
        f"Pass mark: {quiz.pass_mark}%",
        f"Attempts allowed: {quiz.attempts_allowed}",
        f"Shuffle questions: {'yes' if quiz.shuffle_questions else 'no'}",
        f"Shuffle choices: {'yes' if quiz.shuffle_choices else 'no'}",
        f"Reveal answers: {REVEAL_WORDS[quiz.reveal]}",
    ]
    if quiz.intro:
        lines += _value("Intro:", quiz.intro)
    for question in quiz.questions:
        lines += ["", *_render_question(question)]
    return "\n".join(lines) + "\n"


def _render_question(question: ParsedQuestion) -> list[str]:
    lines = [
        f"Question: {KIND_WORDS[question.kind]}",
        f"Objectives: {', '.join(str(n) for n in question.objectives)}",
        *_value("Prompt:", question.prompt),
    ]
    square = question.kind == "multiple"
    for choice in question.choices:
        mark = "x" if choice.is_correct else " "
        box = f"[{mark}]" if square else f"({mark})"
        lines += _value(box, choice.text)
        if choice.feedback:
            lines += _value("Feedback:", choice.feedback)
    if question.model_answer:
        lines += _value("Model answer:", question.model_answer)
    if question.explanation:
        lines += _value("Explanation:", question.explanation)
    return lines
