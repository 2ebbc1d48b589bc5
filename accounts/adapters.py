from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.http import HttpRequest

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
