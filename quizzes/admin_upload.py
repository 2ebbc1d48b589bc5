"""The quiz admin's upload (preview, then apply) and export of the plain-text quiz format.

The same shape and safety as the syllabus upload: the file is parsed in memory and the preview
writes nothing; "apply" sends the previewed file back with a fingerprint of the preview, and the
import is planned again and applied in one transaction only if it would do exactly what was
previewed. Past attempts are untouched: answers are graded and shown from their snapshots, and
questions fellows answered are archived, never deleted.
"""

import base64
import hashlib
import io
from dataclasses import dataclass, field

from django import forms
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path

from courseapp.models import Course
from courseapp.platform.uploads import PreviewedUploadForm

from . import quiztext, selectors
from .models import Question
from .services import MAX_QUIZ_FILE_BYTES, QuizPlan, quiz_apply, quiz_plan

# Upload creates, changes and retires (archives or deletes) questions and choices.
UPLOAD_PERMISSIONS = (
    "quizzes.add_quiz",
    "quizzes.change_quiz",
    "quizzes.add_question",
    "quizzes.change_question",
    "quizzes.delete_question",
)
SETTING_LABELS = {
    "title": "Title",
    "intro": "Intro",
    "pass_mark": "Pass mark",
    "attempts_allowed": "Attempts allowed",
    "shuffle_questions": "Shuffle questions",
    "shuffle_choices": "Shuffle choices",
    "reveal": "Reveal answers",
}


def can_upload_quiz(request) -> bool:
    user = request.user
    return user.is_active and user.is_staff and user.has_perms(UPLOAD_PERMISSIONS)


class QuizUploadForm(PreviewedUploadForm):
    what = "quiz"
    max_bytes = MAX_QUIZ_FILE_BYTES
    field_order = ["course", "file"]
    course = forms.ModelChoiceField(
        queryset=Course.objects.order_by("title"),
        help_text="The file's “Week:” line picks the unit of this course.",
    )
    file = forms.FileField(
        required=False, help_text="A .txt file in the quiz text format, UTF-8, up to 1 MB."
    )

    def clean(self):
        cleaned = super().clean()
        try:
            # Universal newlines, as `manage.py import_quiz` reads files; a BOM is not content.
            wrapper = io.TextIOWrapper(io.BytesIO(cleaned["data"]), encoding="utf-8-sig")
            cleaned["text"] = wrapper.read()
        except UnicodeDecodeError:
            raise ValidationError("The file is not UTF-8 text; is it a quiz?") from None
        return cleaned


@dataclass
class Row:
    """One line of the preview: what happens to the quiz's settings or to one question."""

    action: str  # add, change, move, archive or delete
    item: str
    details: list[str] = field(default_factory=list)

    def line(self) -> str:
        return " | ".join([self.action, self.item, *self.details])


def _shown(attr: str, value) -> str:
    if attr == "pass_mark":
        return f"{value}%"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if attr == "reveal":
        return quiztext.REVEAL_WORDS[value]
    return f"“{value}”" if value else "(none)"


def _settings_rows(plan: QuizPlan) -> list[Row]:
    if plan.is_new:
        return [Row("add", "Quiz", [f"A new quiz for {plan.unit}"])]
    details = [
        f"{label}: {_shown(attr, plan.before[attr])} → {_shown(attr, getattr(plan.quiz, attr))}"
        for attr, label in SETTING_LABELS.items()
        if plan.before[attr] != getattr(plan.quiz, attr)
    ]
    return [Row("change", "Quiz settings", details)] if details else []


def _choice_details(old: list, new: list[quiztext.ParsedChoice]) -> list[str]:
    before = {c.text: c for c in old}
    after = {c.text: c for c in new}
    details = [f"Choice added: “{text}”" for text in after if text not in before]
    details += [f"Choice removed: “{text}”" for text in before if text not in after]
    for text in after.keys() & before.keys():
        if after[text].is_correct != before[text].is_correct:
            details.append(f"“{text}” is now {'correct' if after[text].is_correct else 'wrong'}")
        if after[text].feedback != before[text].feedback:
            details.append(f"Feedback on “{text}” changed")
    common = [t for t in after if t in before]
    if not details and common != [t for t in before if t in after]:
        details.append("Choices reordered")
    return details


def _question_details(plan: QuizPlan, old: Question, new: quiztext.ParsedQuestion) -> list[str]:
    details = []
    if old.kind != new.kind:
        details.append(f"Kind: {quiztext.KIND_WORDS[old.kind]} → {quiztext.KIND_WORDS[new.kind]}")
    if old.prompt != new.prompt:
        details.append(f"Prompt: “{old.prompt}” → “{new.prompt}”")
    numbers = plan.objective_numbers(old)
    if numbers != new.objectives:
        joined = ", ".join
        details.append(
            f"Objectives: {joined(map(str, numbers))} → {joined(map(str, new.objectives))}"
        )
    for attr, label in (("explanation", "Explanation"), ("model_answer", "Model answer")):
        if getattr(old, attr) != getattr(new, attr):
            details.append(f"{label} changed")
    return details + _choice_details(list(old.choices.all()), new.choices)


