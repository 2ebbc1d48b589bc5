from django import forms
from django.contrib import admin
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from courseapp.models import LearningObjective

from .admin_upload import QuizUploadMixin
from .models import Answer, Attempt, Choice, Question, Quiz
from .reports import question_quality
from .services import question_snapshot


def _unit_objectives(unit_id: int | None):
    return LearningObjective.objects.live().filter(unit_id=unit_id).order_by("position", "pk")


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 0
    fields = ["position", "text", "is_correct", "feedback"]
    ordering = ["position", "pk"]


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0
    fields = ["position", "kind", "prompt", "objectives", "explanation", "model_answer"]
    ordering = ["position", "pk"]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).filter(archived_at=None)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "objectives":
            quiz = Quiz.objects.filter(pk=request.resolver_match.kwargs.get("object_id")).first()
            kwargs["queryset"] = _unit_objectives(quiz.unit_id if quiz else None)
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Quiz)
class QuizAdmin(QuizUploadMixin, admin.ModelAdmin):
    list_display = ["__str__", "unit", "pass_mark", "attempts_allowed", "reveal", "preview_link"]
    list_select_related = ["unit", "unit__course"]
    list_filter = ["unit__course"]
    autocomplete_fields = []
    inlines = [QuestionInline]
    fields = [
        "unit",
        "title",
        "intro",
        ("pass_mark", "attempts_allowed"),
        ("shuffle_questions", "shuffle_choices"),
        "reveal",
        "question_quality",
    ]
    readonly_fields = ["question_quality"]

    @admin.display(description="Question quality")
    def question_quality(self, quiz: Quiz) -> str:
        if not quiz.pk:
            return "Shown once fellows have taken the quiz."
        return render_to_string(
            "admin/quizzes/_question_quality_panel.html",
            {"questions": question_quality(quizzes=Quiz.objects.filter(pk=quiz.pk))},
        )

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        return [
            path("<int:pk>/preview/", preview, name="quizzes_quiz_preview"),
            *super().get_urls(),
        ]

    @admin.display(description="Preview")
    def preview_link(self, quiz: Quiz) -> str:
        url = reverse("admin:quizzes_quiz_preview", args=[quiz.pk])
        return format_html('<a href="{}">Preview as a fellow</a>', url)

    def preview_view(self, request, pk: int):
        quiz = get_object_or_404(Quiz.objects.select_related("unit"), pk=pk)
        questions = quiz.questions.live().prefetch_related("choices", "objectives")
        answers = [
            Answer(question=q, position=i, snapshot=question_snapshot(q))
            for i, q in enumerate(questions)
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": f"Preview: {quiz}",
            "quiz": quiz,
            "answers": answers,
            "opts": self.model._meta,
            "original": quiz,
        }
        return TemplateResponse(request, "admin/quizzes/quiz_preview.html", context)


class QuestionAdminForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ["quiz", "position", "kind", "prompt", "objectives", "explanation", "model_answer"]
        widgets = {"objectives": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        unit_id = self.instance.quiz.unit_id if self.instance.quiz_id else None
        self.fields["objectives"].queryset = _unit_objectives(unit_id)

    def clean(self):
        cleaned = super().clean()
        quiz, objectives = cleaned.get("quiz"), cleaned.get("objectives")
        if quiz and objectives and any(o.unit_id != quiz.unit_id for o in objectives):
            raise forms.ValidationError("Pick objectives of the quiz's own unit.")
        return cleaned


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    form = QuestionAdminForm
    list_display = ["__str__", "quiz", "kind", "position", "archived_at"]
    list_filter = ["kind", "quiz__unit__course"]
    list_select_related = ["quiz", "quiz__unit"]
    ordering = ["quiz", "position"]
    inlines = [ChoiceInline]
    readonly_fields = ["question_quality"]

    @admin.display(description="Question quality")
    def question_quality(self, question: Question) -> str:
        # The whole quiz is analysed: discrimination needs the other questions' answers.
        quizzes = Quiz.objects.filter(pk=question.quiz_id)
        stats = [s for s in question_quality(quizzes=quizzes) if s.question.pk == question.pk]
        if not stats:
            return "Shown for live questions once fellows have taken the quiz."
        return render_to_string("admin/quizzes/_question_quality_panel.html", {"questions": stats})


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    can_delete = False
    fields = ["position", "prompt", "selected_choice_ids", "written_text", "self_rating"]
    readonly_fields = fields + ["is_correct", "score"]
    ordering = ["position"]

    @admin.display(description="Question as seen")
    def prompt(self, answer: Answer) -> str:
        return answer.snapshot.get("prompt", "")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    """Read-only: attempts are what fellows did; nobody edits them after the fact."""

    list_display = ["user", "quiz", "number", "started_at", "submitted_at", "score", "passed"]
    list_filter = ["passed", "quiz__unit__course"]
    list_select_related = ["user", "quiz", "quiz__unit"]
    search_fields = ["user__email", "user__display_name"]
    inlines = [AnswerInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
