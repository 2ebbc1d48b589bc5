from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from django.conf import settings
from django.http import Http404, HttpRequest

# Views that let an invited person sign up put this key in the session (see courseapp invitations).
INVITATION_SESSION_KEY = "invitation_token"


def signup_allowed(request: HttpRequest) -> bool:
    return settings.OPEN_SIGNUP or bool(request.session.get(INVITATION_SESSION_KEY))


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return signup_allowed(request)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin) -> bool:
        return signup_allowed(request)

    def get_app(self, request: HttpRequest, provider: str, client_id: str | None = None):
        # A provider whose credentials are not in the environment is not offered; its login and
        # callback URLs still exist (allauth.urls) and must be a 404, not a 500.
        try:
            return super().get_app(request, provider, client_id=client_id)
        except SocialApp.DoesNotExist:
            raise Http404("This sign-in provider is not configured.") from None
