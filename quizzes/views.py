from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.request import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.middleware import HtmxDetails

from courseapp.models import LearningObjective

from . import selectors, services
from .models import Answer, Attempt
from .services import AnswerRejected, AttemptClosed, Pick, QuizError


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _own_attempt(request: HttpRequest, pk: int) -> Attempt:
    """The requester's own attempt at a quiz they may open now; 404 for anyone else's."""
    try:
        return selectors.attempt_with_answers(user=request.user, pk=pk)
    except Attempt.DoesNotExist:
        raise Http404("No such attempt.") from None


def _pick_from(data: QueryDict, question_id: int) -> Pick:
    raw = data.getlist(f"q{question_id}")
    if not all(value.isdigit() for value in raw):
        raise AnswerRejected("That choice does not belong to this question.")
    return Pick(choice_ids=[int(value) for value in raw], text=data.get(f"q{question_id}-text", ""))


@login_required
def quiz_detail(request: HttpRequest, pk: int) -> HttpResponse:
    quiz = get_object_or_404(selectors.quizzes_open_to(user=request.user), pk=pk)
    summary = selectors.unit_quiz_summary(user=request.user, unit=quiz.unit)
    if summary is None:
        raise Http404("This quiz has no questions yet.")
    return render(request, "quizzes/quiz_detail.html", {"quiz": quiz, "summary": summary})


@require_POST
@login_required
def quiz_start(request: HttpRequest, pk: int) -> HttpResponse:
    quiz = get_object_or_404(selectors.quizzes_open_to(user=request.user), pk=pk)
    try:
        attempt = services.attempt_start(quiz=quiz, user=request.user)
    except QuizError as error:
        messages.error(request, str(error))
        return redirect(quiz)
    return redirect(attempt)


@login_required
def attempt_take(request: HttpRequest, pk: int) -> HttpResponse:
    attempt = _own_attempt(request, pk)
    if not attempt.is_open:
        return redirect(attempt)
    context = {"attempt": attempt, "quiz": attempt.quiz, "answers": attempt.answer_list}
    return render(request, "quizzes/attempt_take.html", context)


@require_POST
@login_required
def answer_save(request: HtmxHttpRequest, pk: int, question_pk: int) -> HttpResponse:
    attempt = _own_attempt(request, pk)
    try:
        pick = _pick_from(request.POST, question_pk)
        (answer,) = services.answers_save(attempt=attempt, picks={question_pk: pick})
    except AttemptClosed as error:
        return _closed(request, attempt, error)
    except QuizError as error:
        return HttpResponseBadRequest(str(error))
    if not request.htmx:
        messages.success(request, f"Answer to question {answer.position + 1} saved.")
        return redirect(f"{reverse('attempt_take', args=[attempt.pk])}#q-{answer.position + 1}")
    return render(request, "quizzes/_question_fields.html#answer-status", {"answer": answer})


def _closed(request: HtmxHttpRequest, attempt: Attempt, error: QuizError) -> HttpResponse:
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("attempt_result", args=[attempt.pk])
        return response
    messages.error(request, str(error))
    return redirect("attempt_result", attempt.pk)


@require_POST
@login_required
def attempt_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole form: saves every answer, then submits (or only saves, for "finish later")."""
    attempt = _own_attempt(request, pk)
    if not attempt.is_open:
        return redirect(attempt)
    try:
        picks = {
            a.question_id: _pick_from(request.POST, a.question_id) for a in attempt.answer_list
        }
        if request.POST.get("action") == "save":
            services.answers_save(attempt=attempt, picks=picks)
            messages.success(request, "Your answers are saved. Come back to finish any time.")
            return redirect("attempt_take", attempt.pk)
        attempt = services.attempt_submit(attempt=attempt, picks=picks)
    except AttemptClosed:
        return redirect("attempt_result", attempt.pk)
    except QuizError as error:
        return HttpResponseBadRequest(str(error))
    return redirect(attempt)


@login_required
def attempt_result(request: HttpRequest, pk: int) -> HttpResponse:
    attempt = _own_attempt(request, pk)
    if attempt.is_open:
        return redirect(attempt)
    mastery = selectors.attempt_mastery(attempt=attempt)
    objectives = LearningObjective.objects.filter(pk__in=mastery).order_by("position", "pk")
    context = {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "answers": attempt.answer_list,
        "revealed": selectors.reveal_state(attempt=attempt),
        "mastery_rows": [(objective, mastery[objective.pk]) for objective in objectives],
        "summary": selectors.unit_quiz_summary(user=request.user, unit=attempt.quiz.unit),
        "ratings": Answer.SelfRating.choices,
    }
    return render(request, "quizzes/attempt_result.html", context)


@require_POST
@login_required
def answer_rate(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    attempt = _own_attempt(request, pk)
    answer = next((a for a in attempt.answer_list if a.question_id == question_pk), None)
    if answer is None or not selectors.reveal_state(attempt=attempt):
        raise Http404("Nothing to rate here.")
    rating = request.POST.get("rating", "")
    try:
        services.answer_self_rate(answer=answer, rating=int(rating) if rating.isdigit() else -1)
    except QuizError as error:
        return HttpResponseBadRequest(str(error))
    messages.success(request, "Thanks: your self-rating is saved.")
    return redirect(f"{reverse('attempt_result', args=[attempt.pk])}#q-{answer.position + 1}")