def _fate(plan: QuizPlan, question: Question) -> str:
    if question.pk in plan.answered:
        return "Fellows answered the old version: it is archived, and their attempts keep it"
    return "Nobody answered the old version: it is deleted"


def _new_details(question: quiztext.ParsedQuestion) -> list[str]:
    marks = [f"{'✓' if c.is_correct else '✗'} {c.text}" for c in question.choices]
    objectives = ", ".join(map(str, question.objectives))
    return [f"{quiztext.KIND_WORDS[question.kind]}: {question.prompt}", *marks] + [
        f"Objectives: {objectives}"
    ]


def plan_rows(plan: QuizPlan) -> list[Row]:
    """The preview: settings, then each question in the file's order, then what is retired.

    An added question at the place of a retired one is shown as that question changed."""
    old_index = {question.pk: index for index, question in enumerate(plan.existing)}
    retired_at = {old_index[q.pk]: q for q in plan.retired}
    rows = _settings_rows(plan)
    events = [(position, "kept", q) for q, position in plan.kept]
    events += [(position, "added", q) for q, position in plan.added]
    for position, what, question in sorted(events, key=lambda event: event[0]):
        label = f"Question {position + 1}"
        if what == "kept":
            if old_index[question.pk] != position:
                was = f"Was question {old_index[question.pk] + 1}: {question.prompt}"
                rows.append(Row("move", label, [was]))
            continue
        old = retired_at.pop(position, None)
        if old is None:
            rows.append(Row("add", label, _new_details(question)))
        else:
            details = _question_details(plan, old, question) or ["Layout only"]
            rows.append(Row("change", label, [*details, _fate(plan, old)]))
    for index, question in sorted(retired_at.items()):
        action = "archive" if question.pk in plan.answered else "delete"
        rows.append(
            Row(action, f"Old question {index + 1}", [question.prompt, _fate(plan, question)])
        )
    return rows


def plan_fingerprint(*, course: Course, data: bytes, rows: list[Row]) -> str:
    lines = [str(course.pk), hashlib.sha256(data).hexdigest(), *(row.line() for row in rows)]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


class QuizUploadMixin:
    """Adds the upload page (changelist) and the export download (change page) to QuizAdmin."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("upload/", view(self.upload_view), name="quizzes_quiz_upload"),
            path("<path:object_id>/export/", view(self.export_view), name="quizzes_quiz_export"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra = {"can_upload_quiz": can_upload_quiz(request), **(extra_context or {})}
        return super().changelist_view(request, extra)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = {"can_upload_quiz": can_upload_quiz(request), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra)

    def export_view(self, request, object_id):
        quiz = self.get_object(request, unquote(object_id))
        if quiz is None:
            raise Http404("No such quiz.")
        if not self.has_view_permission(request, quiz):
            raise PermissionDenied
        text = selectors.quiz_as_text(quiz=quiz)
        response = HttpResponse(text.encode("utf-8"), content_type="text/plain; charset=utf-8")
        filename = f"{quiz.unit.course.slug}-week-{quiz.unit.week:02d}.quiz.txt"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def upload_view(self, request):
        if not can_upload_quiz(request):
            raise PermissionDenied
        posted = request.method == "POST"
        initial = {"course": request.GET.get("course")}
        form = QuizUploadForm(
            request.POST if posted else None, request.FILES or None, initial=initial
        )
        context = {"form": form}
        if posted and form.is_valid():
            applied = self._preview_or_apply(request, form, context)
            if applied is not None:
                self.message_user(request, f"Quiz applied: {applied.summary}.")
                return redirect("admin:quizzes_quiz_change", applied.quiz.pk)
        return self._render_upload(request, context)

    @transaction.atomic
    def _preview_or_apply(self, request, form, context) -> QuizPlan | None:
        """The plan, applied if "apply" came with the fingerprint of this very plan; else None
        with the preview (or the file's errors) in `context`."""
        course, data = form.cleaned_data["course"], form.cleaned_data["data"]
        try:
            plan = quiz_plan(course=course, text=form.cleaned_data["text"])
        except quiztext.QuizFormatError as error:
            context["issues"] = [f"line {line}: {message}" for line, message in error.errors]
            return None
        rows = plan_rows(plan)
        fingerprint = plan_fingerprint(course=course, data=data, rows=rows)
        if "apply" in request.POST and form.cleaned_data["fingerprint"] == fingerprint:
            quiz_apply(plan=plan)
            return plan
        context.update(
            plan=plan,
            rows=rows,
            stale="apply" in request.POST,
            course=course,
            content=base64.b64encode(data).decode(),
            fingerprint=fingerprint,
        )
        return None

    def _render_upload(self, request, context):
        context = {
            **self.admin_site.each_context(request),
            **context,
            "opts": self.opts,
            "title": "Upload a quiz",
        }
        return TemplateResponse(request, "admin/quizzes/quiz_upload.html", context)
