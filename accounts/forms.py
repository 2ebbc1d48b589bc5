from django import forms

from .models import User, timezone_choices


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
