from allauth.account import app_settings as allauth_settings
from allauth.account.adapter import get_adapter
from allauth.account.forms import RequestLoginCodeForm as AllauthRequestLoginCodeForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.models import EmailAddress
from allauth.account.utils import filter_users_by_email
from django import forms

from .models import User, timezone_choices


def recoverable(users: list[User], *, email: str) -> list[User]:
    """Of the accounts allauth found for `email`, those a reset link or sign-in code for it may
    open: the address is verified for the account, or is the account's own address (a new
    account's only address may not be verified yet). allauth also takes an account that merely
    added the address unconfirmed (a mistyped one, say), handing it to whoever reads that inbox."""
    if not users:
        return []
    verified = set(
        EmailAddress.objects.filter(user__in=users, email__iexact=email, verified=True).values_list(
            "user_id", flat=True
        )
    )
    return [u for u in users if u.pk in verified or u.email.lower() == email.lower()]


def _refuse_unknown_unless_hidden() -> None:
    # Same as allauth for an address without an account: an error only when enumeration is allowed.
    if not allauth_settings.PREVENT_ENUMERATION:
        raise get_adapter().validation_error("unknown_email")


class ResetPasswordForm(AllauthResetPasswordForm):
    """allauth's form; an address that may not recover its accounts counts as unknown."""

    def clean_email(self) -> str:
        email = super().clean_email()
        self.users = recoverable(self.users, email=email)
        if not self.users:
            _refuse_unknown_unless_hidden()
        return email


class RequestLoginCodeForm(AllauthRequestLoginCodeForm):
    """allauth's form (its rate limit included); an address that may not recover its account
    counts as unknown, so no code is sent and the response is the one for an unknown address."""

    def clean_email(self) -> str:
        email = super().clean_email()
        if email:
            found = filter_users_by_email(email, is_active=True, prefer_verified=True)
            users = recoverable(found, email=email)
            if not users:
                _refuse_unknown_unless_hidden()
            self._user = users[0] if users else None
        return email


class AccountDeleteForm(forms.Form):
    """Deleting an account asks for proof it is the owner at the keyboard: the password, or,
    for accounts without one (sign-in by code or a social login), the email address typed out."""

    confirm = forms.CharField(max_length=254, strip=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        field = self.fields["confirm"]
        if user.has_usable_password():
            field.label = "Your password"
            field.widget = forms.PasswordInput(attrs={"autocomplete": "current-password"})
        else:
            field.label = "Type your email address"
            field.help_text = f"Type {user.email} to confirm."
            field.widget = forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"})

    def clean_confirm(self) -> str:
        value = self.cleaned_data["confirm"]
        if self.user.has_usable_password():
            if not self.user.check_password(value):
                raise forms.ValidationError("That is not your password. Nothing was deleted.")
        elif value.strip().lower() != self.user.email.lower():
            raise forms.ValidationError("That is not your email address. Nothing was deleted.")
        return value


class ProfileForm(forms.ModelForm):
    timezone = forms.ChoiceField(
        required=False,
        label="Time zone",
        help_text="Session dates and deadlines are shown in this zone.",
    )

    class Meta:
        model = User
        fields = ["display_name", "timezone"]
        labels = {"display_name": "Your name"}
        help_texts = {"display_name": "Shown to your facilitators and in emails."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = [("", "Use my cohort's time zone"), *timezone_choices()]
        self.fields["display_name"].widget.attrs["autocomplete"] = "name"
