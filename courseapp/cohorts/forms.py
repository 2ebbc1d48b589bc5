from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from accounts.models import User
from courseapp.models import Cohort, Enrollment

from . import services

MAX_LIST_BYTES = 256 * 1024


class InviteListForm(forms.Form):
    """Emails pasted into a box and/or uploaded as a CSV or text file."""

    emails = forms.CharField(
        label="Email addresses",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One per line, or separated by commas.",
    )
    file = forms.FileField(
        label="Or upload a list",
        required=False,
        help_text="A .csv or .txt file with one email address per line or comma separated.",
    )
    role = forms.ChoiceField(choices=Enrollment.Role.choices, initial=Enrollment.Role.FELLOW)

    def __init__(self, *args, can_choose_role: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_choose_role:
            del self.fields["role"]

    def clean_file(self) -> str:
        upload = self.cleaned_data.get("file")
        if not upload:
            return ""
        if upload.size > MAX_LIST_BYTES:
            raise ValidationError("That file is too large for a list of email addresses.")
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ValidationError("That file is not a UTF-8 text or CSV file.") from error

    def clean(self) -> dict:
        data = super().clean()
        text = "\n".join(filter(None, [data.get("emails", ""), data.get("file", "")]))
        if not self.errors:
            try:
                data["addresses"] = services.invitation_emails_parse(text)
            except ValidationError as error:
                self.add_error(None, error)
        data["text"] = text
        return data


class AdminInviteForm(InviteListForm):
    cohort = forms.ModelChoiceField(queryset=Cohort.objects.select_related("course"))

    field_order = ["cohort", "role", "emails", "file"]


class AcceptNewAccountForm(forms.Form):
    """An invitee without an account chooses a name and a password."""

    display_name = forms.CharField(
        label="Your name", max_length=150, required=False, help_text="As others will see it."
    )
    password1 = forms.CharField(
        label="Choose a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict:
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords differ.")
        elif first:
            candidate = User(email=self.email, display_name=data.get("display_name", ""))
            try:
                password_validation.validate_password(first, candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return data
