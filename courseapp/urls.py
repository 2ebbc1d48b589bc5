from django.contrib import admin
from django.urls import include, path

from . import views

admin.site.site_header = "Fellowship administration"
admin.site.site_title = "Fellowship admin"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("", include("quizzes.urls")),
    path("admin/", admin.site.urls),
]
