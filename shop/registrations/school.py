"""The school: students, clubs, courses and enrollments."""

from __future__ import annotations

from django.http import HttpRequest

from shop.admin import ModelAdmin, register
from shop.admin.inlines import TabularInline
from shop.models import Club, Course, Enrollment, Student
from shop.registrations.actions import drop_enrollments, enroll_in_course
from shop.registrations.site import site


class StudentEnrollmentInline(TabularInline):
    """A student's courses (the association object), with status and grade."""

    model = Enrollment
    fields = ("course", "enrolled_date", "status", "grade", "notes")
    autocomplete_fields = ("course",)
    extra = 1
    show_change_link = True


class CourseEnrollmentInline(TabularInline):
    """A course's students, with status and grade."""

    model = Enrollment
    fields = ("student", "enrolled_date", "status", "grade")
    autocomplete_fields = ("student",)
    extra = 1
    show_change_link = True


@register(Student, site=site)
class StudentAdmin(ModelAdmin):
    list_display = ("last_name", "first_name", "email")
    actions = (enroll_in_course,)
    list_filter = ("clubs",)  # a many-to-many: filtered with EXISTS
    search_fields = ("^last_name", "^first_name", "email")
    autocomplete_fields = ("clubs",)
    ordering = ("last_name", "first_name")
    inlines = (StudentEnrollmentInline,)

    def has_enroll_permission(self, request: HttpRequest) -> bool:
        """The "enroll" action's permission (Django's custom action permissions): adding
        enrollments."""
        return self.admin_site.get_model_admin(Enrollment).has_add_permission(request)


@register(Club, site=site)
class ClubAdmin(ModelAdmin):
    list_display = ("name", "description")
    search_fields = ("name", "description")
    ordering = ("name",)


@register(Course, site=site)
class CourseAdmin(ModelAdmin):
    list_display = ("code", "title", "credits")
    list_filter = ("credits",)
    search_fields = ("^code", "title")
    ordering = ("code",)
    inlines = (CourseEnrollmentInline,)


@register(Enrollment, site=site)
class EnrollmentAdmin(ModelAdmin):
    list_display = (
        "student__last_name",
        "student__first_name",
        "course__code",
        "grade",
        "status",
        "enrolled_date",
    )
    list_filter = ("status", "grade", "course", "enrolled_date")
    list_editable = ("grade", "status")
    actions = (drop_enrollments,)
    search_fields = ("^student__last_name", "student__email", "^course__code")
    autocomplete_fields = ("student", "course")
    ordering = ("-enrolled_date",)
    date_hierarchy = "enrolled_date"
    fieldsets = (
        (None, {"fields": ("student", "course", "enrolled_date")}),
        ("Result", {"fields": ("status", "grade", "notes")}),
    )
