"""Admin for the syllabus: courses, units, objectives and readings, with history and upload.

Only staff holding `courseapp.edit_syllabus` may add, change, archive or delete content (other
staff may look). Anything fellows touched (progress, answers, feedback, sessions: the rows that
protect it from deletion) is archived instead of deleted, so nothing of theirs is ever lost.
"""

import base64
import hashlib

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import NestedObjects, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, router
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path
from django.utils import timezone
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from .links.admin import LINK_FIELDS, LinkHealthAdmin, LinkHealthFilter, check_links_now
from .models import Course, LearningObjective, Reading, Unit
from .platform.uploads import PreviewedUploadForm
from .syllabus.estimates import estimate_minutes
from .syllabus.parser import SyllabusError, parse_syllabus
from .syllabus.services import Plan, syllabus_apply, syllabus_plan
from .syllabus.writer import export_syllabus

EDIT_PERMISSION = "courseapp.edit_syllabus"
MAX_SYLLABUS_BYTES = 1_000_000


def can_edit_syllabus(request: HttpRequest) -> bool:
    user = request.user
    return user.is_active and user.is_staff and user.has_perm(EDIT_PERMISSION)


def fellows_touched(obj) -> bool:
    """True when deleting would hit rows that protect it: progress, answers, feedback, sessions."""
    collector = NestedObjects(using=router.db_for_write(obj.__class__))
    collector.collect([obj])
    return bool(collector.protected)


class SyllabusEditorOnly:
    """Syllabus editors add, change and delete; other staff with view rights may only look."""

    def has_add_permission(self, request, *args) -> bool:
        return can_edit_syllabus(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return can_edit_syllabus(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return can_edit_syllabus(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return can_edit_syllabus(request) or super().has_view_permission(request, obj)


class ArchivedFilter(admin.SimpleListFilter):
    title = "archived"
    parameter_name = "archived"

    def lookups(self, request, model_admin):
        return [("no", "Live"), ("yes", "Archived")]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(archived_at=None)
        if self.value() == "yes":
            return queryset.exclude(archived_at=None)
        return queryset


class ArchivableForm(forms.ModelForm):
    archived = forms.BooleanField(
        required=False, help_text="Hidden from fellows; their progress on it is kept."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["archived"].initial = self.instance.archived_at is not None

    def clean(self):
        cleaned = super().clean()
        # Set before the model's own validation, so a unit brought back onto a week that is
        # already taken fails as a form error, not as an IntegrityError.
        if "archived" in self.changed_data:
            self.instance.archived_at = timezone.now() if cleaned.get("archived") else None
        return cleaned


class ReadingForm(ArchivableForm):
    url = forms.URLField(required=False, max_length=1000, assume_scheme="https")

    class Meta:
        model = Reading
        fields = ["unit", "tier", "position", "title", "authors", "year", "url", "kind", "minutes",
                  "minutes_estimated", "note"]  # fmt: skip

    def save(self, commit=True):
        reading = self.instance
        if "minutes" in self.changed_data:
            reading.minutes_estimated = False
        elif reading.minutes_estimated:
            reading.minutes = estimate_minutes(reading.kind)
        return super().save(commit)


def _set_archived(queryset, *, archived: bool) -> tuple[int, list[str]]:
    done, refused = 0, []
    for obj in queryset.filter(archived_at__isnull=archived):
        obj.archived_at = timezone.now() if archived else None
        try:
            obj.full_clean()
        except ValidationError as error:
            refused.append(f"{obj}: {' '.join(error.messages)}")
            continue
        obj.save()
        done += 1
    return done, refused


@admin.action(description="Archive selected (fellows keep their progress)", permissions=["change"])
def archive_selected(modeladmin, request, queryset):
    done, _ = _set_archived(queryset, archived=True)
    modeladmin.message_user(request, f"Archived {done}; fellows' progress on them is kept.")


@admin.action(description="Bring selected back from the archive", permissions=["change"])
def unarchive_selected(modeladmin, request, queryset):
    done, refused = _set_archived(queryset, archived=False)
    modeladmin.message_user(request, f"Brought back {done}.")
    for problem in refused:
        modeladmin.message_user(request, f"Not brought back: {problem}", messages.ERROR)


class ArchiveInsteadOfDelete(SyllabusEditorOnly):
    """Delete only what fellows never touched; archive the rest and say so."""

    actions = [archive_selected, unarchive_selected]

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_delete_permission(request, obj):
            return super().delete_view(request, object_id, extra_context)
        if not fellows_touched(obj):
            return super().delete_view(request, object_id, extra_context)
        if request.method == "POST":
            obj.archived_at = obj.archived_at or timezone.now()
            obj.save()
            self.message_user(
                request,
                f"“{obj}” was archived, not deleted: fellows have progress, answers or feedback "
                "on it, and those are kept. Unarchive it to bring it back.",
                messages.WARNING,
            )
            return redirect(f"admin:courseapp_{self.opts.model_name}_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "object": obj,
            "title": f"Archive {self.opts.verbose_name}",
        }
        return TemplateResponse(request, "admin/courseapp/archive_instead.html", context)


class LearningObjectiveForm(ArchivableForm):
    class Meta:
        model = LearningObjective
        fields = ["unit", "position", "text"]


class LearningObjectiveInline(SyllabusEditorOnly, admin.TabularInline):
    model = LearningObjective
    form = LearningObjectiveForm
    fields = ["position", "text", "archived"]
    ordering = ["position", "pk"]
    extra = 0
    can_delete = False
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 80})},
    }


