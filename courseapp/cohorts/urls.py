from django.urls import path

from . import views

urlpatterns = [
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("cohorts/<int:pk>/invite/", views.cohort_invite, name="cohort_invite"),
]
