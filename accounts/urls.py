from django.urls import path

from . import views

# Included under accounts/ ahead of allauth's URLs (courseapp/urls.py).
urlpatterns = [
    path("profile/", views.profile, name="account_profile"),
    path("data/", views.account_data, name="account_data"),
    path("data/export.json", views.account_data_export, name="account_data_export"),
    path("delete/", views.account_delete, name="account_delete"),
    path("2fa/staff-code/", views.staff_mfa_code, name="account_staff_mfa_code"),
]
