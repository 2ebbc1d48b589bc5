from django.urls import path

from . import views

urlpatterns = [
    path(
        "accounts/notifications/",
        views.notification_preferences,
        name="notification_preferences",
    ),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="reminders_unsubscribe"),
]
