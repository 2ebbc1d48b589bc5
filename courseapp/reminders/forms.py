from django import forms

from accounts.models import NotificationPreferences


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = NotificationPreferences
        fields = list(NotificationPreferences.KINDS)

    def __init__(self, *args, facilitator: bool, **kwargs):
        super().__init__(*args, **kwargs)
        # Only facilitators get the digest; without the field a posted value is ignored.
        if not facilitator:
            del self.fields["facilitator_digest"]
