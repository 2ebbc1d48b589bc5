from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("courses/<slug:slug>/", views.course_detail, name="course_detail"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("readings/<int:pk>/", views.reading_detail, name="reading_detail"),
    path("readings/<int:pk>/mark/", views.reading_mark, name="reading_mark"),
]
