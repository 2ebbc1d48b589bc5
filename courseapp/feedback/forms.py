from django import forms

from courseapp.models import FEEDBACK_TEXT_MAX, READING_COMMENT_MAX

UNIT_FEEDBACK_FIELDS = ["rating", "what_worked", "what_to_change", "anonymous"]
RATING_CHOICES = [
    (5, "5, excellent"),
    (4, "4, good"),
    (3, "3, fine"),
    (2, "2, weak"),
    (1, "1, poor"),
]


class UnitFeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="How was this unit overall?",
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a rating from 1 to 5."},
    )
    what_worked = forms.CharField(
        label="What worked?",
        required=False,
        max_length=FEEDBACK_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    what_to_change = forms.CharField(
        label="What would you change?",
        required=False,
        max_length=FEEDBACK_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    anonymous = forms.BooleanField(
        label="Anonymous to facilitators",
        required=False,
        help_text="Facilitators see your answer without your name. Course admins can still "
        "see who wrote it.",
    )

    def __init__(self, *args, prefix_id: str = "unit-feedback", **kwargs):
        kwargs.setdefault("auto_id", f"{prefix_id}-%s")
        super().__init__(*args, **kwargs)


class ReadingFeedbackForm(forms.Form):
    useful = forms.TypedChoiceField(
        label="Was this reading useful?",
        choices=[("1", "Useful"), ("0", "Not useful")],
        coerce=lambda value: value == "1",
        error_messages={"required": "Choose useful or not useful."},
    )
    comment = forms.CharField(
        label="Comment (optional)", required=False, max_length=READING_COMMENT_MAX
    )

    def __init__(self, *args, reading_pk: int, **kwargs):
        kwargs.setdefault("auto_id", f"reading-{reading_pk}-%s")
        super().__init__(*args, **kwargs)