class ReadingInline(SyllabusEditorOnly, admin.TabularInline):
    model = Reading
    form = ReadingForm
    fields = ["tier", "position", "title", "authors", "year", "kind", "minutes", "url", "archived"]
    ordering = ["tier", "position", "pk"]
    extra = 0
    can_delete = False
    show_change_link = True


def fellow_link(unit: Unit) -> str:
    try:
        url = unit.get_absolute_url()
    except NoReverseMatch:
        return "—"
    return format_html('<a href="{}">View as a fellow</a>', url)


class UnitForm(ArchivableForm):
    class Meta:
        model = Unit
        fields = ["course", "week", "position", "title", "subtitle", "published", "overview",
                  "objectives_intro"]  # fmt: skip


@admin.register(Unit)
class UnitAdmin(ArchiveInsteadOfDelete, SimpleHistoryAdmin):
    form = UnitForm
    list_display = ["__str__", "course", "position", "published", "archived_at", "view_as_fellow"]
    list_filter = ["course", "published", ArchivedFilter]
    list_select_related = ["course"]
    search_fields = ["title", "subtitle", "overview", "course__title"]
    ordering = ["course", "position", "week"]
    fieldsets = [
        (None, {"fields": ["course", "week", "position", "title", "subtitle", "published"]}),
        ("Content", {"fields": ["overview", "objectives_intro"]}),
        ("Archive", {"fields": ["archived", "archived_at", "view_as_fellow"]}),
    ]
    readonly_fields = ["archived_at", "view_as_fellow"]
    inlines = [LearningObjectiveInline, ReadingInline]

    @admin.display(description="Fellow's view")
    def view_as_fellow(self, unit: Unit) -> str:
        return fellow_link(unit) if unit.pk else "—"


@admin.register(Reading)
class ReadingAdmin(LinkHealthAdmin, ArchiveInsteadOfDelete, SimpleHistoryAdmin):
    form = ReadingForm
    list_display = ["title", "authors", "year", "unit", "tier", "kind", "minutes", "archived_at"]
    list_filter = ["tier", "kind", ArchivedFilter, LinkHealthFilter, "unit__course"]
    actions = [*ArchiveInsteadOfDelete.actions, check_links_now]
    list_select_related = ["unit"]
    search_fields = ["title", "authors", "unit__title"]
    fieldsets = [
        (None, {"fields": ["unit", "tier", "position", "title", "authors", "year", "url"]}),
        (
            "Time",
            {
                "fields": ["kind", "minutes", "minutes_estimated"],
                "description": "Changing the minutes marks them as set by hand; tick "
                "“minutes estimated” to go back to the estimate for the kind.",
            },
        ),
        ("Reading guide", {"fields": ["note"]}),
        ("Link health", {"fields": LINK_FIELDS}),
        ("Archive", {"fields": ["archived", "archived_at"]}),
    ]
    readonly_fields = ["archived_at", *LINK_FIELDS]
    raw_id_fields = ["unit"]


