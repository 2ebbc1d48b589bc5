"""The admin's chapter upload: choose a unit and tier, upload the export, preview, then apply."""

import base64

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse

from courseapp.models import Reading, Unit

from .services import MAX_BYTES, ChapterError, chapter_import, chapter_match, chapter_parse

TOKEN_SALT = "courseapp.admin_chapters.import"  # unchanged when the module moved
TOKEN_MAX_AGE = 60 * 60


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return f"{obj.course.title} · Week {obj.week}: {obj.title}"


class ChapterUploadForm(forms.Form):
    unit = UnitChoiceField(
        queryset=Unit.objects.live().select_related("course").order_by("course__title", "week")
    )
    tier = forms.TypedChoiceField(
        choices=Reading.Tier.choices, coerce=int, initial=Reading.Tier.CORE
    )
    file = forms.FileField(
        label="Chapter file",
        help_text="A chapter export: Markdown wrapped in the site's HTML, UTF-8, up to 1 MB.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError("The file is larger than 1 MB.")
        self.raw = upload.read()
        try:
            self.parsed = chapter_parse(self.raw)
        except ChapterError as error:
            raise forms.ValidationError(str(error)) from None
        return upload


def _render(request: HttpRequest, name: str, context: dict, status: int = 200) -> HttpResponse:
    context = {**admin.site.each_context(request), "title": "Import a chapter", **context}
    return render(request, f"admin/courseapp/{name}.html", context, status=status)


@staff_member_required
@permission_required(("courseapp.add_reading", "courseapp.change_reading"), raise_exception=True)
def import_chapter(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and "apply" in request.POST:
        return _apply(request)
    form = ChapterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        return _preview(request, form)
    return _render(request, "chapter_upload", {"form": form})


def _preview(request: HttpRequest, form: ChapterUploadForm) -> HttpResponse:
    unit, tier, parsed = form.cleaned_data["unit"], form.cleaned_data["tier"], form.parsed
    match = chapter_match(unit=unit, title=parsed.title)
    # What is applied is exactly what was previewed: the file travels back signed.
    token = signing.dumps(
        {"unit": unit.pk, "tier": tier, "raw": base64.b64encode(form.raw).decode()},
        salt=TOKEN_SALT,
        compress=True,
    )
    context = {
        "parsed": parsed,
        "unit": unit,
        "tier_label": Reading.Tier(tier).label,
        "tier_differs": parsed.tier_hint not in ("", Reading.Tier(tier).label.lower()),
        "match": match,
        "progress_count": match.progress.count() if match else 0,
        "token": token,
    }
    return _render(request, "chapter_preview", context)


def _apply(request: HttpRequest) -> HttpResponse:
    try:
        payload = signing.loads(
            request.POST.get("token", ""), salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE
        )
        unit = Unit.objects.live().get(pk=payload["unit"])
        reading = chapter_import(
            unit=unit,
            raw=base64.b64decode(payload["raw"]),
            tier=payload["tier"],
            user=request.user,
        )
    except (signing.BadSignature, Unit.DoesNotExist, ChapterError) as error:
        return _render(
            request,
            "chapter_upload",
            {"form": ChapterUploadForm(), "error": _apply_error(error)},
            status=400,
        )
    messages.success(request, f"Imported “{reading.title}” into {unit} as reading #{reading.pk}.")
    return redirect(_after_import_url(reading))


def _apply_error(error: Exception) -> str:
    if isinstance(error, signing.BadSignature):
        return "The preview expired or was changed. Upload the file again."
    if isinstance(error, Unit.DoesNotExist):
        return "The unit was archived after the preview. Choose another unit."
    return f"Nothing was imported: {error}"


def _after_import_url(reading: Reading) -> str:
    # The Reading admin is registered in admin.py; fall back to this page if it is not.
    try:
        return reverse("admin:courseapp_reading_change", args=[reading.pk])
    except NoReverseMatch:
        return reverse("admin_import_chapter")


# Included by courseapp/urls.py ahead of the admin, so the admin's catch-all does not shadow it.
urlpatterns = [path("", import_chapter, name="admin_import_chapter")]
