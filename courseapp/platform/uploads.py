"""The admin's upload-preview-apply forms (syllabus, quiz): the file on the first POST, then on
"apply" the previewed bytes (base64) and the preview's fingerprint, so the editor applies exactly
what they saw, or is shown the new preview when the file or the data changed in between."""

import base64
import binascii

from django import forms
from django.core.exceptions import ValidationError

MAX_UPLOAD_BYTES = 1_000_000


class PreviewedUploadForm(forms.Form):
    what = "file"  # what the file should be, for the messages: "syllabus", "quiz"
    max_bytes = MAX_UPLOAD_BYTES

    file = forms.FileField(required=False)
    content = forms.CharField(required=False, widget=forms.HiddenInput)
    fingerprint = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        upload, content = cleaned.get("file"), cleaned.get("content")
        if upload is not None:
            if upload.size > self.max_bytes:
                raise ValidationError(f"The file is larger than 1 MB; is it a {self.what}?")
            cleaned["data"] = upload.read()
        elif content:
            try:
                cleaned["data"] = base64.b64decode(content, validate=True)
            except (binascii.Error, ValueError):
                raise ValidationError("The previewed file was damaged; upload it again.") from None
        else:
            raise ValidationError(f"Choose a {self.what} file to upload.")
        return cleaned