@admin.register(LearningObjective)
class LearningObjectiveAdmin(ArchiveInsteadOfDelete, SimpleHistoryAdmin):
    form = LearningObjectiveForm
    list_display = ["__str__", "unit", "position", "archived_at"]
    list_filter = [ArchivedFilter, "unit__course"]
    list_select_related = ["unit"]
    search_fields = ["text", "unit__title"]
    fields = ["unit", "position", "text", "archived", "archived_at"]
    readonly_fields = ["archived_at"]
    raw_id_fields = ["unit"]


class SyllabusUploadForm(PreviewedUploadForm):
    what = "syllabus"
    max_bytes = MAX_SYLLABUS_BYTES
    file = forms.FileField(required=False, help_text="A .txt file in the team's syllabus format.")


def plan_fingerprint(plan: Plan) -> str:
    return hashlib.sha256("\n".join(plan.lines()).encode()).hexdigest()


@admin.register(Course)
class CourseAdmin(SyllabusEditorOnly, SimpleHistoryAdmin):
    list_display = ["title", "slug", "live_units"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    fields = ["title", "slug", "description"]

    def get_queryset(self, request):
        live = Count("units", filter=Q(units__archived_at=None))
        return super().get_queryset(request).annotate(live_units=live)

    @admin.display(description="Live units", ordering="live_units")
    def live_units(self, course: Course) -> int:
        return course.live_units

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/syllabus/upload/",
                view(self.syllabus_upload_view),
                name="courseapp_course_syllabus_upload",
            ),
            path(
                "<path:object_id>/syllabus/export/",
                view(self.syllabus_export_view),
                name="courseapp_course_syllabus_export",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = {"can_edit_syllabus": can_edit_syllabus(request), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra)

    def syllabus_export_view(self, request, object_id):
        course = self.get_object(request, unquote(object_id))
        if course is None:
            raise Http404("No such course.")
        if not self.has_view_permission(request, course):
            raise PermissionDenied
        week = request.GET.get("week", "")
        text = export_syllabus(course=course, weeks=[int(week)] if week.isdigit() else None)
        response = HttpResponse(text.encode("utf-8"), content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{course.slug}.txt"'
        return response

    def syllabus_upload_view(self, request, object_id):
        course = self.get_object(request, unquote(object_id))
        if course is None:
            raise Http404("No such course.")
        if not can_edit_syllabus(request):
            raise PermissionDenied
        posted = request.method == "POST"
        form = SyllabusUploadForm(request.POST if posted else None, request.FILES or None)
        context = {"form": form, "course": course}
        if posted and form.is_valid():
            try:
                document = parse_syllabus(form.cleaned_data["data"])
            except SyllabusError as error:
                context["issues"] = error.issues
            else:
                plan = syllabus_plan(course=course, document=document)
                fingerprint = plan_fingerprint(plan)
                if "apply" in request.POST and form.cleaned_data["fingerprint"] == fingerprint:
                    plan = syllabus_apply(course=course, document=document, user=request.user)
                    self.message_user(request, f"Syllabus applied: {plan.summary}.")
                    return redirect("admin:courseapp_course_change", course.pk)
                if "apply" in request.POST:
                    context["stale"] = True
                context.update(
                    plan=plan,
                    content=base64.b64encode(form.cleaned_data["data"]).decode(),
                    fingerprint=fingerprint,
                )
        return self.render_upload(request, context)

    def render_upload(self, request, context):
        context = {
            **self.admin_site.each_context(request),
            **context,
            "opts": self.opts,
            "title": f"Upload a syllabus to {context['course']}",
        }
        return TemplateResponse(request, "admin/courseapp/syllabus_upload.html", context)
