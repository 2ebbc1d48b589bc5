from django import forms

from accounts.models import NotificationPreferences


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = NotificationPreferences
        fields = list(NotificationPreferences.KINDS)
