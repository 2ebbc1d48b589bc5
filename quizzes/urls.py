from django.urls import path

from . import views

urlpatterns = [
    path("quizzes/<int:pk>/", views.quiz_detail, name="quiz_detail"),
    path("quizzes/<int:pk>/start/", views.quiz_start, name="quiz_start"),
    path("attempts/<int:pk>/", views.attempt_take, name="attempt_take"),
    path("attempts/<int:pk>/submit/", views.attempt_submit, name="attempt_submit"),
    path("attempts/<int:pk>/result/", views.attempt_result, name="attempt_result"),
    path(
        "attempts/<int:pk>/questions/<int:question_pk>/answer/",
        views.answer_save,
        name="answer_save",
    ),
    path(
        "attempts/<int:pk>/questions/<int:question_pk>/rating/",
        views.answer_rate,
        name="answer_rate",
    ),
]
