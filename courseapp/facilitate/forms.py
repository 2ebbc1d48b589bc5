from django import forms

from .services import REVIEW_COMMENT_MAX

MEETS, DOES_NOT_MEET = "meets", "does_not_meet"


class WrittenReviewForm(forms.Form):
    verdict = forms.ChoiceField(
        choices=[
            (MEETS, "Meets the objective"),
            (DOES_NOT_MEET, "Does not meet the objective yet"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the answer meets the objective."},
    )
    comment = forms.CharField(
        required=False, max_length=REVIEW_COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )

    @classmethod
    def for_answer(cls, answer, data=None) -> "WrittenReviewForm":
        initial = {}
        if answer.is_reviewed:
            initial = {
                "verdict": MEETS if answer.is_correct else DOES_NOT_MEET,
                "comment": answer.review_comment,
            }
        return cls(data, initial=initial, auto_id=f"review-{answer.pk}-%s")
